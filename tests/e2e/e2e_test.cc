// `signet run` end to end: a real Git repository, the built binary, and a
// BIND and a Knot secondary on loopback that follow it by NOTIFY.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "e2e/signet_process.h"
#include "service/tenant_repo.h"
#include "support/secondaries.h"

namespace signet::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kZone = "example.test.";
constexpr const char* kKeyName = "transfer.example.test.";

// The zone's SOA refresh is an hour, so a secondary that catches up within
// this time received the change by NOTIFY.
constexpr auto kNotifyWait = 10s;

std::unique_ptr<Secondary> start_secondary(SecondaryKind kind,
                                           const TestConfig& config) {
  SecondaryConfig sc;
  sc.kind = kind;
  sc.zone = kZone;
  sc.primary_port = config.dns_port();
  sc.tsig_key_name = kKeyName;
  sc.tsig_secret = config.tsig_secret();
  auto secondary = std::make_unique<Secondary>(sc);
  std::string error;
  bool started = secondary->start(&error);
  INFO(error);
  REQUIRE(started);
  return secondary;
}

std::string secondaries_of(uint16_t bind_port, uint16_t knot_port) {
  return fmt::format(
      "secondaries:\n"
      "  bind:\n"
      "    address: 127.0.0.1\n"
      "    port: {}\n"
      "    tsig_key: {}\n"
      "  knot:\n"
      "    address: 127.0.0.1\n"
      "    port: {}\n"
      "    tsig_key: {}\n",
      bind_port, kKeyName, knot_port, kKeyName);
}

// Runs delv against `secondary` for www.example.test A, trusting the
// zone's own DNSKEY with the SEP flag, and returns its output.
std::string validate_with_delv(const Secondary& secondary,
                               const std::filesystem::path& folder) {
  std::string dnskeys;
  run_command({"dig", "@127.0.0.1", "-p", std::to_string(secondary.port()),
               "+short", "+norecurse", kZone, "DNSKEY"},
              &dnskeys);
  std::istringstream lines(dnskeys);
  std::string anchors = "trust-anchors {\n";
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    std::string flags, protocol, algorithm, key, part;
    f >> flags >> protocol >> algorithm;
    while (f >> part) {
      key += part;
    }
    if (flags == "257") {
      anchors += fmt::format("  {} static-key {} {} {} \"{}\";\n", kZone, flags,
                             protocol, algorithm, key);
    }
  }
  anchors += "};\n";
  std::filesystem::path anchor_file = folder / "anchors.conf";
  std::ofstream(anchor_file) << anchors;
  std::string output;
  run_command({"delv", "@127.0.0.1", "-p", std::to_string(secondary.port()),
               "-a", anchor_file.string(), "+root=" + std::string(kZone),
               "www.example.test", "A"},
              &output, 20s);
  return output;
}

}  // namespace

TEST_CASE("commits reach BIND and Knot signed") {
  for (SecondaryKind kind : {SecondaryKind::kBind, SecondaryKind::kKnot}) {
    if (!secondary_installed(kind)) {
      FAIL(secondary_kind_name(kind) + " is not installed");
    }
  }
  TempFolder folder("signet-e2e");
  TenantRepo repo(folder.path() / "repo");
  repo.write("zones/example.test.yaml", zone_yaml("example.test", 2));
  repo.write("secondaries.yaml", secondaries_of(free_port(), free_port()));
  repo.commit("Add example.test");
  TestConfig config(folder.path() / "operator",
                    {{"acme", repo.folder(), {kZone}, kKeyName}});
  SignetProcess signet(config.path(), folder.path() / "signet.log");
  signet.start();
  bool published = signet.wait_for_log("zone published: ", 1, 30s);
  INFO(signet.log());
  REQUIRE(published);

  // The harness picks the secondaries' ports, so the tenant names them in
  // a second commit; it changes no zone data and publishes nothing new.
  auto bind = start_secondary(SecondaryKind::kBind, config);
  auto knot = start_secondary(SecondaryKind::kKnot, config);
  repo.write("secondaries.yaml", secondaries_of(bind->port(), knot->port()));
  repo.commit("Point at the test secondaries");
  REQUIRE(bind->wait_for_serial(1, kNotifyWait));
  REQUIRE(knot->wait_for_serial(1, kNotifyWait));

  SECTION("record committed, broken zone, revert, restart") {
    // A new record arrives on both by NOTIFY, signed and valid.
    repo.write("zones/example.test.yaml",
               zone_yaml("example.test", 2, "  www:\n    A: 192.0.2.80\n"));
    repo.commit("Add www");
    CHECK(bind->wait_for_serial(2, kNotifyWait));
    CHECK(knot->wait_for_serial(2, kNotifyWait));
    for (Secondary* s : {bind.get(), knot.get()}) {
      std::string delv = validate_with_delv(*s, folder.path());
      INFO(s->name() << ": " << delv);
      CHECK(delv.find("; fully validated") != std::string::npos);
      CHECK(delv.find("192.0.2.80") != std::string::npos);
    }

    // A broken commit is rejected; the secondaries keep serial 2.
    repo.write("zones/example.test.yaml",
               zone_yaml("example.test", 2, "  www:\n    A: 192.0.2.300\n"));
    repo.commit("Break www");
    REQUIRE(signet.wait_for_log("commit rejected", 1, kNotifyWait));
    std::string status;
    run_command({signet_binary(), "status", "--config", config.path().string()},
                &status);
    INFO(status);
    CHECK(status.find("zones/example.test.yaml:") != std::string::npos);
    CHECK(bind->soa_serial() == 2u);
    CHECK(knot->soa_serial() == 2u);

    // Reverting to the good version publishes it with a higher serial.
    repo.write("zones/example.test.yaml",
               zone_yaml("example.test", 2, "  www:\n    A: 192.0.2.80\n"));
    repo.commit("Fix www");
    CHECK(bind->wait_for_serial(3, kNotifyWait));
    CHECK(knot->wait_for_serial(3, kNotifyWait));

    // A restart changes nothing the secondaries serve.
    std::optional<std::string> bind_before = bind->dump_zone();
    std::optional<std::string> knot_before = knot->dump_zone();
    CHECK(signet.stop() == 0);
    int publishes = signet.count("zone published: ");
    signet.start();
    REQUIRE(signet.wait_for_log("zone restored", 1, 30s));
    std::this_thread::sleep_for(3s);
    INFO("after restart: " << signet.log());
    CHECK(signet.count("zone published: ") == publishes);
    CHECK(query_serial("127.0.0.1", config.dns_port(), kZone) == 3u);
    CHECK(bind->soa_serial() == 3u);
    CHECK(knot->soa_serial() == 3u);
    CHECK(bind->dump_zone() == bind_before);
    CHECK(knot->dump_zone() == knot_before);
  }
  signet.stop();
}

}  // namespace signet::testing
