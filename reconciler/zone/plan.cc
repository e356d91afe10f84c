#include "zone/plan.h"

#include <algorithm>
#include <map>

#include "zone/rdata.h"

namespace signet::zone {

namespace {

size_t count_rrsets(const Zone& zone) {
  size_t count = 0;
  for (const Node& node : zone.nodes()) {
    count += node.rrsets.size();
  }
  return count;
}

// Compares the RRsets of one owner present on both sides.
void diff_node(const Node& base, const Node& head,
               std::vector<RrsetChange>& out) {
  auto b = base.rrsets.begin();
  auto h = head.rrsets.begin();
  while (b != base.rrsets.end() || h != head.rrsets.end()) {
    if (h == head.rrsets.end() ||
        (b != base.rrsets.end() && b->type < h->type)) {
      out.push_back({base.name, b->type, ChangeKind::kRemoved, *b, {}});
      ++b;
    } else if (b == base.rrsets.end() || h->type < b->type) {
      out.push_back({head.name, h->type, ChangeKind::kAdded, {}, *h});
      ++h;
    } else {
      if (b->ttl != h->ttl || b->rdatas != h->rdatas) {
        out.push_back({head.name, h->type, ChangeKind::kChanged, *b, *h});
      }
      ++b;
      ++h;
    }
  }
}

void add_whole_node(const Node& node, ChangeKind kind,
                    std::vector<RrsetChange>& out) {
  for (const Rrset& rrset : node.rrsets) {
    if (kind == ChangeKind::kAdded) {
      out.push_back({node.name, rrset.type, kind, {}, rrset});
    } else {
      out.push_back({node.name, rrset.type, kind, rrset, {}});
    }
  }
}

size_t count_kind(const ZonePlan& zone, ChangeKind kind) {
  return static_cast<size_t>(
      std::count_if(zone.changes.begin(), zone.changes.end(),
                    [kind](const RrsetChange& c) { return c.kind == kind; }));
}

std::string plural(size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

std::string zone_summary(const ZonePlan& zone) {
  if (zone.kind == ChangeKind::kAdded) {
    return "zone added with " + plural(zone.rrset_count, "RRset");
  }
  if (zone.kind == ChangeKind::kRemoved) {
    return "zone removed with " + plural(zone.rrset_count, "RRset");
  }
  return std::to_string(count_kind(zone, ChangeKind::kAdded)) +
         " RRsets added, " +
         std::to_string(count_kind(zone, ChangeKind::kRemoved)) + " removed, " +
         std::to_string(count_kind(zone, ChangeKind::kChanged)) + " changed";
}

// "-" and "+" lines for one RRset change; records present on both sides
// of a changed RRset with the same TTL are left out.
void append_change_lines(const RrsetChange& change, std::string& out) {
  auto line = [&](char sign, const Rrset& rrset, const std::string& rdata) {
    out += sign;
    out += ' ';
    out += format_rr(Rr{change.owner, rrset.type, rrset.ttl, rdata});
    out += '\n';
  };
  bool same_ttl =
      change.before && change.after && change.before->ttl == change.after->ttl;
  auto in = [](const Rrset* rrset, const std::string& rdata) {
    return rrset != nullptr && std::binary_search(rrset->rdatas.begin(),
                                                  rrset->rdatas.end(), rdata);
  };
  const Rrset* before = change.before ? &*change.before : nullptr;
  const Rrset* after = change.after ? &*change.after : nullptr;
  if (before != nullptr) {
    for (const std::string& rdata : before->rdatas) {
      if (!same_ttl || !in(after, rdata)) {
        line('-', *before, rdata);
      }
    }
  }
  if (after != nullptr) {
    for (const std::string& rdata : after->rdatas) {
      if (!same_ttl || !in(before, rdata)) {
        line('+', *after, rdata);
      }
    }
  }
}

}  // namespace

const char* change_kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded:
      return "added";
    case ChangeKind::kRemoved:
      return "removed";
    case ChangeKind::kChanged:
      return "changed";
  }
  return "changed";
}

std::vector<RrsetChange> diff_rrsets(const Zone& base, const Zone& head) {
  std::vector<RrsetChange> out;
  auto b = base.nodes().begin();
  auto h = head.nodes().begin();
  while (b != base.nodes().end() || h != head.nodes().end()) {
    if (h == head.nodes().end() ||
        (b != base.nodes().end() && b->name < h->name)) {
      add_whole_node(*b++, ChangeKind::kRemoved, out);
    } else if (b == base.nodes().end() || h->name < b->name) {
      add_whole_node(*h++, ChangeKind::kAdded, out);
    } else {
      diff_node(*b++, *h++, out);
    }
  }
  return out;
}

Plan make_plan(const std::vector<const Zone*>& base,
               const std::vector<const Zone*>& head) {
  std::map<Name, std::pair<const Zone*, const Zone*>> by_origin;
  for (const Zone* zone : base) {
    by_origin[zone->origin()].first = zone;
  }
  for (const Zone* zone : head) {
    by_origin[zone->origin()].second = zone;
  }
  Plan plan;
  for (const auto& [origin, sides] : by_origin) {
    ZonePlan zone{origin, ChangeKind::kChanged, {}, 0};
    if (sides.first == nullptr) {
      zone.kind = ChangeKind::kAdded;
      zone.rrset_count = count_rrsets(*sides.second);
    } else if (sides.second == nullptr) {
      zone.kind = ChangeKind::kRemoved;
      zone.rrset_count = count_rrsets(*sides.first);
    } else {
      zone.changes = diff_rrsets(*sides.first, *sides.second);
      zone.rrset_count = count_rrsets(*sides.second);
      if (zone.changes.empty()) {
        continue;
      }
    }
    plan.zones.push_back(std::move(zone));
  }
  return plan;
}

std::string format_plan_text(const Plan& plan) {
  if (plan.empty()) {
    return "No changes between " + plan.base + " and " + plan.head + ".\n";
  }
  std::string out = "Changes from " + plan.base + " to " + plan.head + ":\n";
  for (const ZonePlan& zone : plan.zones) {
    out += "\nzone " + zone.origin.text() + ": " + zone_summary(zone) + "\n";
    for (const RrsetChange& change : zone.changes) {
      append_change_lines(change, out);
    }
  }
  return out;
}

std::string format_plan_markdown(const Plan& plan, size_t max_rrsets_per_zone) {
  std::string out = "### Signet plan\n\n";
  out += "Comparing `" + plan.base + "` to `" + plan.head + "`.\n\n";
  if (plan.empty()) {
    return out + "No DNS changes.\n";
  }
  for (const ZonePlan& zone : plan.zones) {
    out += "**`" + zone.origin.text() + "`**: " + zone_summary(zone) + "\n\n";
    if (zone.changes.empty()) {
      continue;
    }
    out += "```diff\n";
    size_t shown = std::min(zone.changes.size(), max_rrsets_per_zone);
    for (size_t i = 0; i < shown; ++i) {
      append_change_lines(zone.changes[i], out);
    }
    out += "```\n";
    if (shown < zone.changes.size()) {
      out += "\n…and " + plural(zone.changes.size() - shown, "more RRset") +
             "; run `signet plan` locally for the full list.\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace signet::zone
