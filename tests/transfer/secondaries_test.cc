// Real secondaries (BIND, Knot, NSD, PowerDNS) on loopback: each gets the
// signed zone by AXFR after NOTIFY, the next version by IXFR where it
// supports it, serves a zone that validates, and gets nothing with a wrong
// TSIG secret.
#include "support/secondaries.h"

#include <catch2/catch.hpp>
#include <thread>

#include "fixture.h"

namespace signet::testing {
namespace {

using namespace std::chrono_literals;

const std::string kZone = "example.test.";

// SOA refresh in the test zones is an hour, so a change that arrives
// within this time arrived because of NOTIFY.
constexpr auto kNotifyDeadline = 15s;

std::optional<transfer::SecondaryStatus> status_of(
    const transfer::Server& server, const zone::Name& origin,
    const std::string& name) {
  for (const auto& status : server.secondary_status(origin)) {
    if (status.name == name) {
      return status;
    }
  }
  return std::nullopt;
}

// Waits until the server has written a transfer of `serial` to the
// secondary and returns its type ("AXFR" or "IXFR").
std::string wait_for_transfer(const transfer::Server& server,
                              const zone::Name& origin, uint32_t serial) {
  for (int i = 0; i < 100; ++i) {
    auto status = status_of(server, origin, "good");
    if (status && status->serial_served == serial) {
      return status->last_transfer_type;
    }
    std::this_thread::sleep_for(50ms);
  }
  return "";
}

void check_validates(const Secondary& secondary, const SignedVersions& zones,
                     const std::string& folder) {
  std::string error;
  auto dump = secondary.dump_zone(&error);
  INFO(error);
  REQUIRE(dump);
  std::string path = folder + "/" + secondary.name() + ".dump";
  write_text_file(path, *dump);

  std::string output;
  int rc = run_command(
      {"ldns-verify-zone", "-k", zones.signer->ksk_file(), path}, &output);
  INFO("ldns-verify-zone: " << output);
  CHECK(rc == 0);

  std::string anchor = zones.signer->trust_anchor_file();
  std::string port = std::to_string(secondary.port());
  rc = run_command({"delv", "-a", anchor, "+root=" + kZone, "@127.0.0.1", "-p",
                    port, "host-new." + kZone, "A"},
                   &output, 20s);
  INFO("delv host-new: " << output);
  CHECK(rc == 0);
  CHECK(output.find("; fully validated") != std::string::npos);
  CHECK(output.find("203.0.113.7") != std::string::npos);

  rc = run_command({"delv", "-a", anchor, "+root=" + kZone, "@127.0.0.1", "-p",
                    port, "absent." + kZone, "A"},
                   &output, 20s);
  INFO("delv absent: " << output);
  CHECK(output.find("; negative response, fully validated") !=
        std::string::npos);
}

void run_secondary(SecondaryKind kind) {
  if (!secondary_installed(kind)) {
    FAIL(secondary_kind_name(kind) << " is not installed");
  }
  SignedVersions zones;
  auto origin = zones.versions[0]->origin();
  transfer::ServerOptions options;
  options.listen = {{"127.0.0.1", 0}};
  options.notify_retry_initial_ms = 500;
  options.soa_poll_interval_ms = 1000;
  ServerFixture fixture(options);

  SecondaryConfig config;
  config.kind = kind;
  config.zone = kZone;
  config.primary_port = fixture.port;
  config.tsig_key_name = fixture.key.name;
  config.tsig_secret = fixture.key.secret;
  Secondary good(config);
  config.tsig_secret = random_secret();
  Secondary wrong_key(config);
  std::vector<transfer::SecondaryPeer> peers = {
      {"good", "127.0.0.1", good.port(), fixture.key.name, "127.0.0.1"},
      {"wrong-key", "127.0.0.1", wrong_key.port(), fixture.key.name,
       "127.0.0.1"},
  };

  // Version 1 is published before the secondaries start, because BIND 9.18
  // backs off for minutes after a refused first SOA query. It arrives by
  // AXFR.
  fixture.publish(zones.versions[0], {}, peers);
  std::string error;
  if (!good.start(&error)) {
    FAIL(error);
  }
  if (!wrong_key.start(&error)) {
    FAIL(error);
  }
  // Failures show the daemon's log as it was when the check failed.
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) {
      FAIL_CHECK(what << "\n" << good.name() << " log:\n" << good.log_tail());
    }
    return ok;
  };

  expect(good.wait_for_serial(1, kNotifyDeadline), "serial 1 not served");
  std::string type = wait_for_transfer(*fixture.server, origin, 1);
  expect(type == "AXFR", "first transfer was '" + type + "', not AXFR");

  // Version 2 arrives by IXFR, except on PowerDNS 4.7, which transfers a
  // zone it marked presigned by AXFR only.
  fixture.publish(zones.versions[1], {zones.journal[0]}, peers);
  auto started = std::chrono::steady_clock::now();
  if (!expect(good.wait_for_serial(2, kNotifyDeadline),
              "serial 2 not served")) {
    return;
  }
  CHECK(std::chrono::steady_clock::now() - started < kNotifyDeadline);
  std::string expected = kind == SecondaryKind::kPowerDns ? "AXFR" : "IXFR";
  type = wait_for_transfer(*fixture.server, origin, 2);
  expect(type == expected, "second transfer was '" + type + "'");

  auto status = status_of(*fixture.server, origin, "good");
  REQUIRE(status);
  CHECK(status->last_notify_ack != 0);
  CHECK(status->last_notify_serial == 2);
  for (int i = 0;
       i < 60 && !status_of(*fixture.server, origin, "good")->in_sync; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  expect(status_of(*fixture.server, origin, "good")->in_sync,
         "SOA polls never saw serial 2");

  check_validates(good, zones, zones.folder.path());

  // The secondary with the wrong secret was sent NOTIFY too, and has
  // nothing.
  if (wrong_key.soa_serial()) {
    FAIL_CHECK("secondary with the wrong key has the zone:\n"
               << wrong_key.log_tail());
  }
  auto refused = status_of(*fixture.server, origin, "wrong-key");
  REQUIRE(refused);
  CHECK(refused->last_notify_ack == 0);
}

}  // namespace

TEST_CASE("secondary BIND transfers, validates, rejects wrong key") {
  run_secondary(SecondaryKind::kBind);
}

TEST_CASE("secondary Knot transfers, validates, rejects wrong key") {
  run_secondary(SecondaryKind::kKnot);
}

TEST_CASE("secondary NSD transfers, validates, rejects wrong key") {
  run_secondary(SecondaryKind::kNsd);
}

TEST_CASE("secondary PowerDNS transfers, validates, rejects wrong key") {
  run_secondary(SecondaryKind::kPowerDns);
}

}  // namespace signet::testing
