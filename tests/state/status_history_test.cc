// Runs `signet status` and `signet history` on a real state database.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "state/store.h"
#include "test_zones.h"

namespace signet::state {
namespace {

using testing::make_rr;
using testing::make_zone;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_signet(const std::string& arguments) {
  std::string command = std::string(SIGNET_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  CommandResult result;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    result.output.append(buffer, n);
  }
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A config with tenants acme (example.test.) and beta (other.test.) and a
// state folder where acme published three versions.
class StateFixture {
 public:
  StateFixture() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "signet-status-XXXXXX")
            .string();
    dir_ = ::mkdtemp(pattern.data());
    config_ = dir_ + "/signet.yaml";
    std::ofstream(config_) << "state_dir: state\n"
                              "tenants:\n"
                              "  - name: acme\n"
                              "    repository: acme-zones\n"
                              "    allowed_zones: [example.test.]\n"
                              "  - name: beta\n"
                              "    repository: beta-zones\n"
                              "    allowed_zones: [other.test.]\n";
  }
  ~StateFixture() { std::filesystem::remove_all(dir_); }

  void publish_three_versions() {
    ManualClock clock(1796342400);  // 2026-12-04 00:00:00 UTC
    Store store(dir_ + "/state", clock);
    zone::Zone v1 = make_zone(2026120400, 1);
    zone::Zone v2 = make_zone(2026120401, 2);
    zone::Zone v3 = make_zone(2026120402, 2);
    v3.insert(make_rr("@", zone::rrtype::RRSIG,
                      "NS 13 2 300 20261220000000 20261201000000 1 "
                      "example.test. AAAA"));
    zone::ZoneDiff d2 = zone::diff_zones(v1, v2);
    zone::ZoneDiff d3 = zone::diff_zones(v2, v3);
    CommitInfo c1{"1111111111111111111111111111111111111111", "Ada", 1796340000,
                  "Create the zone\n"};
    CommitInfo c2{"2222222222222222222222222222222222222222", "Bob", 1796341000,
                  "Add host1\n\nFor the new web server.\n"};
    store.record_publish({"acme", &v1, nullptr, c1, 0});
    clock.advance(60);
    store.record_publish({"acme", &v2, &d2, c2, 0});
    clock.advance(60);
    store.record_publish({"acme", &v3, &d3, c2, 1797724800, "refresh"});
    store.record_rejection(
        {"acme", "example.test.", "3333333333333333333333333333333333333333",
         "zones/example.test.yaml:7:5", "CNAME and other data at www"});
    store.record_rejection({"beta", "",
                            "4444444444444444444444444444444444444444", "",
                            "repository not found"});
    store.record_secondary_state({"acme", *zone::Name::parse("example.test."),
                                  "bind", 2026120402u, 1796342500, 1796342501,
                                  true});
    store.record_secondary_state({"acme", *zone::Name::parse("example.test."),
                                  "knot", 2026120401u, 1796342500, 1796342400,
                                  false});
  }

  const std::string& config() const { return config_; }

 private:
  std::string dir_;
  std::string config_;
};

TEST_CASE("status text output", "[status]") {
  StateFixture f;
  f.publish_three_versions();
  CommandResult r = run_signet("status --config " + f.config());
  CAPTURE(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output ==
        "tenant beta: last rejected commit 444444444444 at 2026-12-04 "
        "00:02:00 UTC: repository not found\n"
        "acme example.test.\n"
        "  published: serial 2026120402, commit 222222222222, at 2026-12-04 "
        "00:02:00 UTC\n"
        "  signatures expire: 2026-12-20 00:00:00 UTC\n"
        "  last rejected commit: 333333333333 at 2026-12-04 00:02:00 UTC: "
        "zones/example.test.yaml:7:5: CNAME and other data at www\n"
        "  secondaries:\n"
        "    secondary bind: in sync (serves 2026120402)\n"
        "    secondary knot: not in sync (serves 2026120401, behind)\n"
        "beta other.test.\n"
        "  published: none\n");
}

TEST_CASE("status JSON output", "[status]") {
  StateFixture f;
  f.publish_three_versions();
  CommandResult r =
      run_signet("status --config " + f.config() + " --format json");
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.output);
  REQUIRE(doc["zones"].size() == 2);
  const nlohmann::json& acme = doc["zones"][0];
  CHECK(acme["tenant"] == "acme");
  CHECK(acme["published"]["serial"] == 2026120402u);
  CHECK(acme["published"]["signature_expiry"] == 1797724800);
  CHECK(acme["last_rejection"]["reason"] == "CNAME and other data at www");
  CHECK(acme["secondaries"][1]["in_sync"] == false);
  CHECK(doc["zones"][1]["published"].is_null());
  CHECK(doc["tenant_rejections"][0]["tenant"] == "beta");
}

TEST_CASE("status without state", "[status]") {
  StateFixture f;
  CommandResult r = run_signet("status --config " + f.config());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("signet.db not found"));
}

TEST_CASE("status with invalid config", "[status]") {
  StateFixture f;
  std::ofstream(f.config()) << "tenants:\n  - name: acme\n";
  CommandResult r = run_signet("status --config " + f.config());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("has no repository"));
}

TEST_CASE("history lists versions and diffs", "[history]") {
  StateFixture f;
  f.publish_three_versions();
  CommandResult r =
      run_signet("history --config " + f.config() + " example.test");
  CAPTURE(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output ==
        "tenant acme zone example.test.\n\n"
        "serial 2026120402  commit 2222222222222222222222222222222222222222  "
        "published 2026-12-04 00:02:00 UTC\n"
        "  author: Bob, 2026-12-03 23:36:40 UTC\n"
        "  reason: refresh\n"
        "    Add host1\n"
        "    \n"
        "    For the new web server.\n"
        "  changes:\n"
        "    (DNSSEC records: 0 removed, 1 added; --dnssec shows them)\n\n"
        "serial 2026120401  commit 2222222222222222222222222222222222222222  "
        "published 2026-12-04 00:01:00 UTC\n"
        "  author: Bob, 2026-12-03 23:36:40 UTC\n"
        "    Add host1\n"
        "    \n"
        "    For the new web server.\n"
        "  changes:\n"
        "    + host1.example.test.\t300\tIN\tA\t198.51.100.2\n\n"
        "serial 2026120400  commit 1111111111111111111111111111111111111111  "
        "published 2026-12-04 00:00:00 UTC\n"
        "  author: Ada, 2026-12-03 23:20:00 UTC\n"
        "    Create the zone\n"
        "  changes: not in the journal (first version, or pruned)\n\n");
}

TEST_CASE("history shows DNSSEC records on request", "[history]") {
  StateFixture f;
  f.publish_three_versions();
  CommandResult r =
      run_signet("history --config " + f.config() +
                 " --tenant acme --limit 1 --dnssec example.test.");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output,
             Catch::Contains("    + example.test.\t300\tIN\tRRSIG\tNS 13 "
                             "2 300 20261220000000"));
  CHECK(r.output.find("serial 2026120401") == std::string::npos);
}

TEST_CASE("history of an unknown zone", "[history]") {
  StateFixture f;
  f.publish_three_versions();
  CommandResult r =
      run_signet("history --config " + f.config() + " nowhere.test.");
  CHECK(r.exit_code == 2);
  CHECK(r.output ==
        "signet: error: no tenant has zone nowhere.test.; check the zone name "
        "or pass --tenant\n");
  CommandResult unpublished =
      run_signet("history --config " + f.config() + " other.test.");
  CHECK(unpublished.exit_code == 0);
  CHECK(unpublished.output ==
        "tenant beta zone other.test.: no published version\n");
}

}  // namespace
}  // namespace signet::state
