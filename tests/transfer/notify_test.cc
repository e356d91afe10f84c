// NOTIFY and SOA polls as a secondary receives them. A UDP socket on
// loopback acts as the secondary, checks signatures and chooses when to
// answer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "dns_client.h"
#include "fixture.h"
#include "support/secondaries.h"
#include "transfer/message.h"

namespace signet::testing {
namespace {

using namespace std::chrono_literals;

// A bound UDP socket receiving what the primary sends.
class FakeSecondary {
 public:
  explicit FakeSecondary(const std::string& address = "127.0.0.1") {
    port_ = free_port(address);
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in where{};
    where.sin_family = AF_INET;
    where.sin_port = htons(port_);
    inet_pton(AF_INET, address.c_str(), &where.sin_addr);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&where), sizeof where) == 0);
  }
  ~FakeSecondary() { close(fd_); }

  uint16_t port() const { return port_; }

  struct Received {
    std::string wire;
    sockaddr_in from;
  };

  std::optional<Received> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
      return std::nullopt;
    }
    char buffer[65536];
    Received received{};
    socklen_t length = sizeof received.from;
    ssize_t n = recvfrom(fd_, buffer, sizeof buffer, 0,
                         reinterpret_cast<sockaddr*>(&received.from), &length);
    received.wire.assign(buffer, static_cast<size_t>(n));
    return received;
  }

  // Sends a signed NOERROR answer echoing the question, with an SOA of
  // `serial` in the answer section when given.
  void answer(const Received& request, const transfer::TsigKey& key,
              std::optional<uint32_t> serial = std::nullopt) {
    transfer::Message message = parse_or_fail(request.wire);
    std::string wire;
    transfer::MessageWriter writer(wire, 512);
    transfer::Header header = message.header;
    header.qr = true;
    header.aa = true;
    writer.set_header(header);
    const auto& q = message.questions.at(0);
    writer.add_question(q.name, q.type, q.qclass);
    if (serial) {
      std::string rdata = std::string("\0\0", 2);
      for (int shift = 24; shift >= 0; shift -= 8) {
        rdata.push_back(static_cast<char>((*serial >> shift) & 0xff));
      }
      rdata.append(16, '\0');
      writer.add_record(transfer::MessageWriter::Section::kAnswer, q.name,
                        zone::rrtype::SOA, zone::kClassIn, 3600, rdata);
    }
    writer.finish();
    auto record = transfer::parse_tsig_rdata(request.wire.substr(
        message.tsig->rdata_offset, message.tsig->rdata_length));
    transfer::TsigSigner signer(
        key, *transfer::tsig_algorithm_from_name(key.algorithm), record->mac,
        SystemClock::instance());
    signer.sign(wire);
    sendto(fd_, wire.data(), wire.size(), 0,
           reinterpret_cast<const sockaddr*>(&request.from),
           sizeof request.from);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Waits for a message with `opcode` (NOTIFY or QUERY), skipping others.
std::optional<FakeSecondary::Received> receive_opcode(
    FakeSecondary& secondary, uint8_t opcode,
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto received = secondary.receive(100ms);
    if (received && transfer::parse_header(received->wire)->opcode == opcode) {
      return received;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("NOTIFY is signed, retried until acknowledged, then tracked") {
  SignedVersions zones;
  transfer::ServerOptions options;
  options.notify_retry_initial_ms = 200;
  options.soa_poll_interval_ms = 0;
  ServerFixture fixture(options);
  FakeSecondary secondary;
  fixture.publish(
      zones.versions[0], {},
      {{"fake", "127.0.0.1", secondary.port(), fixture.key.name, "127.0.0.1"}});

  auto first = receive_opcode(secondary, transfer::opcode::kNotify, 2s);
  REQUIRE(first);
  transfer::Message notify = parse_or_fail(first->wire);
  CHECK(notify.header.aa);
  REQUIRE(notify.questions.size() == 1);
  CHECK(notify.questions[0].name == zones.versions[0]->origin());
  CHECK(notify.questions[0].type == zone::rrtype::SOA);
  REQUIRE(notify.tsig);
  CHECK(transfer::verify_tsig_request(first->wire, notify.tsig->offset,
                                      std::vector{fixture.key},
                                      SystemClock::instance().now())
            .status == transfer::TsigStatus::kValid);
  // Sent from the listening socket: the address and port secondaries know.
  CHECK(ntohs(first->from.sin_port) == fixture.port);

  // Not answered: the server tries again.
  auto retry = receive_opcode(secondary, transfer::opcode::kNotify, 2s);
  REQUIRE(retry);
  secondary.answer(*retry, fixture.key);

  auto origin = zones.versions[0]->origin();
  std::vector<transfer::SecondaryStatus> status;
  for (int i = 0; i < 100; ++i) {
    status = fixture.server->secondary_status(origin);
    if (status.at(0).last_notify_ack != 0) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  CHECK(status.at(0).last_notify_ack != 0);
  CHECK(status.at(0).last_notify_serial == 1);
  CHECK(status.at(0).notify_attempts == 2);
  CHECK_FALSE(receive_opcode(secondary, transfer::opcode::kNotify, 800ms));

  // A new serial starts a new round.
  fixture.publish(
      zones.versions[1], {zones.journal[0]},
      {{"fake", "127.0.0.1", secondary.port(), fixture.key.name, "127.0.0.1"}});
  auto next = receive_opcode(secondary, transfer::opcode::kNotify, 2s);
  REQUIRE(next);
  transfer::Message second = parse_or_fail(next->wire);
  REQUIRE(second.answers.size() == 1);
  CHECK(transfer::read_soa_serial(next->wire, second.answers[0]) == 2u);
}

TEST_CASE("NOTIFY gives up after the attempt limit") {
  SignedVersions zones;
  transfer::ServerOptions options;
  options.notify_retry_initial_ms = 50;
  options.notify_max_attempts = 3;
  options.soa_poll_interval_ms = 0;
  ServerFixture fixture(options);
  FakeSecondary secondary;
  fixture.publish(
      zones.versions[0], {},
      {{"fake", "127.0.0.1", secondary.port(), fixture.key.name, ""}});
  int received = 0;
  while (receive_opcode(secondary, transfer::opcode::kNotify, 1500ms)) {
    ++received;
  }
  CHECK(received == 3);
  auto status = fixture.server->secondary_status(zones.versions[0]->origin());
  CHECK(status.at(0).notify_attempts == 3);
  CHECK(status.at(0).last_notify_ack == 0);
}

TEST_CASE("SOA polls record the secondary's serial") {
  SignedVersions zones;
  transfer::ServerOptions options;
  options.soa_poll_interval_ms = 300;
  ServerFixture fixture(options);
  FakeSecondary secondary;
  fixture.publish(
      zones.versions[1], {zones.journal[0]},
      {{"fake", "127.0.0.1", secondary.port(), fixture.key.name, ""}});
  auto origin = zones.versions[1]->origin();

  auto poll = receive_opcode(secondary, transfer::opcode::kQuery, 2s);
  REQUIRE(poll);
  transfer::Message query = parse_or_fail(poll->wire);
  CHECK(query.tsig);
  CHECK(query.questions.at(0).type == zone::rrtype::SOA);
  secondary.answer(*poll, fixture.key, 1u);
  std::vector<transfer::SecondaryStatus> status;
  for (int i = 0; i < 100; ++i) {
    status = fixture.server->secondary_status(origin);
    if (status.at(0).secondary_serial) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  CHECK(status.at(0).secondary_serial == 1u);
  CHECK_FALSE(status.at(0).in_sync);
  CHECK(status.at(0).last_poll != 0);

  // An answer signed with another key is ignored.
  poll = receive_opcode(secondary, transfer::opcode::kQuery, 2s);
  REQUIRE(poll);
  transfer::TsigKey other{fixture.key.name, "hmac-sha256", random_secret()};
  secondary.answer(*poll, other, 2u);
  std::this_thread::sleep_for(200ms);
  CHECK(fixture.server->secondary_status(origin).at(0).secondary_serial == 1u);

  poll = receive_opcode(secondary, transfer::opcode::kQuery, 2s);
  REQUIRE(poll);
  secondary.answer(*poll, fixture.key, 2u);
  for (int i = 0; i < 100; ++i) {
    status = fixture.server->secondary_status(origin);
    if (status.at(0).in_sync) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  CHECK(status.at(0).secondary_serial == 2u);
  CHECK(status.at(0).in_sync);
}

}  // namespace signet::testing
