// The transfer server over real loopback sockets: SOA, AXFR, IXFR, access
// control, TSIG errors and publishing during transfers.
#include "transfer/server.h"

#include <poll.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <thread>

#include "dns_client.h"
#include "fixture.h"
#include "transfer/message.h"

namespace signet::testing {
namespace {

using transfer::Message;
namespace rcode = transfer::rcode;
using namespace std::chrono_literals;

const std::string kZone = "example.test.";

std::vector<zone::Rr> records_of(const zone::Zone& z) {
  std::vector<zone::Rr> out;
  z.for_each_rr([&](const zone::Rr& rr) { out.push_back(rr); });
  return out;
}

// Sorted copy without the closing SOA, for comparing transfer contents.
std::vector<zone::Rr> body_of(std::vector<zone::Rr> records) {
  records.pop_back();
  std::sort(records.begin(), records.end(), zone::canonical_less);
  return records;
}

uint32_t soa_serial_in(const std::string& wire) {
  Message message = parse_or_fail(wire);
  REQUIRE(message.answers.size() == 1);
  return transfer::read_soa_serial(wire, message.answers[0]).value();
}

}  // namespace

TEST_CASE("server answers SOA over UDP and TCP on IPv4 and IPv6") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  std::string query = build_query({kZone});

  auto udp4 = udp_exchange("127.0.0.1", fixture.port, query);
  REQUIRE(udp4);
  CHECK(soa_serial_in(*udp4) == 1);
  CHECK(parse_or_fail(*udp4).header.aa);

  auto udp6 = udp_exchange("::1", fixture.port6, query);
  REQUIRE(udp6);
  CHECK(soa_serial_in(*udp6) == 1);

  TcpClient tcp("127.0.0.1", fixture.port);
  REQUIRE(tcp.send(query));
  auto reply = tcp.read_message();
  REQUIRE(reply);
  CHECK(soa_serial_in(*reply) == 1);
}

TEST_CASE("server sends the whole signed zone by AXFR") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  std::string mac;
  std::string query =
      build_query({kZone, zone::rrtype::AXFR}, &fixture.key, &mac);

  TcpClient client("127.0.0.1", fixture.port);
  REQUIRE(client.send(query));
  TransferResult result =
      read_transfer(client, kZone, &fixture.key, mac, false);
  INFO(result.error);
  REQUIRE(result.error.empty());
  auto expected = records_of(*zones.versions[0]);
  REQUIRE(result.records.size() == expected.size() + 1);
  CHECK(result.records.front().type == zone::rrtype::SOA);
  CHECK(result.records.back() == result.records.front());
  std::sort(expected.begin(), expected.end(), zone::canonical_less);
  CHECK(body_of(result.records) == expected);
}

TEST_CASE("AXFR of a large zone spans many signed messages") {
  ServerFixture fixture;
  auto big = make_plain_zone(kZone, 7, 20000);
  fixture.publish(big);
  std::string mac;
  std::string query =
      build_query({kZone, zone::rrtype::AXFR}, &fixture.key, &mac);

  TcpClient client("::1", fixture.port6);
  REQUIRE(client.send(query));
  TransferResult result =
      read_transfer(client, kZone, &fixture.key, mac, false);
  INFO(result.error);
  REQUIRE(result.error.empty());
  CHECK(result.messages.size() > 3);
  for (const auto& message : result.messages) {
    CHECK(message.size() <= transfer::kMaxTcpMessage);
  }
  CHECK(result.records.size() == big->rr_count() + 1);
  auto status = fixture.server->secondary_status(big->origin());
  REQUIRE(status.size() == 2);
  // The server marks the transfer once the last message is written.
  for (int i = 0; i < 50 && !status[1].serial_served; ++i) {
    std::this_thread::sleep_for(20ms);
    status = fixture.server->secondary_status(big->origin());
  }
  CHECK(status[1].serial_served == 7u);
  CHECK(status[1].last_transfer_type == "AXFR");
  CHECK_FALSE(status[0].serial_served);
}

TEST_CASE("IXFR from an older serial sends the condensed difference") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[2], zones.journal);
  std::string mac;
  std::string query = build_query(
      {kZone, zone::rrtype::IXFR, zone::kClassIn, 7, 1u}, &fixture.key, &mac);

  TcpClient client("127.0.0.1", fixture.port);
  REQUIRE(client.send(query));
  TransferResult result = read_transfer(client, kZone, &fixture.key, mac, true);
  INFO(result.error);
  REQUIRE(result.error.empty());

  // Apply the sequence: SOA(3), SOA(1), removed..., SOA(3), added..., SOA(3).
  const auto& records = result.records;
  REQUIRE(records.size() >= 4);
  zone::ZoneDiff diff;
  size_t i = 1;
  for (; records[i].type != zone::rrtype::SOA || i == 1; ++i) {
    diff.removed.push_back(records[i]);
  }
  for (; i + 1 < records.size(); ++i) {
    diff.added.push_back(records[i]);
  }
  zone::Zone applied = *zones.versions[0];
  REQUIRE(zone::apply_diff(applied, diff));
  CHECK(records_of(applied) == records_of(*zones.versions[2]));

  // host5 (removed) and host-new (added then kept) travel once each.
  size_t full_size = zones.versions[2]->rr_count();
  CHECK(records.size() < full_size);
}

TEST_CASE("IXFR beyond the journal falls back to a full transfer") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[2], {zones.journal[1]});
  std::string mac;
  std::string query = build_query(
      {kZone, zone::rrtype::IXFR, zone::kClassIn, 9, 1u}, &fixture.key, &mac);
  TcpClient client("127.0.0.1", fixture.port);
  REQUIRE(client.send(query));
  TransferResult result = read_transfer(client, kZone, &fixture.key, mac, true);
  INFO(result.error);
  REQUIRE(result.error.empty());
  CHECK(result.records.size() == zones.versions[2]->rr_count() + 1);
  CHECK(result.records[1].type != zone::rrtype::SOA);
}

TEST_CASE("IXFR from the current serial answers with one SOA") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[2], zones.journal);
  std::string mac;
  std::string query = build_query(
      {kZone, zone::rrtype::IXFR, zone::kClassIn, 9, 3u}, &fixture.key, &mac);
  TcpClient client("127.0.0.1", fixture.port);
  REQUIRE(client.send(query));
  TransferResult result = read_transfer(client, kZone, &fixture.key, mac, true);
  INFO(result.error);
  REQUIRE(result.error.empty());
  REQUIRE(result.records.size() == 1);
  CHECK(result.records[0].type == zone::rrtype::SOA);
  auto status = fixture.server->secondary_status(zones.versions[2]->origin());
  CHECK(status[0].secondary_serial == 3u);
  CHECK(status[0].in_sync);
}

TEST_CASE("IXFR over UDP answers with the current SOA only") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[2], zones.journal);
  std::string query = build_query(
      {kZone, zone::rrtype::IXFR, zone::kClassIn, 9, 1u}, &fixture.key);
  auto reply = udp_exchange("127.0.0.1", fixture.port, query);
  REQUIRE(reply);
  Message message = parse_or_fail(*reply);
  CHECK(message.header.rcode == rcode::kNoError);
  REQUIRE(message.answers.size() == 1);
  CHECK(transfer::read_soa_serial(*reply, message.answers[0]) == 3u);
  CHECK(message.tsig);
}

TEST_CASE("AXFR over UDP sets TC and carries no records") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  auto reply =
      udp_exchange("127.0.0.1", fixture.port,
                   build_query({kZone, zone::rrtype::AXFR}, &fixture.key));
  REQUIRE(reply);
  Message message = parse_or_fail(*reply);
  CHECK(message.header.tc);
  CHECK(message.answers.empty());
}

TEST_CASE("server refuses what it does not serve") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  struct Case {
    const char* what;
    Query query;
  };
  std::vector<Case> cases = {
      {"unknown zone", {"other.test."}},
      {"name below the apex", {"host1.example.test."}},
      {"wrong class", {kZone, zone::rrtype::SOA, 3}},
      {"A query", {kZone, zone::rrtype::A}},
      {"ANY query", {kZone, zone::rrtype::ANY}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto reply = udp_exchange("127.0.0.1", fixture.port, build_query(c.query));
    REQUIRE(reply);
    Message message = parse_or_fail(*reply);
    CHECK(message.header.rcode == rcode::kRefused);
    CHECK(message.answers.empty());
  }

  // A NOTIFY sent to the primary.
  std::string notify = build_query({kZone});
  notify[2] = static_cast<char>(notify[2] | (transfer::opcode::kNotify << 3));
  auto reply = udp_exchange("127.0.0.1", fixture.port, notify);
  REQUIRE(reply);
  CHECK(parse_or_fail(*reply).header.rcode == rcode::kRefused);
}

TEST_CASE("transfers need a declared address and its TSIG key") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  transfer::TsigKey other{"other-key.example.", "hmac-sha256", random_secret()};

  SECTION("unsigned AXFR is refused") {
    TcpClient client("127.0.0.1", fixture.port);
    REQUIRE(client.send(build_query({kZone, zone::rrtype::AXFR})));
    auto reply = client.read_message();
    REQUIRE(reply);
    CHECK(parse_or_fail(*reply).header.rcode == rcode::kRefused);
  }
  SECTION("AXFR from an undeclared address is refused") {
    TcpClient client("127.0.0.1", fixture.port, "127.0.0.2");
    REQUIRE(client.connected());
    std::string mac;
    REQUIRE(client.send(
        build_query({kZone, zone::rrtype::AXFR}, &fixture.key, &mac)));
    auto reply = client.read_message();
    REQUIRE(reply);
    Message message = parse_or_fail(*reply);
    CHECK(message.header.rcode == rcode::kRefused);
    CHECK(message.answers.empty());
    CHECK(message.tsig);
  }
  SECTION("SOA from an undeclared address without TSIG is refused") {
    auto reply = udp_exchange("127.0.0.1", fixture.port, build_query({kZone}),
                              "127.0.0.3");
    REQUIRE(reply);
    CHECK(parse_or_fail(*reply).header.rcode == rcode::kRefused);
  }
  SECTION("AXFR signed with an unknown key gets BADKEY") {
    TcpClient client("127.0.0.1", fixture.port);
    REQUIRE(client.send(build_query({kZone, zone::rrtype::AXFR}, &other)));
    auto reply = client.read_message();
    REQUIRE(reply);
    Message message = parse_or_fail(*reply);
    CHECK(message.header.rcode == rcode::kNotAuth);
    CHECK(message.answers.empty());
    REQUIRE(message.tsig);
    auto record = transfer::parse_tsig_rdata(
        reply->substr(message.tsig->rdata_offset, message.tsig->rdata_length));
    REQUIRE(record);
    CHECK(record->error == transfer::tsig_error::kBadKey);
    CHECK(record->mac.empty());
  }
  SECTION("AXFR with the right key name but wrong secret gets BADSIG") {
    transfer::TsigKey forged = fixture.key;
    forged.secret = random_secret();
    TcpClient client("127.0.0.1", fixture.port);
    REQUIRE(client.send(build_query({kZone, zone::rrtype::AXFR}, &forged)));
    auto reply = client.read_message();
    REQUIRE(reply);
    Message message = parse_or_fail(*reply);
    CHECK(message.header.rcode == rcode::kNotAuth);
    REQUIRE(message.tsig);
    auto record = transfer::parse_tsig_rdata(
        reply->substr(message.tsig->rdata_offset, message.tsig->rdata_length));
    CHECK(record->error == transfer::tsig_error::kBadSig);
    CHECK(record->mac.empty());
  }
  SECTION("AXFR signed an hour ago gets a signed BADTIME") {
    ManualClock past(SystemClock::instance().now() - 3600);
    std::string mac;
    TcpClient client("127.0.0.1", fixture.port);
    REQUIRE(client.send(
        build_query({kZone, zone::rrtype::AXFR}, &fixture.key, &mac, &past)));
    auto reply = client.read_message();
    REQUIRE(reply);
    Message message = parse_or_fail(*reply);
    CHECK(message.header.rcode == rcode::kNotAuth);
    REQUIRE(message.tsig);
    auto record = transfer::parse_tsig_rdata(
        reply->substr(message.tsig->rdata_offset, message.tsig->rdata_length));
    CHECK(record->error == transfer::tsig_error::kBadTime);
    CHECK(record->other_data.size() == 6);
    CHECK(record->time_signed == static_cast<uint64_t>(past.now()));
    CHECK(record->mac.size() == 32);
  }
}

TEST_CASE("transfer keeps the version it started with") {
  ServerFixture fixture;
  auto first = make_plain_zone(kZone, 10, 30000);
  auto second = make_plain_zone(kZone, 11, 10);
  fixture.publish(first);
  std::string mac;
  TcpClient client("127.0.0.1", fixture.port);
  REQUIRE(client.send(
      build_query({kZone, zone::rrtype::AXFR}, &fixture.key, &mac)));
  auto opening = client.read_message();
  REQUIRE(opening);

  fixture.publish(second);
  first.reset();  // the server's transfer holds the only reference now

  auto soa = udp_exchange("127.0.0.1", fixture.port, build_query({kZone}));
  REQUIRE(soa);
  CHECK(soa_serial_in(*soa) == 11);

  size_t records = parse_or_fail(*opening).answers.size();
  bool ended = false;
  while (auto wire = client.read_message()) {
    Message message = parse_or_fail(*wire);
    records += message.answers.size();
    const auto& last = message.answers.back();
    if (last.type == zone::rrtype::SOA) {
      CHECK(transfer::read_soa_serial(*wire, last) == 10u);
      ended = true;
      break;
    }
  }
  CHECK(ended);
  CHECK(records == 30000 + 2 + 1);
}

TEST_CASE("server start fails on a port in use") {
  ServerFixture first;
  transfer::ServerOptions options;
  options.listen = {{"127.0.0.1", first.port}};
  transfer::Server second(options);
  CHECK_THROWS_WITH(second.start(),
                    Catch::Contains("cannot listen on TCP 127.0.0.1 port " +
                                    std::to_string(first.port)));
  options.listen = {{"localhost", 0}};
  transfer::Server named(options);
  CHECK_THROWS_WITH(
      named.start(),
      "listen address 'localhost' is not an IPv4 or IPv6 address");
}

TEST_CASE("withdrawn zone is refused") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  fixture.server->withdraw(zones.versions[0]->origin());
  auto reply = udp_exchange("127.0.0.1", fixture.port, build_query({kZone}));
  REQUIRE(reply);
  CHECK(parse_or_fail(*reply).header.rcode == rcode::kRefused);
  CHECK(fixture.server->secondary_status(zones.versions[0]->origin()).empty());
}

TEST_CASE("client that stops reading is closed, others are served") {
  transfer::ServerOptions options;
  options.tcp_idle_timeout_ms = 1000;
  options.max_tcp_output_bytes = 128 * 1024;
  ServerFixture fixture(options);
  fixture.publish(make_plain_zone(kZone, 5, 400000));

  TcpClient stuck("127.0.0.1", fixture.port, "", 4096);
  REQUIRE(stuck.send(build_query({kZone, zone::rrtype::AXFR}, &fixture.key)));
  std::this_thread::sleep_for(300ms);

  auto soa = udp_exchange("127.0.0.1", fixture.port, build_query({kZone}));
  REQUIRE(soa);
  CHECK(soa_serial_in(*soa) == 5);
  TcpClient other("127.0.0.1", fixture.port);
  REQUIRE(other.send(build_query({kZone})));
  CHECK(other.read_message());

  // Past the idle timeout the server has given up on the stuck client: what
  // is left to read ends well before the full transfer (about 8 MB).
  std::this_thread::sleep_for(2500ms);
  size_t received = 0;
  bool closed = false;
  char buffer[65536];
  while (!closed) {
    pollfd p{stuck.fd(), POLLIN, 0};
    REQUIRE(poll(&p, 1, 5000) == 1);
    ssize_t n = recv(stuck.fd(), buffer, sizeof buffer, 0);
    closed = n <= 0;
    received += n > 0 ? static_cast<size_t>(n) : 0;
  }
  CHECK(received < 6 * 1024 * 1024);
}

TEST_CASE("server answers 1000 concurrent TCP connections") {
  transfer::ServerOptions options;
  options.max_tcp_connections_per_address = 1000;  // all come from 127.0.0.1
  SignedVersions zones;
  ServerFixture fixture(options);
  fixture.publish(zones.versions[0]);
  std::string query = build_query({kZone});
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < 1000; ++i) {
    clients.push_back(std::make_unique<TcpClient>("127.0.0.1", fixture.port));
    REQUIRE(clients.back()->connected());
  }
  for (auto& client : clients) {
    REQUIRE(client->send(query));
  }
  int answered = 0;
  for (auto& client : clients) {
    auto reply = client->read_message();
    if (reply && soa_serial_in(*reply) == 1) {
      ++answered;
    }
  }
  CHECK(answered == 1000);
}

TEST_CASE("connections over the limit are closed cleanly") {
  transfer::ServerOptions options;
  options.max_tcp_connections = 10;
  SignedVersions zones;
  ServerFixture fixture(options);
  fixture.publish(zones.versions[0]);
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<TcpClient>("127.0.0.1", fixture.port));
    REQUIRE(clients.back()->send(build_query({kZone})));
    REQUIRE(clients.back()->read_message());
  }
  TcpClient extra("127.0.0.1", fixture.port);
  CHECK(extra.closed_by_peer(2s));
  clients.clear();
  std::this_thread::sleep_for(200ms);
  TcpClient later("127.0.0.1", fixture.port);
  REQUIRE(later.send(build_query({kZone})));
  CHECK(later.read_message());
}

TEST_CASE("one address cannot take every TCP connection") {
  transfer::ServerOptions options;
  options.max_tcp_connections = 40;
  options.max_tcp_connections_per_address = 32;
  SignedVersions zones;
  ServerFixture fixture(options);
  fixture.publish(zones.versions[0], {},
                  {{"local4", "127.0.0.1", 9, fixture.key.name, ""},
                   {"second", "127.0.0.2", 9, fixture.key.name, ""}});
  std::string query = build_query({kZone});

  // Each idle connection first gets a response, so the server has
  // accepted it before the next one arrives.
  std::vector<std::unique_ptr<TcpClient>> idle;
  for (int i = 0; i < 32; ++i) {
    idle.push_back(std::make_unique<TcpClient>("127.0.0.1", fixture.port));
    REQUIRE(idle.back()->send(query));
    REQUIRE(idle.back()->read_message());
  }
  for (int i = 0; i < 8; ++i) {
    TcpClient over("127.0.0.1", fixture.port);
    CHECK(over.closed_by_peer(2s));
  }

  TcpClient other("127.0.0.1", fixture.port, "127.0.0.2");
  REQUIRE(other.connected());
  REQUIRE(other.send(query));
  auto soa = other.read_message();
  REQUIRE(soa);
  CHECK(soa_serial_in(*soa) == 1);

  std::string mac;
  TcpClient secondary("127.0.0.1", fixture.port, "127.0.0.2");
  REQUIRE(secondary.send(
      build_query({kZone, zone::rrtype::AXFR}, &fixture.key, &mac)));
  TransferResult result =
      read_transfer(secondary, kZone, &fixture.key, mac, false);
  INFO(result.error);
  CHECK(result.error.empty());

  idle.clear();
  std::this_thread::sleep_for(200ms);
  TcpClient later("127.0.0.1", fixture.port);
  REQUIRE(later.send(query));
  auto again = later.read_message();
  REQUIRE(again);
  CHECK(soa_serial_in(*again) == 1);
}

TEST_CASE("SOA with DO set carries its RRSIG") {
  SignedVersions zones;
  ServerFixture fixture;
  fixture.publish(zones.versions[0]);
  const zone::Rrset* expected = zones.versions[0]
                                    ->find(zone::Name::parse(kZone).value())
                                    ->find_rrsig(zone::rrtype::SOA);
  REQUIRE(expected);

  Query with_do{kZone};
  with_do.edns = true;
  with_do.dnssec_ok = true;
  for (bool tcp : {false, true}) {
    INFO("tcp=" << tcp);
    std::optional<std::string> reply;
    TcpClient client("127.0.0.1", fixture.port);
    if (tcp) {
      REQUIRE(client.send(build_query(with_do)));
      reply = client.read_message();
    } else {
      reply = udp_exchange("127.0.0.1", fixture.port, build_query(with_do));
    }
    REQUIRE(reply);
    Message message = parse_or_fail(*reply);
    CHECK(message.header.rcode == rcode::kNoError);
    CHECK_FALSE(message.header.tc);
    REQUIRE(message.answers.size() == 1 + expected->rdatas.size());
    CHECK(message.answers[0].type == zone::rrtype::SOA);
    for (size_t i = 1; i < message.answers.size(); ++i) {
      CHECK(message.answers[i].type == zone::rrtype::RRSIG);
      auto rdata = transfer::read_rdata(*reply, message.answers[i]);
      REQUIRE(rdata);
      CHECK(std::find(expected->rdatas.begin(), expected->rdatas.end(),
                      *rdata) != expected->rdatas.end());
    }
    REQUIRE(message.edns);
    CHECK(message.edns->dnssec_ok);
  }

  Query edns_only{kZone};
  edns_only.edns = true;
  auto plain = udp_exchange("127.0.0.1", fixture.port, build_query(edns_only));
  REQUIRE(plain);
  Message message = parse_or_fail(*plain);
  CHECK(message.answers.size() == 1);
  REQUIRE(message.edns);
  CHECK_FALSE(message.edns->dnssec_ok);

  auto no_edns = udp_exchange("127.0.0.1", fixture.port, build_query({kZone}));
  REQUIRE(no_edns);
  CHECK(parse_or_fail(*no_edns).answers.size() == 1);
}

TEST_CASE("SOA with DO that overflows UDP sets TC") {
  SignedVersions zones;
  // Extra SOA signatures with altered signature octets push the answer
  // past the 1232-octet UDP limit; the server does not validate them.
  auto z = std::make_shared<zone::Zone>(*zones.versions[0]);
  zone::Name origin = zone::Name::parse(kZone).value();
  const zone::Rrset* rrsigs = z->find(origin)->find_rrsig(zone::rrtype::SOA);
  REQUIRE(rrsigs);
  std::string rdata = rrsigs->rdatas.front();
  uint32_t ttl = rrsigs->ttl;
  for (int i = 0; i < 16; ++i) {
    rdata.back() = static_cast<char>(rdata.back() + 1);
    z->add(origin, zone::rrtype::RRSIG, ttl, rdata);
  }
  z->finalize();
  size_t signatures =
      z->find(origin)->find_rrsig(zone::rrtype::SOA)->rdatas.size();
  REQUIRE(signatures == 17);
  ServerFixture fixture;
  fixture.publish(z);

  Query query{kZone};
  query.edns = true;
  query.dnssec_ok = true;
  auto udp = udp_exchange("127.0.0.1", fixture.port, build_query(query));
  REQUIRE(udp);
  CHECK(udp->size() <= transfer::kMaxUdpPayload);
  Message truncated = parse_or_fail(*udp);
  CHECK(truncated.header.tc);
  CHECK(truncated.answers.empty());
  REQUIRE(truncated.edns);
  CHECK(truncated.edns->dnssec_ok);

  TcpClient client("127.0.0.1", fixture.port);
  REQUIRE(client.send(build_query(query)));
  auto tcp = client.read_message();
  REQUIRE(tcp);
  Message full = parse_or_fail(*tcp);
  CHECK_FALSE(full.header.tc);
  CHECK(full.answers.size() == 1 + signatures);
}

}  // namespace signet::testing
