#include "zone/owner_rebuild.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "zone/rrset.h"

namespace signet::zone {

namespace {

// Record types by mnemonic, looked up once each: type_from_name copies
// the mnemonic and asks ldns on every call, and a large zone has one
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
// from the records. These are the fields copied to `changed` below.
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

}  // namespace

std::optional<RebuiltZone> rebuild_zone(const model::ZoneFile& file,
                                        const model::OwnerBlocks& blocks,
                                        const PreviousBuild& previous,
                                        const model::Policy& policy) {
  const size_t old_count = previous.file.records.size();
  if (policy.cds != previous.built_with_cds ||
      previous.owner_names.size() != old_count ||
      blocks.blocks.size() != file.records.size() ||
      !same_build_settings(file, previous.file)) {
    return std::nullopt;
  }
  const Name& origin = previous.zone.origin();

  // Which owners are new, and which previous ones are kept.
  std::vector<bool> kept(old_count);
  std::vector<size_t> added;
  std::vector<size_t> added_slot(file.records.size());
  for (size_t i = 0; i < file.records.size(); ++i) {
    std::optional<size_t> from = blocks.blocks[i].previous;
    if (!from) {
      added_slot[i] = added.size();
      added.push_back(i);
      continue;
    }
    if (*from >= old_count || kept[*from]) {
      return std::nullopt;
    }
    kept[*from] = true;
  }
  if (added.size() == file.records.size()) {
    return std::nullopt;  // nothing to reuse
  }
  std::vector<Name> added_names;
  added_names.reserve(added.size());
  for (size_t i : added) {
    std::optional<Name> name = Name::parse(file.records[i].owner, origin);
    if (!name) {
      return std::nullopt;
    }
    added_names.push_back(std::move(*name));
  }
  auto name_of = [&](size_t i) -> const Name& {
    std::optional<size_t> from = blocks.blocks[i].previous;
    return from ? previous.owner_names[*from] : added_names[added_slot[i]];
  };

  // A name written by a kept owner and a new one would make positions
  // and duplicate checks depend on the order of the two.
  std::unordered_set<Name, NameHash> shared;
  for (const Name& name : added_names) {
    if (previous.zone.find(name) != nullptr) {
      shared.insert(name);
    }
  }
  if (!shared.empty()) {
    for (size_t j = 0; j < old_count; ++j) {
      if (kept[j] && shared.count(previous.owner_names[j]) != 0) {
        return std::nullopt;
      }
    }
  }

  // The new owners, built on their own with the file's settings.
  // NOTE: these are the fields build_zone reads besides the records; a
  // new one must be copied here and compared in same_build_settings.
  model::ZoneFile changed;
  changed.path = file.path;
  changed.zone = file.zone;
  changed.zone_location = file.zone_location;
  changed.ttl = file.ttl;
  changed.ttl_location = file.ttl_location;
  changed.soa = file.soa;
  if (file.soa.primary.empty()) {
    const model::RecordValue* now = first_apex_ns(file, origin, name_of);
    const model::RecordValue* before = first_apex_ns(
        previous.file, origin,
        [&](size_t j) -> const Name& { return previous.owner_names[j]; });
    if (now == nullptr || before == nullptr || now->rdata != before->rdata) {
      return std::nullopt;
    }
    changed.soa.primary = now->rdata;
    changed.soa.primary_location = now->location;
  }
  for (size_t i : added) {
    changed.records.push_back(file.records[i]);
  }
  model::Diagnostics changed_diagnostics;
  std::optional<Zone> built =
      build_zone(changed, policy, changed_diagnostics, nullptr);
  if (!built || changed_diagnostics.has_errors()) {
    return std::nullopt;
  }

  // The previous zone without the removed owners' RRsets, with the new
  // owners' RRsets.
  TypeTable types;
  RebuiltZone out{previous.zone, RecordLocations(), model::Diagnostics()};
  for (size_t j = 0; j < old_count; ++j) {
    if (kept[j]) {
      continue;
    }
    for (const model::RecordSet& set : previous.file.records[j].rrsets) {
      std::optional<RrType> type = types.find(set.type);
      if (!type) {
        return std::nullopt;
      }
      out.zone.remove_rrset(previous.owner_names[j], *type);
    }
  }
  for (const Node& node : built->nodes()) {
    for (const Rrset& rrset : node.rrsets) {
      if (node.name == origin && rrset.type == rrtype::SOA) {
        continue;
      }
      out.zone.replace_rrset(node.name, rrset);
    }
  }

  // Positions, set in the order build_zone sets them.
  out.locations.set_fallback(file.zone_location);
  out.locations.set_owner(origin, file.zone_location);
  out.locations.set(origin, rrtype::SOA, file.soa.location);
  for (size_t i = 0; i < file.records.size(); ++i) {
    for (const model::RecordSet& set : file.records[i].rrsets) {
      std::optional<RrType> type = types.find(set.type);
      if (!type) {
        return std::nullopt;
      }
      out.locations.set(name_of(i), *type, set.location);
    }
  }
  out.locations.seal();

  // Warnings in file order: those of kept owners moved to their new
  // lines, then those the new owners gave.
  std::vector<std::pair<size_t, model::Diagnostic>> added_warnings =
      model::diagnostics_by_block(blocks, changed_diagnostics);
  if (added_warnings.size() != changed_diagnostics.all().size()) {
    return std::nullopt;  // a warning outside the new owners
  }
  auto next_added = added_warnings.begin();
  for (size_t i = 0; i < file.records.size(); ++i) {
    std::optional<size_t> from = blocks.blocks[i].previous;
    if (!from) {
      for (; next_added != added_warnings.end() && next_added->first == i;
           ++next_added) {
        out.diagnostics.add(next_added->second);
      }
      continue;
    }
    int moved = blocks.blocks[i].line - previous.blocks.blocks[*from].line;
    const auto& warnings = previous.owner_warnings;
    auto it = std::lower_bound(
        warnings.begin(), warnings.end(), *from,
        [](const auto& entry, size_t value) { return entry.first < value; });
    for (; it != warnings.end() && it->first == *from; ++it) {
      model::Diagnostic moved_warning = it->second;
      if (moved_warning.location.line > 0) {
        moved_warning.location.line += moved;
      }
      out.diagnostics.add(std::move(moved_warning));
    }
  }
  return out;
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
