#include "service/zone_claims.h"

#include <cctype>

namespace signet::service {

std::string canonical_zone_name(const std::string& zone) {
  std::string out;
  out.reserve(zone.size() + 1);
  for (char c : zone) {
    out.push_back(
        static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (out.empty() || out.back() != '.') {
    out.push_back('.');
  }
  return out;
}

ZoneClaims::ZoneClaims(const std::vector<model::Tenant>& tenants) {
  for (const model::Tenant& tenant : tenants) {
    for (const std::string& zone : tenant.allowed_zones) {
      std::string key = canonical_zone_name(zone);
      auto [it, inserted] = owner_.emplace(key, tenant.name);
      if (!inserted && it->second != tenant.name) {
        lost_[tenant.name].push_back(key);
      }
    }
  }
}

const std::string& ZoneClaims::owner(const std::string& zone) const {
  static const std::string kNone;
  auto it = owner_.find(canonical_zone_name(zone));
  return it == owner_.end() ? kNone : it->second;
}

std::vector<std::string> ZoneClaims::lost_by(const std::string& tenant) const {
  auto it = lost_.find(tenant);
  return it == lost_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace signet::service
