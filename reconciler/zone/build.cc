#include "zone/build.h"

namespace signet::zone {

void RecordLocations::set(const Name& owner, RrType type,
                          model::Location location) {
  owners_.emplace(owner, location);
  rrsets_[{owner, type}] = std::move(location);
}

model::Location RecordLocations::find(const Name& owner, RrType type) const {
  if (auto it = rrsets_.find({owner, type}); it != rrsets_.end()) {
    return it->second;
  }
  if (auto it = owners_.find(owner); it != owners_.end()) {
    return it->second;
  }
  return fallback_;
}

std::function<model::Location(const Name&, RrType)>
RecordLocations::source_map() const {
  return [this](const Name& owner, RrType type) { return find(owner, type); };
}

std::optional<Zone> build_zone(const model::ZoneFile& file,
                               const model::Policy& policy,
                               model::Diagnostics& diagnostics,
                               RecordLocations* locations) {
  (void)file;
  (void)policy;
  (void)diagnostics;
  (void)locations;
  return std::nullopt;
}

}  // namespace signet::zone
