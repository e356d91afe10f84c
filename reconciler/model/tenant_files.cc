#include "model/tenant_files.h"

namespace signet::model {

std::optional<Policy> parse_policy_file(const std::string& path,
                                        const std::string& name,
                                        const std::string& text,
                                        Diagnostics& diagnostics) {
  (void)text;
  (void)diagnostics;
  Policy policy = default_policy();
  policy.name = name;
  policy.location = Location{path, 0, 0};
  return policy;
}

std::vector<Secondary> parse_secondaries_file(const std::string& path,
                                              const std::string& text,
                                              Diagnostics& diagnostics) {
  (void)path;
  (void)text;
  (void)diagnostics;
  return {};
}

std::optional<uint8_t> algorithm_from_name(const std::string& text) {
  (void)text;
  return std::nullopt;
}

std::string algorithm_name(uint8_t algorithm) {
  return std::to_string(algorithm);
}

void check_policy(const Policy& policy, Diagnostics& diagnostics) {
  (void)policy;
  (void)diagnostics;
}

}  // namespace signet::model
