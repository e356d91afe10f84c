// Which tenant owns each zone name, decided once from the operator config.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/config.h"

namespace signet::service {

// The owner of every zone name that the operator config allows. When two
// tenants list the same zone, the tenant listed first in the config owns
// it and the later one is rejected for that zone, so the result does not
// depend on which tenant's commit happens to arrive first. Immutable after
// construction, so it may be read from many threads.
class ZoneClaims {
 public:
  explicit ZoneClaims(const std::vector<model::Tenant>& tenants);

  // The tenant that owns `zone` (an absolute name, any case, with or
  // without the trailing dot), or "" when no tenant lists it.
  const std::string& owner(const std::string& zone) const;

  // True when `tenant` may publish `zone`.
  bool owned_by(const std::string& zone, const std::string& tenant) const {
    return owner(zone) == tenant;
  }

  // The zones `tenant` lists but another tenant owns.
  std::vector<std::string> lost_by(const std::string& tenant) const;

 private:
  std::map<std::string, std::string> owner_;  // canonical zone -> tenant
  std::map<std::string, std::vector<std::string>> lost_;
};

// Lower case with a trailing dot, the form zone names are compared in.
std::string canonical_zone_name(const std::string& zone);

}  // namespace signet::service
