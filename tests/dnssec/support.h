// Helpers shared by the DNSSEC and key-management tests: reading master
// files with ldns, writing signed zones, and running real validators.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "dnssec/key_store.h"
#include "dnssec/zone_signing.h"
#include "zone/zone.h"

namespace signet::testing {

// A fresh folder under the system temp folder, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Path of a file under tests/data.
std::filesystem::path test_data(const std::string& relative);

// Reads a master file with ldns into a finalized zone. Fails the test
// (throws) when ldns rejects it.
zone::Zone read_zone(const std::filesystem::path& path,
                     const std::string& origin);

// Parses master-file text (with absolute names) into a finalized zone.
zone::Zone parse_zone(const std::string& text, const std::string& origin);

// Writes every record of `zone` as a master file, SOA first.
std::string zone_text(const zone::Zone& zone);

// Output of a command and its exit status.
struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr together
};
CommandResult run_command(const std::string& command);

// Writes `zone` to `folder` and runs ldns-verify-zone on it, validating
// at `when` (a Unix time), and dnssec-verify when `when` is about now. Returns
// "" when both accept the zone, else the failing command and its output.
std::string verify_zone(const zone::Zone& zone,
                        const std::filesystem::path& folder, int64_t when);

}  // namespace signet::testing
