#include "zone/load.h"

namespace signet::zone {

LoadedTenant load_tenant(const model::FileSource& source,
                         model::Diagnostics& diagnostics,
                         const std::vector<std::string>* allowed_zones) {
  (void)source;
  (void)diagnostics;
  (void)allowed_zones;
  LoadedTenant tenant;
  tenant.policies.emplace("default", model::default_policy());
  return tenant;
}

LoadedTenant load_tenant(const model::FileSource& source,
                         model::Diagnostics& diagnostics,
                         const model::Tenant& tenant) {
  return load_tenant(source, diagnostics, &tenant.allowed_zones);
}

std::optional<LoadedZone> load_zone_yaml(const std::string& path,
                                         const std::string& text,
                                         model::Diagnostics& diagnostics,
                                         const model::Policy* policy) {
  (void)path;
  (void)text;
  (void)diagnostics;
  (void)policy;
  return std::nullopt;
}

}  // namespace signet::zone
