#include "service/watcher.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "service/tenant_repo.h"

namespace signet::service {
namespace {

bool wait_until(const std::atomic<int>& count, int at_least) {
  for (int i = 0; i < 500; ++i) {
    if (count.load() >= at_least) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE("ref watcher sees commit") {
  testing::TempFolder folder;
  testing::TenantRepo repo(folder.path() / "repo");
  repo.write("a.txt", "1\n");
  repo.commit("First");
  std::atomic<int> changes{0};
  RefWatcher watcher;
  watcher.add(local_git_dir(repo.folder().string()), "main",
              [&changes] { changes++; });
  watcher.start();

  repo.write("a.txt", "2\n");
  repo.commit("Second");
  CHECK(wait_until(changes, 1));
  watcher.stop();
}

TEST_CASE("ref watcher sees packed refs") {
  testing::TempFolder folder;
  testing::TenantRepo repo(folder.path() / "repo");
  repo.write("a.txt", "1\n");
  repo.commit("First");
  std::atomic<int> changes{0};
  RefWatcher watcher;
  watcher.add(local_git_dir(repo.folder().string()), "main",
              [&changes] { changes++; });
  watcher.start();

  repo.git({"pack-refs", "--all"});
  CHECK(wait_until(changes, 1));
  watcher.stop();
}

TEST_CASE("local git dir of paths and urls") {
  testing::TempFolder folder;
  testing::TenantRepo repo(folder.path() / "repo");
  CHECK(local_git_dir(repo.folder().string()) ==
        (repo.folder() / ".git").string());
  CHECK(local_git_dir("https://git.example/acme.git").empty());
  CHECK(local_git_dir("file:///srv/acme.git").empty());
  CHECK(local_git_dir("git@git.example:acme.git").empty());
  CHECK(local_git_dir((folder.path() / "missing").string()).empty());
}

}  // namespace signet::service
