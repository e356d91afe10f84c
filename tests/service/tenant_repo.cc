#include "service/tenant_repo.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <fstream>
#include <stdexcept>

#include "support/secondaries.h"

namespace signet::testing {
namespace fs = std::filesystem;

TempFolder::TempFolder(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX"));
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + pattern);
  }
  path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

TenantRepo::TenantRepo(fs::path folder) : folder_(std::move(folder)) {
  fs::create_directories(folder_);
  git({"init", "-q", "-b", "main"});
  git({"config", "user.name", "Test Author"});
  git({"config", "user.email", "author@example.com"});
  git({"config", "commit.gpgsign", "false"});
}

std::string TenantRepo::git(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"git", "-C", folder_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string output;
  int status = run_command(argv, &output);
  if (status != 0) {
    throw std::runtime_error("git " + args.front() + " failed: " + output);
  }
  return output;
}

void TenantRepo::write(const std::string& path, const std::string& text) {
  fs::path file = folder_ / path;
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

void TenantRepo::remove(const std::string& path) {
  fs::remove(folder_ / path);
}

std::string TenantRepo::commit(const std::string& message) {
  git({"add", "-A"});
  git({"commit", "-q", "--allow-empty", "-m", message});
  std::string id = git({"rev-parse", "HEAD"});
  return id.substr(0, 40);
}

std::string TenantRepo::revert(const std::string& id) {
  git({"revert", "--no-edit", id});
  return git({"rev-parse", "HEAD"}).substr(0, 40);
}

std::string zone_yaml(const std::string& zone, int names,
                      const std::string& extra) {
  std::string out = fmt::format(
      "zone: {}\n"
      "ttl: 3600\n"
      "soa:\n"
      "  primary: ns1.{}.\n"
      "  contact: hostmaster@{}\n"
      "  refresh: 3600\n"
      "records:\n"
      "  '@':\n"
      "    NS: [ns1.{}., ns2.{}.]\n"
      "  ns1:\n"
      "    A: 192.0.2.1\n"
      "  ns2:\n"
      "    A: 192.0.2.2\n",
      zone, zone, zone, zone, zone);
  for (int i = 0; i < names; ++i) {
    out += fmt::format("  host{}:\n    A: 198.51.{}.{}\n", i, (i / 250) % 250,
                       i % 250 + 1);
  }
  return out + extra;
}

std::string secondaries_yaml(const std::string& name,
                             const std::string& address, uint16_t port,
                             const std::string& tsig_key_name) {
  return fmt::format(
      "secondaries:\n"
      "  {}:\n"
      "    address: {}\n"
      "    port: {}\n"
      "    tsig_key: {}\n",
      name, address, port, tsig_key_name);
}

}  // namespace signet::testing
