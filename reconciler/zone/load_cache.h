// Results of zone files kept between loads of one tenant's commits.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostic.h"
#include "model/zone_file.h"
#include "zone/load.h"
#include "zone/name.h"

namespace signet::zone {

// The result of loading one zone file, kept so that a later load of the
// same file contents skips reading, parsing, building and checking it.
// Only results of files without errors are kept.
struct CachedZoneFile {
  std::string content_id;  // FileSource::content_id of the file loaded
  // The zone was built under a policy with this `cds` setting. Building
  // reads nothing else of the policy but its name, which appears only in
  // error messages, and a cached file has no errors.
  bool built_with_cds = false;
  // The load's result. A load of the file's next version takes the
  // records of unchanged owners out of `file`, after copying it if a
  // LoadedZone still refers to it.
  std::shared_ptr<model::ZoneFile> file;
  Zone zone;
  std::shared_ptr<const RecordLocations> locations;
  // The file's own diagnostics (warnings only), in the order load_tenant
  // reports them: those of parsing, of building, and of check_zone.
  model::Diagnostics parse_diagnostics;
  model::Diagnostics build_diagnostics;
  model::Diagnostics check_diagnostics;
  // The text and owner blocks of this load, for re-parsing only the
  // changed owners of the file's next version.
  std::shared_ptr<const model::OwnerBlocks> blocks;
  // With `blocks`: the name of each owner of file->records, and the
  // warnings building reported inside each owner block, for building only
  // the changed owners of the next version.
  std::vector<Name> owner_names;
  std::vector<std::pair<size_t, model::Diagnostic>> owner_warnings;
};

// Per-tenant cache of zone file results, kept by the caller between loads
// and passed to load_tenant. Entries are keyed by the file's path in the
// tenant and are valid whatever happens to other files, because every
// check that spans files runs again on each load. Use one LoadCache from
// one thread at a time.
class LoadCache {
 public:
  // Counts of the last load_tenant call that used this cache.
  struct Stats {
    size_t files_reused = 0;   // not read, parsed, built or checked
    size_t files_loaded = 0;   // read and loaded, possibly in part
    size_t owners_reused = 0;  // owner blocks not parsed again
    size_t owners_parsed = 0;  // owner blocks of changed files parsed
    size_t zones_rebuilt = 0;  // built from the previous zone, in part
  };

  // The entry of the file at `path`, or nullptr.
  const CachedZoneFile* find(const std::string& path) const;
  CachedZoneFile* find(const std::string& path);

  // Replaces the entry of the file at `path`.
  void store(const std::string& path, CachedZoneFile entry);

  // Removes the entry of the file at `path`, if any.
  void erase(const std::string& path);

  // Removes the entries of files not in `paths`, such as deleted files.
  void keep_only(const std::set<std::string>& paths);

  size_t size() const { return files_.size(); }
  void clear() { files_.clear(); }

  const Stats& stats() const { return stats_; }
  Stats& mutable_stats() { return stats_; }

 private:
  std::map<std::string, CachedZoneFile> files_;
  Stats stats_;
};

}  // namespace signet::zone
