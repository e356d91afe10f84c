// Test helpers: temporary folders and real Git repositories holding a
// tenant's YAML files, committed with the git command.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace signet::testing {

// A fresh folder under the system temporary folder, removed on
// destruction.
class TempFolder {
 public:
  explicit TempFolder(const std::string& prefix = "signet-service");
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A Git repository with a working tree on branch "main". Every method
// throws std::runtime_error with git's output when git fails.
class TenantRepo {
 public:
  explicit TenantRepo(std::filesystem::path folder);

  const std::filesystem::path& folder() const { return folder_; }

  // Writes a file (path relative to the repository root).
  void write(const std::string& path, const std::string& text);
  void remove(const std::string& path);

  // Commits every change and returns the new commit id.
  std::string commit(const std::string& message);

  // Reverts the commit `id` with a new commit and returns its id.
  std::string revert(const std::string& id);

  // Runs git with `args` in the repository and returns its output.
  std::string git(const std::vector<std::string>& args) const;

 private:
  std::filesystem::path folder_;
};

// The YAML of a zone with an SOA, two NS names with glue, `names` A
// records named host0..host<names-1> and `extra` appended under records:.
std::string zone_yaml(const std::string& zone, int names,
                      const std::string& extra = "");

// secondaries.yaml naming one secondary at `address`:`port` with TSIG key
// `tsig_key_name`.
std::string secondaries_yaml(const std::string& name,
                             const std::string& address, uint16_t port,
                             const std::string& tsig_key_name);

}  // namespace signet::testing
