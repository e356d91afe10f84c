// Kills `signet run` with SIGKILL at different points of a publish and
// checks after each restart that the primary serves the newest commit
// and that its serial never went back.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <thread>

#include "e2e/signet_process.h"
#include "service/tenant_repo.h"
#include "support/secondaries.h"

namespace signet::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kZone = "crash.test.";
constexpr const char* kKeyName = "transfer.crash.test.";

std::string zone_with_marker(int version) {
  return zone_yaml(
      "crash.test", 200,
      fmt::format("  marker:\n    TXT: \"version {}\"\n", version));
}

// The zone transferred from the primary, as dig prints it.
std::string transfer(const TestConfig& config) {
  std::string output;
  run_command(
      {"dig", "@127.0.0.1", "-p", std::to_string(config.dns_port()), "-y",
       std::string("hmac-sha256:") + kKeyName + ":" +
           encode_secret(config.tsig_secret()),
       kZone, "AXFR"},
      &output, 10s);
  return output;
}

// Waits until the primary serves the marker of `version`.
bool wait_for_marker(const TestConfig& config, int version) {
  std::string marker = fmt::format("\"version {}\"", version);
  for (int i = 0; i < 200; ++i) {
    if (transfer(config).find(marker) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

}  // namespace

TEST_CASE("crash restart keeps newest serial") {
  TempFolder folder("signet-crash");
  TenantRepo repo(folder.path() / "repo");
  repo.write("zones/crash.test.yaml", zone_with_marker(0));
  repo.write("secondaries.yaml",
             secondaries_yaml("probe", "127.0.0.1", free_port(), kKeyName));
  repo.commit("Add crash.test");
  TestConfig config(folder.path() / "operator",
                    {{"acme", repo.folder(), {kZone}, kKeyName}});
  SignetProcess signet(config.path(), folder.path() / "signet.log");
  signet.start();
  REQUIRE(wait_for_marker(config, 0));
  uint32_t highest = query_serial("127.0.0.1", config.dns_port(), kZone);
  REQUIRE(highest > 0);

  // Delays after the commit at which the process dies: before the ref
  // event is seen, while loading, signing, recording and publishing.
  const int delays_ms[] = {0, 5, 20, 50, 100, 200, 400, 800};
  int version = 0;
  for (int delay : delays_ms) {
    ++version;
    INFO("kill " << delay << " ms after commit of version " << version);
    repo.write("zones/crash.test.yaml", zone_with_marker(version));
    repo.commit(fmt::format("Set version {}", version));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    signet.kill();

    signet.start();
    CHECK(wait_for_marker(config, version));
    uint32_t serial = query_serial("127.0.0.1", config.dns_port(), kZone);
    CHECK(serial >= highest);
    highest = std::max(highest, serial);
  }
  signet.stop();
  INFO(signet.log());
  CHECK(signet.count("zone published: ") >= version);
}

}  // namespace signet::testing
