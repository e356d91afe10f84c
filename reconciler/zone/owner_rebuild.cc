#include "zone/owner_rebuild.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "zone/rrset.h"

namespace signet::zone {

namespace {

// Record types by mnemonic, looked up once each: type_from_name copies
// the mnemonic and looks it up in ldns on every call, and a large zone has one
// lookup per RRset.
class TypeTable {
 public:
  std::optional<RrType> find(const std::string& mnemonic) {
    auto it = types_.find(mnemonic);
    if (it == types_.end()) {
      it = types_.emplace(mnemonic, type_from_name(mnemonic)).first;
    }
    return it->second;
  }

 private:
  std::unordered_map<std::string, std::optional<RrType>> types_;
};

// The first NS value at the apex, which build_zone makes the SOA's
// primary when `soa: primary:` is not set. `name_of(i)` is the name of
// owner i of `file`.
template <typename NameOf>
const model::RecordValue* first_apex_ns(const model::ZoneFile& file,
                                        const Name& origin, NameOf name_of) {
  for (size_t i = 0; i < file.records.size(); ++i) {
    if (!(name_of(i) == origin)) {
      continue;
    }
    for (const model::RecordSet& set : file.records[i].rrsets) {
      if (set.type == "NS" && !set.values.empty()) {
        return &set.values.front();
      }
    }
  }
  return nullptr;
}

bool same_location(const model::Location& a, const model::Location& b) {
  return a.file == b.file && a.line == b.line && a.column == b.column;
}

// True when build_zone reads the same settings from `a` and `b`, apart
// from the records. These are the fields build_added_owners copies.
bool same_build_settings(const model::ZoneFile& a, const model::ZoneFile& b) {
  const model::SoaSettings& soa_a = a.soa;
  const model::SoaSettings& soa_b = b.soa;
  return a.path == b.path && a.zone == b.zone &&
         same_location(a.zone_location, b.zone_location) && a.ttl == b.ttl &&
         same_location(a.ttl_location, b.ttl_location) &&
         soa_a.primary == soa_b.primary &&
         same_location(soa_a.primary_location, soa_b.primary_location) &&
         soa_a.contact == soa_b.contact &&
         same_location(soa_a.contact_location, soa_b.contact_location) &&
         soa_a.ttl == soa_b.ttl && soa_a.refresh == soa_b.refresh &&
         soa_a.retry == soa_b.retry && soa_a.expire == soa_b.expire &&
         soa_a.minimum == soa_b.minimum && soa_a.serial == soa_b.serial &&
         same_location(soa_a.location, soa_b.location);
}

// The steps of rebuild_zone. Each returns false when the rebuild cannot
// give exactly what build_zone gives.
class ZoneRebuilder {
 public:
  ZoneRebuilder(const model::ZoneFile& file, const model::OwnerBlocks& blocks,
                const PreviousBuild& previous, const model::Policy& policy)
      : file_(file),
        blocks_(blocks),
        previous_(previous),
        policy_(policy),
        origin_(previous.zone.origin()) {}

  std::optional<RebuiltZone> rebuild() {
    if (policy_.cds != previous_.built_with_cds ||
        previous_.owner_names.size() != previous_.file.records.size() ||
        blocks_.blocks.size() != file_.records.size() ||
        !same_build_settings(file_, previous_.file)) {
      return std::nullopt;
    }
    RebuiltZone out{previous_.zone, RecordLocations(), model::Diagnostics()};
    std::optional<Zone> built;
    if (!sort_owners() || !name_added_owners() || !check_shared_names() ||
        !(built = build_added_owners()) || !apply(*built, out.zone) ||
        !set_locations(out.locations) || !add_warnings(out.diagnostics)) {
      return std::nullopt;
    }
    return out;
  }

 private:
  // Notes which owners are new and which previous ones are kept.
  bool sort_owners() {
    kept_.assign(previous_.file.records.size(), false);
    moved_.assign(previous_.file.records.size(), 0);
    added_slot_.assign(file_.records.size(), 0);
    std::optional<size_t> last_kept;
    for (size_t i = 0; i < file_.records.size(); ++i) {
      std::optional<size_t> from = blocks_.blocks[i].previous;
      if (!from) {
        added_slot_[i] = added_.size();
        added_.push_back(i);
        continue;
      }
      if (*from >= kept_.size() || kept_[*from]) {
        return false;
      }
      kept_[*from] = true;
      moved_[*from] =
          blocks_.blocks[i].line - previous_.blocks.blocks[*from].line;
      kept_in_order_ = kept_in_order_ && (!last_kept || *last_kept < *from);
      last_kept = from;
    }
    return added_.size() < file_.records.size();  // else nothing to reuse
  }

  bool name_added_owners() {
    added_names_.reserve(added_.size());
    for (size_t i : added_) {
      std::optional<Name> name = Name::parse(file_.records[i].owner, origin_);
      if (!name) {
        return false;
      }
      added_names_.push_back(std::move(*name));
    }
    return true;
  }

  const Name& name_of(size_t i) const {
    std::optional<size_t> from = blocks_.blocks[i].previous;
    return from ? previous_.owner_names[*from] : added_names_[added_slot_[i]];
  }

  // A name written by a kept owner and a new one would make positions
  // and duplicate checks depend on the order of the two.
  bool check_shared_names() const {
    std::unordered_set<Name, NameHash> shared;
    for (const Name& name : added_names_) {
      if (previous_.zone.find(name) != nullptr) {
        shared.insert(name);
      }
    }
    if (shared.empty()) {
      return true;
    }
    for (size_t j = 0; j < kept_.size(); ++j) {
      if (kept_[j] && shared.count(previous_.owner_names[j]) != 0) {
        return false;
      }
    }
    return true;
  }

  // Builds the new owners on their own with the file's settings.
  std::optional<Zone> build_added_owners() {
    // NOTE: these are the fields build_zone reads besides the records; a
    // new one must be copied here and compared in same_build_settings.
    model::ZoneFile changed;
    changed.path = file_.path;
    changed.zone = file_.zone;
    changed.zone_location = file_.zone_location;
    changed.ttl = file_.ttl;
    changed.ttl_location = file_.ttl_location;
    changed.soa = file_.soa;

    if (file_.soa.primary.empty()) {
      const model::RecordValue* first_ns =
          first_apex_ns(file_, origin_,
                        [this](size_t i) -> const Name& { return name_of(i); });
      if (first_ns == nullptr) {
        return std::nullopt;
      }
      changed.soa.primary = first_ns->rdata;
      changed.soa.primary_location = first_ns->location;
    }
    for (size_t i : added_) {
      changed.records.push_back(file_.records[i]);
    }

    std::optional<Zone> built =
        build_zone(changed, policy_, added_diagnostics_, nullptr);
    if (added_diagnostics_.has_errors() || !built) {
      return std::nullopt;
    }
    // The SOA, whose primary may come from the first apex NS record, must
    // be the one kept.
    const Rrset* soa = built->soa();
    const Rrset* kept_soa = previous_.zone.soa();
    if (soa == nullptr || kept_soa == nullptr || !(*soa == *kept_soa)) {
      return std::nullopt;
    }
    return built;
  }

  // Takes the removed owners' RRsets out of `zone` and puts the new
  // owners' RRsets in.
  bool apply(const Zone& built, Zone& zone) {
    for (size_t j = 0; j < kept_.size(); ++j) {
      if (kept_[j]) {
        continue;
      }
      for (const model::RecordSet& set : previous_.file.records[j].rrsets) {
        std::optional<RrType> type = types_.find(set.type);
        if (!type) {
          return false;
        }
        zone.remove_rrset(previous_.owner_names[j], *type);
      }
    }
    for (const Node& node : built.nodes()) {
      for (const Rrset& rrset : node.rrsets) {
        if (node.name == origin_ && rrset.type == rrtype::SOA) {
          continue;
        }
        zone.replace_rrset(node.name, rrset);
      }
    }
    return true;
  }

  // Sets the positions: those of kept owners moved from the previous
  // ones, unless kept owners changed order, which can change which of two
  // positions of one name comes first.
  bool set_locations(RecordLocations& locations) {
    if (!kept_in_order_) {
      return set_all_locations(locations);
    }
    RecordLocations added;
    for (size_t i : added_) {
      if (!set_owner_locations(i, added)) {
        return false;
      }
    }
    added.seal();
    locations =
        RecordLocations::moved(previous_.locations, line_moves(), added);
    return true;
  }

  // The lines of each previous owner block, in ranges of blocks that
  // moved alike or were removed. Blocks that stayed are left out.
  std::vector<RecordLocations::LineMove> line_moves() const {
    std::vector<RecordLocations::LineMove> moves;
    const std::vector<model::OwnerBlocks::Block>& old = previous_.blocks.blocks;
    for (size_t j = 0; j < old.size(); ++j) {
      int first = old[j].line + 1;  // 1-based, as positions are
      int end = previous_.blocks.end_line(j) + 1;
      bool dropped = !kept_[j];
      int delta = dropped ? 0 : moved_[j];
      if (!dropped && delta == 0) {
        continue;
      }
      if (!moves.empty() && moves.back().end == first &&
          moves.back().dropped == dropped && moves.back().delta == delta) {
        moves.back().end = end;
      } else {
        moves.push_back(RecordLocations::LineMove{first, end, dropped, delta});
      }
    }
    return moves;
  }

  // Sets every position in the order build_zone sets them.
  bool set_all_locations(RecordLocations& locations) {
    locations.set_fallback(file_.zone_location);
    locations.set_owner(origin_, file_.zone_location);
    locations.set(origin_, rrtype::SOA, file_.soa.location);
    for (size_t i = 0; i < file_.records.size(); ++i) {
      if (!set_owner_locations(i, locations)) {
        return false;
      }
    }
    locations.seal();
    return true;
  }

  bool set_owner_locations(size_t i, RecordLocations& locations) {
    for (const model::RecordSet& set : file_.records[i].rrsets) {
      std::optional<RrType> type = types_.find(set.type);
      if (!type) {
        return false;
      }
      locations.set(name_of(i), *type, set.location);
    }
    return true;
  }

  // Adds the warnings of building in file order: those of kept owners
  // moved to their new lines, and those the new owners gave.
  bool add_warnings(model::Diagnostics& out) const {
    std::vector<std::pair<size_t, model::Diagnostic>> added =
        model::diagnostics_by_block(blocks_, added_diagnostics_);
    if (added.size() != added_diagnostics_.all().size()) {
      return false;  // a warning outside the new owners
    }
    auto next_added = added.begin();
    for (size_t i = 0; i < file_.records.size(); ++i) {
      std::optional<size_t> from = blocks_.blocks[i].previous;
      if (!from) {
        for (; next_added != added.end() && next_added->first == i;
             ++next_added) {
          out.add(next_added->second);
        }
        continue;
      }
      int moved = blocks_.blocks[i].line - previous_.blocks.blocks[*from].line;
      const auto& warnings = previous_.owner_warnings;
      auto it = std::lower_bound(
          warnings.begin(), warnings.end(), *from,
          [](const auto& entry, size_t value) { return entry.first < value; });
      for (; it != warnings.end() && it->first == *from; ++it) {
        model::Diagnostic warning = it->second;
        if (warning.location.line > 0) {
          warning.location.line += moved;
        }
        out.add(std::move(warning));
      }
    }
    return true;
  }

  const model::ZoneFile& file_;
  const model::OwnerBlocks& blocks_;
  const PreviousBuild& previous_;
  const model::Policy& policy_;
  const Name& origin_;
  std::vector<bool> kept_;  // per previous owner
  std::vector<int> moved_;  // per kept previous owner: lines moved
  bool kept_in_order_ = true;
  std::vector<size_t> added_;       // indexes of new owners in file_
  std::vector<size_t> added_slot_;  // per owner of file_: its index in added_
  std::vector<Name> added_names_;
  model::Diagnostics added_diagnostics_;
  TypeTable types_;
};

}  // namespace

std::optional<RebuiltZone> rebuild_zone(const model::ZoneFile& file,
                                        const model::OwnerBlocks& blocks,
                                        const PreviousBuild& previous,
                                        const model::Policy& policy) {
  return ZoneRebuilder(file, blocks, previous, policy).rebuild();
}

std::vector<Name> owner_names(const model::ZoneFile& file, const Name& origin,
                              const model::OwnerBlocks* blocks,
                              std::vector<Name>* previous_names) {
  std::vector<Name> names;
  names.reserve(file.records.size());
  for (size_t i = 0; i < file.records.size(); ++i) {
    std::optional<size_t> from;
    if (blocks != nullptr && i < blocks->blocks.size()) {
      from = blocks->blocks[i].previous;
    }
    if (from && previous_names != nullptr && *from < previous_names->size()) {
      names.push_back(std::move((*previous_names)[*from]));
      continue;
    }
    names.push_back(
        Name::parse(file.records[i].owner, origin).value_or(Name()));
  }
  return names;
}

}  // namespace signet::zone
