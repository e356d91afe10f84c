// Runs the built `signet plan` on real Git repositories.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A tenant repository in a temporary folder, built commit by commit.
class TenantRepo {
 public:
  TenantRepo() {
    root_ = fs::temp_directory_path() /
            ("signet-plan-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter_++));
    fs::create_directories(root_ / "repo");
    shell("git init -q -b main");
  }
  ~TenantRepo() { fs::remove_all(root_); }

  std::string path() const { return (root_ / "repo").string(); }

  void shell(const std::string& command) const {
    std::string full = "cd '" + path() + "' && " + command + " >/dev/null 2>&1";
    REQUIRE(std::system(full.c_str()) == 0);
  }

  void write(const std::string& file, const std::string& text) const {
    fs::create_directories((root_ / "repo" / file).parent_path());
    std::ofstream(root_ / "repo" / file) << text;
  }

  void remove(const std::string& file) const {
    fs::remove(root_ / "repo" / file);
  }

  void commit(const std::string& message) const {
    shell(
        "git add -A && git -c user.name=Tester "
        "-c user.email=tester@example.com commit -q -m '" +
        message + "'");
  }

  Result signet(const std::string& args) const {
    fs::path out = root_ / "stdout";
    fs::path err = root_ / "stderr";
    std::string command = std::string(SIGNET_BINARY) + " " + args + " >'" +
                          out.string() + "' 2>'" + err.string() + "'";
    int status = std::system(command.c_str());
    return Result{WEXITSTATUS(status), slurp(out), slurp(err)};
  }

 private:
  fs::path root_;
  static inline int counter_ = 0;
};

const char* kZoneV1 =
    "zone: example.com\n"
    "ttl: 300\n"
    "soa:\n"
    "  primary: ns1.example.com.\n"
    "  contact: hostmaster@example.com\n"
    "records:\n"
    "  \"@\":\n"
    "    NS: ns1\n"
    "  ns1:\n"
    "    A: 192.0.2.53\n"
    "  www:\n"
    "    A: [192.0.2.1, 192.0.2.2]\n"
    "  old:\n"
    "    TXT: retired\n";

const char* kZoneV2 =
    "zone: example.com\n"
    "ttl: 300\n"
    "soa:\n"
    "  primary: ns1.example.com.\n"
    "  contact: hostmaster@example.com\n"
    "records:\n"
    "  \"@\":\n"
    "    NS: ns1\n"
    "    MX: 10 mail\n"
    "  ns1:\n"
    "    A: 192.0.2.53\n"
    "  mail:\n"
    "    A: 192.0.2.25\n"
    "  www:\n"
    "    A: [192.0.2.1, 192.0.2.3]\n";

const char* kOtherZone =
    "zone: example.net\n"
    "ttl: 600\n"
    "soa:\n"
    "  primary: ns1.example.com.\n"
    "  contact: hostmaster@example.com\n"
    "records:\n"
    "  \"@\":\n"
    "    NS: ns1.example.com.\n";

// Three commits: v1 of example.com plus example.net; v2 of example.com
// with example.net removed; then a head with a CNAME at the apex.
void build(const TenantRepo& repo) {
  repo.write("tenant/zones/example.com.yaml", kZoneV1);
  repo.write("tenant/zones/example.net.yaml", kOtherZone);
  repo.commit("First version");
  repo.shell("git tag v1");
  repo.write("tenant/zones/example.com.yaml", kZoneV2);
  repo.remove("tenant/zones/example.net.yaml");
  repo.commit("Add mail, renumber www, drop example.net");
  repo.shell("git tag v2");
  std::string broken = kZoneV2;
  broken.replace(broken.find("    MX: 10 mail\n"), 0,
                 "    CNAME: elsewhere.example.\n");
  repo.write("tenant/zones/example.com.yaml", broken);
  repo.commit("Break the zone");
}

}  // namespace

TEST_CASE("plan lists RRset changes as text", "[plan]") {
  TenantRepo repo;
  build(repo);
  Result r =
      repo.signet("plan --base v1 --head v2 --subfolder tenant " + repo.path());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("zone example.com.: 2 RRsets added, 1 removed, 1 changed") !=
        std::string::npos);
  CHECK(r.out.find("zone example.net.: zone removed with 2 RRsets") !=
        std::string::npos);
  CHECK(r.out.find("+ example.com.\t300\tIN\tMX\t10 mail.example.com.\n") !=
        std::string::npos);
  CHECK(r.out.find("+ mail.example.com.\t300\tIN\tA\t192.0.2.25\n") !=
        std::string::npos);
  CHECK(r.out.find("- old.example.com.\t300\tIN\tTXT\t\"retired\"\n") !=
        std::string::npos);
  CHECK(r.out.find("- www.example.com.\t300\tIN\tA\t192.0.2.2\n") !=
        std::string::npos);
  CHECK(r.out.find("+ www.example.com.\t300\tIN\tA\t192.0.2.3\n") !=
        std::string::npos);
  // Unchanged records of a changed RRset are not listed.
  CHECK(r.out.find("192.0.2.1\n") == std::string::npos);
}

TEST_CASE("plan renders markdown and json", "[plan]") {
  TenantRepo repo;
  build(repo);
  Result md = repo.signet(
      "plan --base v1 --head v2 --subfolder tenant "
      "--format markdown " +
      repo.path());
  CHECK(md.exit_code == 0);
  CHECK(md.out.rfind("### Signet plan\n", 0) == 0);
  CHECK(md.out.find("**`example.com.`**: 2 RRsets added, 1 removed, 1 "
                    "changed\n\n```diff\n") != std::string::npos);

  Result js = repo.signet(
      "plan --base v1 --head v2 --subfolder tenant "
      "--format json " +
      repo.path());
  REQUIRE(js.exit_code == 0);
  auto doc = nlohmann::json::parse(js.out);
  REQUIRE(doc["zones"].size() == 2);
  CHECK(doc["zones"][0]["zone"] == "example.com.");
  CHECK(doc["zones"][0]["change"] == "changed");
  CHECK(doc["zones"][1]["zone"] == "example.net.");
  CHECK(doc["zones"][1]["change"] == "removed");
  bool found_www = false;
  for (const auto& change : doc["zones"][0]["changes"]) {
    if (change["owner"] == "www.example.com.") {
      found_www = true;
      CHECK(change["change"] == "changed");
      CHECK(change["before"]["records"] ==
            nlohmann::json::array({"192.0.2.1", "192.0.2.2"}));
      CHECK(change["after"]["records"] ==
            nlohmann::json::array({"192.0.2.1", "192.0.2.3"}));
    }
  }
  CHECK(found_www);
}

TEST_CASE("plan without changes exits 0", "[plan]") {
  TenantRepo repo;
  build(repo);
  Result r =
      repo.signet("plan --base v2 --head v2 --subfolder tenant " + repo.path());
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("No changes between v2 (", 0) == 0);
}

TEST_CASE("plan with an invalid head exits 1", "[plan]") {
  TenantRepo repo;
  build(repo);
  Result r = repo.signet("plan --base v2 --subfolder tenant " + repo.path());
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("CNAME at the zone apex example.com.") != std::string::npos);
  CHECK(r.err.find("is invalid: ") != std::string::npos);
}

TEST_CASE("plan with a bad revision exits 2", "[plan]") {
  TenantRepo repo;
  build(repo);
  Result r = repo.signet("plan --base nowhere " + repo.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("revision 'nowhere' not found") != std::string::npos);

  Result usage = repo.signet("plan " + repo.path());
  CHECK(usage.exit_code == 2);
}

TEST_CASE("plan mirrors a file URL", "[plan]") {
  TenantRepo repo;
  build(repo);
  std::string cache = repo.path() + "-cache";
  Result r =
      repo.signet("plan --base v1 --head v2 --subfolder tenant --cache " +
                  cache + " file://" + repo.path());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("zone example.net.: zone removed") != std::string::npos);
  fs::remove_all(cache);
}

TEST_CASE("plan shows zones added since the base", "[plan]") {
  TenantRepo repo;
  build(repo);
  // Before v1 the tenant folder did not exist.
  repo.shell(
      "git checkout -q --orphan empty && git rm -rq --cached . && "
      "git -c user.name=Tester -c user.email=tester@example.com "
      "commit -q --allow-empty -m Empty && git tag empty && "
      "git checkout -q -f main");
  Result r = repo.signet("plan --base empty --head v1 --subfolder tenant " +
                         repo.path());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("zone example.com.: zone added with 5 RRsets") !=
        std::string::npos);
}
