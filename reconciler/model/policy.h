// DNSSEC policy as tenants write it in policies/<name>.yaml.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/diagnostic.h"

namespace signet::model {

enum class KeyRole { kKsk, kZsk, kCsk };

// One key the policy keeps in service, and how long each generation lives.
struct KeySpec {
  KeyRole role = KeyRole::kCsk;
  uint8_t algorithm = 13;  // DNSSEC algorithm number (RFC 8624)
  uint16_t bits = 0;       // RSA modulus size; 0 for fixed-size algorithms
  int64_t lifetime = 0;    // seconds until rollover; 0 means unlimited
};

enum class Denial { kNsec, kNsec3 };

struct Nsec3Params {
  uint16_t iterations = 0;  // RFC 9276: 0
  std::string salt_hex;     // RFC 9276: empty
  bool opt_out = false;
};

// How a zone is signed. Durations are seconds. The built-in policy named
// "default" is what RFC 9276 and RFC 8624 recommend: one ECDSAP256SHA256
// CSK and NSEC3 with no extra iterations and an empty salt.
struct Policy {
  std::string name = "default";
  Location location;  // where the policy was declared, if in a file

  std::vector<KeySpec> keys{KeySpec{}};
  Denial denial = Denial::kNsec3;
  Nsec3Params nsec3;

  int64_t signature_validity = 14 * 86400;  // RRSIG expiration - inception
  int64_t signature_refresh = 5 * 86400;    // re-sign when this close to expiry
  int64_t signature_jitter = 12 * 3600;     // spread of expiration times
  int64_t inception_offset = 3600;          // inception = now - this

  uint32_t dnskey_ttl = 3600;
  uint32_t ds_ttl = 3600;  // TTL the parent is expected to use for DS

  // Timing of rollovers (RFC 7583 terms).
  int64_t publish_safety = 3600;
  int64_t retire_safety = 3600;
  int64_t propagation_delay = 300;

  bool cds = false;  // publish CDS/CDNSKEY for the current KSK/CSK (RFC 7344)
};

// The built-in "default" policy.
Policy default_policy();

}  // namespace signet::model
