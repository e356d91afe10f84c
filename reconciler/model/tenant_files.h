// Parsing of a tenant's policies/<name>.yaml and secondaries.yaml.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/policy.h"

namespace signet::model {

// A secondary server that transfers the tenant's zones. The TSIG key is
// named here; its secret lives in the operator configuration.
struct Secondary {
  std::string name;
  std::string address;  // IPv4 or IPv6 address, without brackets
  uint16_t port = 53;
  std::string tsig_key_name;  // empty: no TSIG (rejected unless allowed)
  Location location;
};

// Parses policies/<name>.yaml into a Policy named `name`. Unsafe values
// (refresh not below validity, algorithms RFC 8624 says MUST NOT be used
// for signing, ...) are errors; discouraged ones (NSEC3 iterations above 0,
// a salt) are warnings. Returns nullopt when the file is not YAML.
std::optional<Policy> parse_policy_file(const std::string& path,
                                        const std::string& name,
                                        const std::string& text,
                                        Diagnostics& diagnostics);

// Parses secondaries.yaml. Returns the secondaries that were read
// correctly; every problem goes to `diagnostics`.
std::vector<Secondary> parse_secondaries_file(const std::string& path,
                                              const std::string& text,
                                              Diagnostics& diagnostics);

// Looks up a DNSSEC algorithm by mnemonic ("ECDSAP256SHA256", case
// insensitive) or number. Returns nullopt when unknown.
std::optional<uint8_t> algorithm_from_name(const std::string& text);

// The mnemonic of an algorithm number ("ECDSAP256SHA256", or the number).
std::string algorithm_name(uint8_t algorithm);

// Checks a Policy built in code or read from a file; reports unsafe values
// at `policy.location`.
void check_policy(const Policy& policy, Diagnostics& diagnostics);

}  // namespace signet::model
