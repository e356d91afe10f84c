// Record-level change sets between two versions of a tenant's zones, as
// `signet plan` shows them on a pull request.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "zone/name.h"
#include "zone/rrset.h"
#include "zone/zone.h"

namespace signet::zone {

enum class ChangeKind { kAdded, kRemoved, kChanged };

// "added", "removed" or "changed".
const char* change_kind_name(ChangeKind kind);

// One RRset that differs between the base and the head: added (only
// `after`), removed (only `before`) or changed in TTL or records (both).
struct RrsetChange {
  Name owner;
  RrType type = 0;
  ChangeKind kind = ChangeKind::kChanged;
  std::optional<Rrset> before;
  std::optional<Rrset> after;
};

// The change to one zone. For an added or removed zone, `changes` is
// empty and `rrset_count` is the size of the zone that exists.
struct ZonePlan {
  Name origin;
  ChangeKind kind = ChangeKind::kChanged;
  std::vector<RrsetChange> changes;
  size_t rrset_count = 0;
};

struct Plan {
  std::string base;  // the revisions compared, as given or resolved
  std::string head;
  std::vector<ZonePlan> zones;  // only zones that change, by origin

  bool empty() const { return zones.empty(); }
};

// The RRsets that differ between two finalized zones with the same origin,
// in canonical order.
std::vector<RrsetChange> diff_rrsets(const Zone& base, const Zone& head);

// Compares two sets of zones by origin. Either side may be empty; a zone
// present on one side only is added or removed.
Plan make_plan(const std::vector<const Zone*>& base,
               const std::vector<const Zone*>& head);

// Renders a plan for a terminal: one line per record, prefixed with '+'
// or '-'.
std::string format_plan_text(const Plan& plan);

// Renders a plan as Markdown for a pull-request comment: a summary line,
// then per zone a fenced diff block, cut after `max_rrsets_per_zone`
// changed RRsets so the comment stays readable.
std::string format_plan_markdown(const Plan& plan,
                                 size_t max_rrsets_per_zone = 100);

}  // namespace signet::zone
