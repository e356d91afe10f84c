// Building a zone from its parsed YAML file.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "model/diagnostic.h"
#include "model/policy.h"
#include "model/zone_file.h"
#include "zone/checks.h"
#include "zone/name.h"
#include "zone/rrset.h"
#include "zone/zone.h"

namespace signet::zone {

// Positions of the RRsets of a built zone in its YAML file, for messages.
class RecordLocations {
 public:
  // Records an RRset's position; a later one for the same RRset wins. All
  // positions must be in one file.
  void set(const Name& owner, RrType type, const model::Location& location);

  // Sets where an owner name is reported when it has no position yet.
  void set_owner(const Name& owner, const model::Location& location);

  // Sorts what set() and set_owner() gathered, for quick lookups.
  void seal();

  // The RRset's position; falls back to the owner's, then to the zone
  // key's, when the RRset is not in the file (the SOA, for one).
  model::Location find(const Name& owner, RrType type) const;

  // A zone::SourceMap for zone::check_zone. It refers to this object,
  // which must outlive it.
  SourceMap source_map() const;

  void set_fallback(model::Location location) {
    fallback_ = std::move(location);
  }

  // A range of lines of an earlier version of the file, whose positions
  // move by `delta` lines or are dropped.
  struct LineMove {
    int first = 0;  // 1-based, as in model::Location
    int end = 0;    // one past the last line
    bool dropped = false;
    int delta = 0;
  };

  // The positions of a new version of a file: those of `previous`, moved
  // or dropped by `moves` (sorted ranges that do not overlap, outside of
  // which positions stay), and those of `added`. No owner of `added` may have a
  // position in `previous` that is kept. Both must be sealed. Costs one
  // pass over the positions, where setting them all again and sealing
  // sorts them.
  static RecordLocations moved(const RecordLocations& previous,
                               const std::vector<LineMove>& moves,
                               const RecordLocations& added);

 private:
  // A position under a 64-bit hash of the owner (and type), with line
  // and column only, because every position of one zone is in the same
  // file. Keeping no names makes a million-record zone's positions cost
  // 16 MB instead of hundreds, and copies cheap. Two names with the same
  // hash would only mix up the line a message points to.
  struct Entry {
    uint64_t key = 0;
    int line = 0;
    int column = 0;
    uint32_t order = 0;  // position among the entries set, for ties
    bool operator<(const Entry& other) const {
      return key < other.key || (key == other.key && order < other.order);
    }
  };

  static uint64_t owner_key(const Name& owner);
  static uint64_t rrset_key(const Name& owner, RrType type);
  // Returns the entry for `key`: the first of equal keys, or the last.
  static const Entry* lookup(const std::vector<Entry>& entries, bool sealed,
                             uint64_t key, bool last);

  model::Location at(const Entry& entry) const;

  std::vector<Entry> rrsets_;
  std::vector<Entry> owners_;
  bool sealed_ = true;
  std::string file_;
  model::Location fallback_;
};

// Builds the zone `file` describes: the SOA from its settings with serial
// 0, then every record. Names, types, TTLs and RDATA are checked here and
// every problem goes to `diagnostics` at its YAML position. DNSSEC records
// the signer makes (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, and CDS and
// CDNSKEY when `policy` publishes them) are rejected. Returns the
// finalized zone, or nullopt when the zone name itself is invalid. A zone
// is returned even when records were dropped, so callers must check
// diagnostics.has_errors(). Semantic checks are zone::check_zone's job.
std::optional<Zone> build_zone(const model::ZoneFile& file,
                               const model::Policy& policy,
                               model::Diagnostics& diagnostics,
                               RecordLocations* locations = nullptr);

}  // namespace signet::zone
