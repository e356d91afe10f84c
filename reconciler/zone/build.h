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
  // Records an RRset's position. All positions must be in one file.
  void set(const Name& owner, RrType type, const model::Location& location);

  // Sets where an owner name is reported when it has no position yet.
  void set_owner(const Name& owner, const model::Location& location);

  // The RRset's position; falls back to the owner's, then to the zone
  // key's, when the RRset is not in the file (the SOA, for one).
  model::Location find(const Name& owner, RrType type) const;

  // A zone::SourceMap for zone::check_zone. It refers to this object,
  // which must outlive it.
  SourceMap source_map() const;

  void set_fallback(model::Location location) {
    fallback_ = std::move(location);
  }

 private:
  // Positions are kept as line and column only, because every position
  // of one zone is in the same file: a copy of the file name per record
  // would dominate the memory of a large zone.
  struct Position {
    int line = 0;
    int column = 0;
  };
  struct RrsetKeyHash {
    size_t operator()(const std::pair<Name, RrType>& key) const {
      return NameHash()(key.first) * 31 + key.second;
    }
  };

  model::Location at(Position position) const;

  std::unordered_map<std::pair<Name, RrType>, Position, RrsetKeyHash> rrsets_;
  std::unordered_map<Name, Position, NameHash> owners_;
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
