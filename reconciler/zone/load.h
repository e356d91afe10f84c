// Loading a tenant's zones, policies and secondaries from YAML.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/diagnostic.h"
#include "model/policy.h"
#include "model/source.h"
#include "model/tenant_files.h"
#include "model/zone_file.h"
#include "zone/build.h"
#include "zone/zone.h"

namespace signet::zone {

// One zone file and the zone built from it. The file and the positions
// are shared with the load cache, if any.
struct LoadedZone {
  std::shared_ptr<const model::ZoneFile> file;
  Zone zone;  // finalized, unsigned, SOA serial 0 (the reconciler sets it)
  std::shared_ptr<const RecordLocations> locations;
};

struct LoadedTenant {
  std::vector<LoadedZone> zones;
  std::map<std::string, model::Policy> policies;  // includes "default"
  std::vector<model::Secondary> secondaries;
};

class LoadCache;  // zone/load_cache.h

// Reads zones/*.yaml, policies/*.yaml and secondaries.yaml from `source`,
// checks them, builds each zone and runs zone::check_zone. Every problem
// goes to `diagnostics`. Zones outside `allowed_zones` (when given),
// unknown policies and unknown secondaries are errors. Zones with errors
// are still returned; check diagnostics.has_errors(). Throws
// std::runtime_error when `source` cannot be read.
//
// With a `cache`, a zone file whose FileSource::content_id matches the
// cached one is taken from the cache, and a changed file re-parses only
// the owner blocks that changed and, when nothing else in it changed,
// builds only those. The cache is updated with every file loaded without
// errors. The result and the diagnostics are the same as without a
// cache.
LoadedTenant load_tenant(
    const model::FileSource& source, model::Diagnostics& diagnostics,
    const std::vector<std::string>* allowed_zones = nullptr,
    LoadCache* cache = nullptr);

// As above, and also checks the TSIG key names of secondaries against the
// keys the operator configured for `tenant`.
LoadedTenant load_tenant(const model::FileSource& source,
                         model::Diagnostics& diagnostics,
                         const model::Tenant& tenant,
                         LoadCache* cache = nullptr);

// Loads one zone file on its own (for sign, export and plan), under the
// built-in default policy unless `policy` is given; runs zone::check_zone.
// Returns nullopt when no zone could be built.
std::optional<LoadedZone> load_zone_yaml(const std::string& path,
                                         const std::string& text,
                                         model::Diagnostics& diagnostics,
                                         const model::Policy* policy = nullptr);

}  // namespace signet::zone
