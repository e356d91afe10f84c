// Runs the built `signet` binary, as CI does.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace signet::model {
namespace {

namespace fs = std::filesystem;
using test::data_path;
using test::TempDir;

struct RunResult {
  int exit_code = -1;
  std::string output;  // standard output only
};

// Runs `command` through the shell in `dir` and collects its output.
RunResult run(const std::string& command, const fs::path& dir) {
  std::string full = "cd '" + dir.string() + "' && " + command + " 2>/dev/null";
  RunResult result;
  FILE* pipe = popen(full.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    result.output.append(buffer, n);
  }
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

RunResult validate(const std::string& arguments, const fs::path& dir) {
  return run(std::string("'") + SIGNET_BINARY + "' validate " + arguments, dir);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

const fs::path kTenants = data_path("validate/tenant");

TEST_CASE("validate exits 0 on a clean tenant", "[cli]") {
  RunResult r = validate("good", kTenants);
  CHECK(r.exit_code == 0);
  CHECK(r.output == "good: valid, 2 zone(s), 0 warning(s)\n");
}

TEST_CASE("validate text output and exit 1", "[cli]") {
  RunResult r = validate("unknown-secondary", kTenants);
  CHECK(r.exit_code == 1);
  CHECK(lines(r.output) ==
        std::vector<std::string>{
            "unknown-secondary/zones/example.com.yaml:2:20: error: secondary "
            "'ns9' is not defined in secondaries.yaml; defined secondaries "
            "are ns1",
            "unknown-secondary: invalid, 1 error(s), 0 warning(s)"});
}

TEST_CASE("validate reports every problem in one run", "[cli]") {
  TempDir tenant;
  tenant.write("zones/a.example.yaml", "zone: a.example\ntll: 1\n");
  tenant.write("zones/b.example.yaml",
               "zone: b.example\nrecords:\n  www:\n    A: 1.2.3\n");
  tenant.write("policies/p.yaml", "algorithm: DSA\n");
  RunResult r = validate(".", tenant.path());
  CHECK(r.exit_code == 1);
  std::vector<std::string> output = lines(r.output);
  REQUIRE_FALSE(output.empty());
  CHECK(output.back().rfind(".: invalid, ", 0) == 0);
  CHECK(r.output.find("zones/a.example.yaml:2:1: error: unknown key 'tll'") !=
        std::string::npos);
  CHECK(r.output.find("zones/b.example.yaml:4:8: error: A address '1.2.3'") !=
        std::string::npos);
  CHECK(r.output.find("policies/p.yaml:1:12: error: algorithm DSA must not") !=
        std::string::npos);
}

TEST_CASE("validate rejects a second path", "[cli]") {
  RunResult r = validate("unknown-key.yaml duplicate-key.yaml",
                         data_path("validate/zone"));
  CHECK(r.exit_code == 2);
}

TEST_CASE("validate one zone file", "[cli]") {
  RunResult r = validate("ttl-unknown-unit.yaml", data_path("validate/zone"));
  CHECK(r.exit_code == 1);
  CHECK(lines(r.output).at(0) ==
        "ttl-unknown-unit.yaml:2:6: error: ttl '1y' is invalid: unknown "
        "unit 'y'; write seconds (3600) or a number with a unit s, m, h, d "
        "or w (1h, 2d, 1h30m)");
}

TEST_CASE("validate zone file by absolute path", "[cli]") {
  fs::path file =
      fs::path(data_path("validate/zone")) / "ttl-unknown-unit.yaml";
  TempDir elsewhere;
  RunResult r = validate("'" + file.string() + "'", elsewhere.path());
  CHECK(r.exit_code == 1);
  CHECK(lines(r.output).at(0).rfind(file.string() + ":2:6: error: ttl '1y'",
                                    0) == 0);
}

TEST_CASE("validate JSON output", "[cli]") {
  RunResult r = validate("--format json unknown-policy", kTenants);
  CHECK(r.exit_code == 1);
  nlohmann::json doc = nlohmann::json::parse(r.output);
  CHECK(doc["valid"] == false);
  CHECK(doc["errors"] == 1);
  CHECK(doc["warnings"] == 0);
  REQUIRE(doc["diagnostics"].size() == 1);
  const nlohmann::json& d = doc["diagnostics"][0];
  CHECK(d["file"] == "unknown-policy/zones/example.com.yaml");
  CHECK(d["line"] == 2);
  CHECK(d["column"] == 9);
  CHECK(d["severity"] == "error");
  CHECK(d["message"] ==
        "policy 'strict' is not defined; add policies/strict.yaml or use one "
        "of default and relaxed");

  RunResult good = validate("--format json good", kTenants);
  CHECK(good.exit_code == 0);
  nlohmann::json ok = nlohmann::json::parse(good.output);
  CHECK(ok["valid"] == true);
  CHECK(ok["zones"] == nlohmann::json::array({"example.com.", "example.net."}));
}

TEST_CASE("validate GitHub annotations", "[cli]") {
  RunResult r = validate("--format github zone-file-name-mismatch", kTenants);
  CHECK(r.exit_code == 1);
  CHECK(r.output ==
        "::error file=zone-file-name-mismatch/zones/example.org.yaml,line=1,"
        "col=7::zone example.com. is in zones/example.org.yaml, but a zone "
        "file must be named after its zone; rename the file to "
        "zones/example.com.yaml or fix 'zone:'\n");
  RunResult warning = validate("--format github duplicate-record.yaml",
                               data_path("validate/zone"));
  CHECK(warning.exit_code == 0);
  CHECK(warning.output.rfind(
            "::warning file=duplicate-record.yaml,line=6,col=20::", 0) == 0);
}

TEST_CASE("validate usage and I/O errors exit 2", "[cli]") {
  CHECK(validate("does-not-exist", kTenants).exit_code == 2);
  CHECK(validate("--format xml good", kTenants).exit_code == 2);
  CHECK(validate("--config signet.yaml good", kTenants).exit_code == 2);
  CHECK(validate("--config signet.yaml --tenant nobody", kTenants).exit_code ==
        2);
  CHECK(validate("--config missing.yaml --tenant good", kTenants).exit_code ==
        2);
  CHECK(validate("", kTenants).exit_code == 2);
  CHECK(validate("--rev HEAD .", fs::temp_directory_path()).exit_code == 2);
}

TEST_CASE("validate with operator config", "[cli]") {
  RunResult allowed =
      validate("--config signet.yaml --tenant zone-not-allowed", kTenants);
  CHECK(allowed.exit_code == 1);
  CHECK(lines(allowed.output).at(0) ==
        "zone-not-allowed/zones/example.org.yaml:1:7: error: zone "
        "example.org. is not allowed for this tenant; allowed zones are "
        "example.edu. and example.info.");
  CHECK(validate("--config signet.yaml --tenant good", kTenants).exit_code ==
        0);
}

TEST_CASE("validate reads a Git revision", "[cli][git]") {
  TempDir repo;
  fs::copy(kTenants / "good", repo.path(), fs::copy_options::recursive);
  const char* git =
      "git -c user.name=Signet -c user.email=signet@example.com "
      "-c init.defaultBranch=main -c commit.gpgsign=false";
  REQUIRE(run(std::string(git) + " init -q . && " + git + " add -A && " + git +
                  " commit -q -m good",
              repo.path())
              .exit_code == 0);

  // Break the zone in the working tree only: the folder is invalid, the
  // committed revision is still valid.
  repo.write("zones/example.net.yaml", "zone: example.net\nttl: 1y\n");
  CHECK(validate(".", repo.path()).exit_code == 1);
  RunResult head = validate("--rev HEAD .", repo.path());
  CHECK(head.exit_code == 0);
  CHECK(head.output == ".@HEAD: valid, 2 zone(s), 0 warning(s)\n");

  REQUIRE(
      run(std::string(git) + " commit -q -am broken", repo.path()).exit_code ==
      0);
  RunResult broken = validate("--rev HEAD --format github .", repo.path());
  CHECK(broken.exit_code == 1);
  CHECK(broken.output.find(
            "::error file=zones/example.net.yaml,line=2,col=6::") !=
        std::string::npos);
  CHECK(validate("--rev HEAD~1 .", repo.path()).exit_code == 0);
  CHECK(validate("--rev no-such-branch .", repo.path()).exit_code == 2);
}

}  // namespace
}  // namespace signet::model
