// Malformed messages: the parser names each defect, and the server answers
// FORMERR (or nothing) and goes on serving.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "dns_client.h"
#include "fixture.h"
#include "transfer/message.h"

namespace signet::testing {
namespace {

using namespace std::chrono_literals;

struct MalformedCase {
  const char* file;
  const char* error;
};

// One file per defect in tests/data/transfer/malformed, written by
// make_packets.py next to it.
const MalformedCase kMalformed[] = {
    {"short-header", "message shorter than the header"},
    {"truncated-question", "truncated question"},
    {"compression-loop", "invalid question name"},
    {"forward-pointer", "invalid question name"},
    {"label-type-0x40", "invalid question name"},
    {"name-over-255-octets", "invalid question name"},
    {"rdata-past-end", "RDATA runs past the message end"},
    {"trailing-octets", "octets after the last record"},
    {"missing-record", "invalid owner name"},
    {"tsig-not-last", "TSIG is not the last record"},
    {"two-opt-records", "more than one OPT record"},
    {"opt-in-answer", "OPT or TSIG outside the additional section"},
    {"tsig-class-not-any", "TSIG with class other than ANY or TTL not 0"},
};

std::string read_packet(const std::string& name) {
  std::ifstream in(
      std::string(SIGNET_TRANSFER_TEST_DATA) + "/malformed/" + name + ".bin",
      std::ios::binary);
  REQUIRE(in);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

TEST_CASE("message parser names each defect") {
  for (const auto& c : kMalformed) {
    INFO(c.file);
    std::string error;
    CHECK_FALSE(transfer::parse_message(read_packet(c.file), &error));
    CHECK(error == c.error);
  }
}

TEST_CASE("message writer compresses names and ldns reads the result") {
  auto origin = zone::Name::parse("example.test.").value();
  auto host = zone::Name::parse("www.example.test.").value();
  std::string wire;
  transfer::MessageWriter writer(wire, 512);
  transfer::Header header;
  header.id = 99;
  header.qr = true;
  writer.set_header(header);
  writer.add_question(origin, zone::rrtype::AXFR, zone::kClassIn);
  REQUIRE(writer.add_record(transfer::MessageWriter::Section::kAnswer, host,
                            zone::rrtype::A, zone::kClassIn, 60,
                            std::string("\xc0\x00\x02\x01", 4)));
  REQUIRE(writer.add_record(transfer::MessageWriter::Section::kAnswer, host,
                            zone::rrtype::A, zone::kClassIn, 60,
                            std::string("\xc0\x00\x02\x02", 4)));
  writer.finish();
  // Header 12 and question 14 + 4. The first owner is "www" and a pointer
  // (4 + 2), the second a pointer alone, and each record adds 10 + 4.
  CHECK(wire.size() == 12 + 14 + 4 + 6 + 14 + 2 + 14);
  transfer::Message message = parse_or_fail(wire);
  REQUIRE(message.answers.size() == 2);
  CHECK(message.answers[1].owner == host);

  // A record that does not fit leaves the message unchanged.
  std::string other;
  transfer::MessageWriter small(other, 40);
  CHECK_FALSE(small.add_record(transfer::MessageWriter::Section::kAnswer, host,
                               zone::rrtype::TXT, zone::kClassIn, 60,
                               std::string(100, 'x')));
  CHECK(small.size() == transfer::kHeaderSize);
  CHECK(small.record_count() == 0);
}

TEST_CASE("server answers malformed packets with FORMERR or silence") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  std::string soa = build_query(Query("example.test."));
  for (const auto& c : kMalformed) {
    INFO(c.file);
    std::string packet = read_packet(c.file);
    auto udp = udp_exchange("127.0.0.1", fixture.port, packet, "", 300ms);
    if (packet.size() < transfer::kHeaderSize) {
      CHECK_FALSE(udp);
    } else {
      REQUIRE(udp);
      auto header = transfer::parse_header(*udp);
      CHECK(header->rcode == transfer::rcode::kFormErr);
      CHECK(header->ancount == 0);
    }
    TcpClient tcp("127.0.0.1", fixture.port);
    REQUIRE(tcp.send(packet));
    if (packet.size() < transfer::kHeaderSize) {
      CHECK(tcp.closed_by_peer(2s));
    } else {
      auto reply = tcp.read_message();
      REQUIRE(reply);
      CHECK(transfer::parse_header(*reply)->rcode == transfer::rcode::kFormErr);
    }
    CHECK(udp_exchange("127.0.0.1", fixture.port, soa));
  }
}

TEST_CASE("server survives bad TCP framing") {
  SignedVersions zones;
  transfer::ServerOptions options;
  options.tcp_idle_timeout_ms = 500;
  ServerFixture fixture(options);
  fixture.publish(zones.versions[0]);
  std::string soa = build_query(Query("example.test."));

  SECTION("zero length message") {
    TcpClient tcp("127.0.0.1", fixture.port);
    REQUIRE(tcp.send_raw(std::string(2, '\0')));
    CHECK(tcp.closed_by_peer(2s));
  }
  SECTION("length prefix promising more than is sent") {
    TcpClient tcp("127.0.0.1", fixture.port);
    REQUIRE(tcp.send_raw(std::string("\x01\x00", 2) + soa));
    CHECK(tcp.closed_by_peer(2s));  // by the idle timeout
  }
  SECTION("a response sent to the server") {
    std::string response = soa;
    response[2] = static_cast<char>(response[2] | 0x80);
    TcpClient tcp("127.0.0.1", fixture.port);
    REQUIRE(tcp.send(response));
    CHECK(tcp.closed_by_peer(2s));
    CHECK_FALSE(udp_exchange("127.0.0.1", fixture.port, response, "", 300ms));
  }
  SECTION("two pipelined queries get two answers") {
    TcpClient tcp("127.0.0.1", fixture.port);
    REQUIRE(tcp.send(soa));
    REQUIRE(tcp.send(soa));
    CHECK(tcp.read_message());
    CHECK(tcp.read_message());
  }
  CHECK(udp_exchange("127.0.0.1", fixture.port, soa));
}

}  // namespace signet::testing
