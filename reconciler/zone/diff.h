// Differences between two versions of a zone, as IXFR carries them.
#pragma once

#include <cstdint>
#include <vector>

#include "zone/rrset.h"
#include "zone/zone.h"

namespace signet::zone {

// The change from one zone version to the next (RFC 1995 section 4): the
// records removed (the old SOA first) and the records added (the new SOA
// first). A TTL change counts as removal and addition.
struct ZoneDiff {
  uint32_t from_serial = 0;
  uint32_t to_serial = 0;
  std::vector<Rr> removed;
  std::vector<Rr> added;

  bool empty() const { return removed.empty() && added.empty(); }
};

// Computes the difference between two finalized zones with the same
// origin by walking both in canonical order. Linear in the zone size.
ZoneDiff diff_zones(const Zone& from, const Zone& to);

// Applies `diff` to `zone` (finalized). Returns false, leaving the zone
// partly changed, when a removed record is absent or an added one present.
bool apply_diff(Zone& zone, const ZoneDiff& diff);

}  // namespace signet::zone
