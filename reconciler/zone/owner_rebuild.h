// Building a changed zone file's zone from its last good build, with only
// the owners that changed built again.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "model/diagnostic.h"
#include "model/policy.h"
#include "model/zone_file.h"
#include "zone/build.h"
#include "zone/name.h"
#include "zone/zone.h"

namespace signet::zone {

// A zone file's last build without errors, as the load cache keeps it.
struct PreviousBuild {
  // As a parse with it left it: without the records of the owner blocks
  // that the parse reused.
  const model::ZoneFile& file;
  const model::OwnerBlocks& blocks;
  const Zone& zone;
  const RecordLocations& locations;
  // The name of each owner of file.records.
  const std::vector<Name>& owner_names;
  // The warnings build_zone reported inside each owner block.
  const std::vector<std::pair<size_t, model::Diagnostic>>& owner_warnings;
  bool built_with_cds;
};

// The result of rebuild_zone, equal to what build_zone returns for the
// file.
struct RebuiltZone {
  Zone zone;
  RecordLocations locations;
  model::Diagnostics diagnostics;
};

// Builds the zone of `file`, parsed with reuse from `previous` into
// `blocks`, by building only its new owner blocks and applying them and
// the removed ones to the previous zone. Returns nullopt when the result
// could differ from build_zone(file, policy, ...): a setting that
// building reads (zone, ttl, soa) changed or moved, the policy's `cds`
// changed, a new owner writes a
// name that a reused owner writes too, or the new owners have errors. The
// caller then builds the whole file.
std::optional<RebuiltZone> rebuild_zone(const model::ZoneFile& file,
                                        const model::OwnerBlocks& blocks,
                                        const PreviousBuild& previous,
                                        const model::Policy& policy);

// The name of each owner of `file`, built with build_zone without errors,
// taking the names of reused owners from `previous_names` by move when
// given. Leaves `previous_names` unusable.
std::vector<Name> owner_names(const model::ZoneFile& file, const Name& origin,
                              const model::OwnerBlocks* blocks,
                              std::vector<Name>* previous_names);

}  // namespace signet::zone
