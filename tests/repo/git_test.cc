// Tests against real repositories made with the git command line.
#include "repo/git.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace signet::repo;
namespace fs = std::filesystem;

namespace {

// A temporary folder holding a repository built commit by commit.
class Fixture {
 public:
  Fixture() {
    root_ = fs::temp_directory_path() /
            ("signet-git-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter_++));
    fs::create_directories(root_ / "work");
    git("init -q -b main");
  }
  ~Fixture() { fs::remove_all(root_); }

  fs::path root() const { return root_; }
  std::string work() const { return (root_ / "work").string(); }

  void git(const std::string& args) const {
    std::string command = "cd '" + work() +
                          "' && git -c user.name=Tester "
                          "-c user.email=tester@example.com " +
                          args + " >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }

  void write(const std::string& path, const std::string& text) const {
    fs::create_directories((root_ / "work" / path).parent_path());
    std::ofstream(root_ / "work" / path) << text;
  }

  // Commits everything with a fixed author time so tests can check it.
  void commit(const std::string& message, long time) const {
    git("add -A");
    std::string date = std::to_string(time) + " +0000";
    std::string command = "cd '" + work() + "' && GIT_AUTHOR_DATE='" + date +
                          "' GIT_COMMITTER_DATE='" + date +
                          "' git -c user.name=Tester "
                          "-c user.email=tester@example.com commit -q -m '" +
                          message + "' >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }

 private:
  fs::path root_;
  static inline int counter_ = 0;
};

// Three commits: the first adds two zones, the second changes one, the
// third adds a policy. Tagged v1 at the first.
void build_history(const Fixture& f) {
  f.write("tenant/zones/a.example.yaml", "zone: a.example\n");
  f.write("tenant/zones/b.example.yaml", "zone: b.example\n");
  f.commit("Add two zones", 1700000000);
  f.git("tag v1");
  f.write("tenant/zones/a.example.yaml", "zone: a.example\nttl: 60\n");
  f.commit("Lower the TTL of a.example\n\nFor a migration.", 1700000100);
  f.write("tenant/policies/fast.yaml", "algorithm: ECDSAP256SHA256\n");
  f.commit("Add a policy", 1700000200);
}

}  // namespace

TEST_CASE("repository resolves revisions", "[repo]") {
  Fixture f;
  build_history(f);
  Repository repo = Repository::open(f.work());

  std::string head = repo.resolve("HEAD");
  CHECK(head.size() == 40);
  CHECK(repo.resolve("main") == head);
  CHECK(repo.resolve(head.substr(0, 8)) == head);
  CHECK(repo.resolve("v1") == repo.resolve("HEAD~2"));
  CHECK(repo.branch_commit("main") == head);
  CHECK_FALSE(repo.branch_commit("nope"));
  CHECK_THROWS_WITH(repo.resolve("no-such-branch"),
                    Catch::Contains("revision 'no-such-branch' not found"));
}

TEST_CASE("repository reports commit metadata", "[repo]") {
  Fixture f;
  build_history(f);
  Repository repo = Repository::open(f.work());

  CommitInfo info = repo.commit_info("HEAD~1");
  CHECK(info.author_name == "Tester");
  CHECK(info.author_email == "tester@example.com");
  CHECK(info.time == 1700000100);
  CHECK(info.summary() == "Lower the TTL of a.example");
  CHECK(info.message == "Lower the TTL of a.example\n\nFor a migration.\n");
}

TEST_CASE("git source reads a tree without checkout", "[repo]") {
  Fixture f;
  build_history(f);
  Repository repo = Repository::open(f.work());

  GitSource old(repo, "v1", "tenant");
  CHECK(old.read("zones/a.example.yaml") == "zone: a.example\n");
  CHECK_FALSE(old.read("policies/fast.yaml"));
  CHECK_FALSE(old.read("zones"));
  CHECK(old.list("zones") ==
        std::vector<std::string>{"a.example.yaml", "b.example.yaml"});
  CHECK(old.list("") == std::vector<std::string>{});
  CHECK(old.list("missing").empty());
  CHECK(old.commit_id() == repo.resolve("v1"));
  CHECK(old.describe() ==
        repo.path() + "@" + old.commit_id().substr(0, 12) + ":tenant");

  GitSource now(repo, "main", "tenant/");
  CHECK(now.read("zones/a.example.yaml") == "zone: a.example\nttl: 60\n");
  CHECK(now.list("policies") == std::vector<std::string>{"fast.yaml"});

  CHECK_THROWS_WITH(GitSource(repo, "main", "other"),
                    Catch::Contains("folder 'other' not found"));
  CHECK_THROWS_WITH(GitSource(repo, "main", "tenant/zones/a.example.yaml"),
                    Catch::Contains("is not a folder"));
}

TEST_CASE("history lists commits that changed a path", "[repo]") {
  Fixture f;
  build_history(f);
  Repository repo = Repository::open(f.work());

  auto zone_a = repo.history("HEAD", "tenant/zones/a.example.yaml");
  REQUIRE(zone_a.size() == 2);
  CHECK(zone_a[0].summary() == "Lower the TTL of a.example");
  CHECK(zone_a[1].summary() == "Add two zones");

  auto zone_b = repo.history("HEAD", "tenant/zones/b.example.yaml");
  REQUIRE(zone_b.size() == 1);
  CHECK(zone_b[0].summary() == "Add two zones");

  CHECK(repo.history("HEAD", "").size() == 3);
  CHECK(repo.history("HEAD", "tenant/", 2).size() == 2);
  CHECK(repo.history("HEAD", "nowhere").empty());
}

TEST_CASE("bare repository opens", "[repo]") {
  Fixture f;
  build_history(f);
  std::string bare = (f.root() / "bare.git").string();
  REQUIRE(std::system(("git clone -q --bare '" + f.work() + "' '" + bare +
                       "' >/dev/null 2>&1")
                          .c_str()) == 0);
  Repository repo = Repository::open(bare);
  GitSource source(repo, "main", "tenant");
  CHECK(source.read("zones/b.example.yaml") == "zone: b.example\n");
  CHECK_THROWS_AS(Repository::open((f.root() / "none").string()), GitError);
}

TEST_CASE("file URL is mirrored and fetched", "[repo]") {
  Fixture f;
  build_history(f);
  std::string url = "file://" + f.work();
  std::string cache = (f.root() / "cache").string();

  Repository mirror = Repository::open_remote(url, cache);
  std::string first = mirror.resolve("main");
  CHECK(mirror.resolve("HEAD") == first);
  CHECK(first == Repository::open(f.work()).resolve("main"));
  CHECK(mirror.resolve("v1") == Repository::open(f.work()).resolve("v1"));
  CHECK(mirror.remote_url() == url);

  f.write("tenant/zones/c.example.yaml", "zone: c.example\n");
  f.commit("Add c.example", 1700000300);
  CHECK(mirror.branch_commit("main") == first);
  // The remote already has the new commit; the mirror has it after fetch.
  std::string remote_head = *mirror.remote_branch_commit("main");
  CHECK(remote_head != first);
  CHECK_FALSE(mirror.remote_branch_commit("nope"));
  mirror.fetch();
  std::string second = *mirror.branch_commit("main");
  CHECK(second != first);
  CHECK(second == remote_head);
  CHECK(GitSource(mirror, second, "tenant").list("zones").size() == 3);

  // Opening the cache again reuses it.
  Repository again = Repository::open_any(url, cache);
  CHECK(again.branch_commit("main") == second);
}

TEST_CASE("remote URLs are told from paths", "[repo]") {
  CHECK(is_remote_url("https://git.example.com/tenant.git"));
  CHECK(is_remote_url("ssh://git@git.example.com/tenant.git"));
  CHECK(is_remote_url("git://git.example.com/tenant.git"));
  CHECK(is_remote_url("file:///srv/git/tenant.git"));
  CHECK(is_remote_url("git@git.example.com:tenant.git"));
  CHECK_FALSE(is_remote_url("/srv/git/tenant.git"));
  CHECK_FALSE(is_remote_url("relative/path"));
  CHECK_FALSE(is_remote_url("./a@b:c"));
}
