#include "zone/to_yaml.h"

namespace signet::zone {

std::string zone_to_yaml(const Zone& zone, const YamlOptions& options) {
  (void)zone;
  (void)options;
  return "";
}

}  // namespace signet::zone
