// Writing a zone in the zones/<zone>.yaml format.
#pragma once

#include <string>
#include <vector>

#include "model/zone_file.h"
#include "zone/zone.h"

namespace signet::zone {

struct YamlOptions {
  std::string policy = "default";
  model::SerialPolicy serial = model::SerialPolicy::kIncrement;
  std::vector<std::string> secondaries;
  // Default TTL written as `ttl:`; 0 picks the most common record TTL.
  uint32_t default_ttl = 0;
  // Leaves out what the signer makes (RRSIG, NSEC, NSEC3, NSEC3PARAM,
  // DNSKEY), which a zone file may not contain.
  bool drop_dnssec = true;
};

// Writes `zone` (finalized) as zone YAML: the SOA becomes the `soa:`
// settings (its serial is dropped), records are grouped by owner (relative
// to the origin) and type, TXT as text where that reads back the same, and
// other types as presentation-format RDATA with absolute names. Loading the
// output with zone::load_zone_yaml gives the same RRsets, apart from the
// SOA serial and the records `drop_dnssec` leaves out.
std::string zone_to_yaml(const Zone& zone, const YamlOptions& options = {});

}  // namespace signet::zone
