// Kills a publishing process at many points and checks, after each kill,
// that the state database reopens consistent.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "state/serial.h"
#include "state/store.h"
#include "test_zones.h"

extern char** environ;

namespace signet::state {
namespace {

using testing::crash_zone;
using testing::records;

const zone::Name kOrigin = *zone::Name::parse("example.test.");

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "signet-crash-XXXXXX")
            .string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Starts crash_publisher with `fault` (empty for none) in its environment.
pid_t start_publisher(const std::string& state_dir, long count,
                      const std::string& fault) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("SIGNET_STATE_FAULT=", 0) != 0) {
      env.emplace_back(*e);
    }
  }
  if (!fault.empty()) {
    env.push_back("SIGNET_STATE_FAULT=" + fault);
  }
  std::vector<char*> envp;
  for (std::string& e : env) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  std::string binary = CRASH_PUBLISHER;
  std::string count_text = std::to_string(count);
  std::string dir = state_dir;
  char* argv[] = {binary.data(), dir.data(), count_text.data(), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv,
                      envp.data()) == 0);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

// Reopens the store and checks every invariant a restart relies on.
// Returns the newest serial, or 0 before the first publish.
uint32_t check_consistent(const std::string& state_dir, uint32_t last_seen) {
  ManualClock clock(0);
  Store store(state_dir, clock, StoreOptions{.journal_depth = 5});
  std::optional<Version> latest = store.latest_version("t1", kOrigin);
  if (!latest) {
    REQUIRE(last_seen == 0);
    return 0;
  }
  // No serial regression.
  REQUIRE_FALSE(serial_lt(latest->serial, last_seen));

  // The snapshot rebuilds exactly the newest version.
  std::shared_ptr<zone::Zone> snapshot = store.zone_snapshot("t1", kOrigin);
  REQUIRE(snapshot);
  REQUIRE(snapshot->serial() == latest->serial);
  REQUIRE(records(*snapshot) == records(crash_zone(latest->serial)));

  // History: one version per serial, in order, each with its own commit.
  std::vector<Version> history = store.history("t1", kOrigin);
  REQUIRE(history.size() == latest->serial);
  for (size_t i = 0; i < history.size(); ++i) {
    uint32_t serial = latest->serial - static_cast<uint32_t>(i);
    REQUIRE(history[i].serial == serial);
    REQUIRE(history[i].commit.id == "commit" + std::to_string(serial));
  }

  // Journal: consecutive diffs ending at the newest serial, none lost or
  // repeated, each equal to the real difference.
  std::vector<zone::ZoneDiff> journal = store.journal("t1", kOrigin);
  REQUIRE(journal.size() == std::min<size_t>(5, latest->serial - 1));
  for (size_t i = 0; i < journal.size(); ++i) {
    const zone::ZoneDiff& diff = journal[i];
    REQUIRE(diff.to_serial == diff.from_serial + 1);
    if (i > 0) {
      REQUIRE(diff.from_serial == journal[i - 1].to_serial);
    }
    zone::ZoneDiff expected = zone::diff_zones(crash_zone(diff.from_serial),
                                               crash_zone(diff.to_serial));
    REQUIRE(diff.removed == expected.removed);
    REQUIRE(diff.added == expected.added);
  }
  if (!journal.empty()) {
    REQUIRE(journal.back().to_serial == latest->serial);
  }

  // One audit entry per publish.
  size_t publishes = 0;
  for (const AuditEntry& e : store.audit_log()) {
    publishes += e.event == "publish" ? 1 : 0;
  }
  REQUIRE(publishes == history.size());
  return latest->serial;
}

TEST_CASE("crash at each publish step", "[state][crash]") {
  TempDir dir;
  uint32_t serial = 0;
  const char* steps[] = {"begin", "version", "snapshot",
                         "prune", "audit",   "committed"};
  // Several rounds, so kills also land on later versions: after snapshot
  // rewrites, and once pruning removes diffs.
  for (int round = 0; round < 4; ++round) {
    for (const char* step : steps) {
      CAPTURE(round, step);
      // Each publisher first publishes one version cleanly, then dies.
      REQUIRE(wait_for(start_publisher(dir.path(), 1, "")) == 0);
      serial = check_consistent(dir.path(), serial);
      uint32_t before = serial;

      int status = wait_for(start_publisher(dir.path(), 3, step));
      REQUIRE(WIFSIGNALED(status));
      REQUIRE(WTERMSIG(status) == SIGKILL);
      serial = check_consistent(dir.path(), serial);
      // A kill after COMMIT keeps the version, any earlier one drops it.
      CHECK(serial == before + (std::string(step) == "committed" ? 1 : 0));
    }
  }
}

TEST_CASE("crash at random moments", "[state][crash]") {
  TempDir dir;
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> delay_us(0, 40000);
  uint32_t serial = 0;
  for (int kill_round = 0; kill_round < 25; ++kill_round) {
    int delay = delay_us(random);
    CAPTURE(kill_round, delay);
    pid_t pid = start_publisher(dir.path(), 1000000, "");
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    ::kill(pid, SIGKILL);
    int status = wait_for(pid);
    // The publisher never exits on its own before a million publishes.
    REQUIRE(WIFSIGNALED(status));
    serial = check_consistent(dir.path(), serial);
  }
  // The kills should not all have landed before the first publish.
  CHECK(serial > 0);
}

}  // namespace
}  // namespace signet::state
