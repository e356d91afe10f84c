// Small zones and diffs for state tests, built from presentation text.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "zone/diff.h"
#include "zone/rdata.h"
#include "zone/zone.h"

namespace signet::state::testing {

inline zone::Rr make_rr(const std::string& owner, zone::RrType type,
                        const std::string& rdata, uint32_t ttl = 300) {
  zone::Name origin = *zone::Name::parse("example.test.");
  std::optional<zone::Name> name = zone::Name::parse(owner, origin);
  std::string error;
  std::optional<std::string> wire =
      zone::parse_rdata(type, rdata, origin, &error);
  if (!name || !wire) {
    throw std::invalid_argument("bad test record " + owner + ": " + error);
  }
  return zone::Rr{*name, type, ttl, *wire};
}

// example.test. with an SOA at `serial`, an NS, and one A record at
// host<i>.example.test. for each i below `hosts`.
inline zone::Zone make_zone(uint32_t serial, int hosts) {
  zone::Zone z(*zone::Name::parse("example.test."));
  z.add(make_rr(
      "@", zone::rrtype::SOA,
      "ns1 hostmaster " + std::to_string(serial) + " 3600 900 604800 300"));
  z.add(make_rr("@", zone::rrtype::NS, "ns1"));
  z.add(make_rr("ns1", zone::rrtype::A, "192.0.2.1"));
  for (int i = 0; i < hosts; ++i) {
    z.add(make_rr("host" + std::to_string(i), zone::rrtype::A,
                  "198.51.100." + std::to_string(i % 250 + 1)));
  }
  z.finalize();
  return z;
}

inline std::vector<zone::Rr> records(const zone::Zone& z) {
  std::vector<zone::Rr> out;
  z.for_each_rr([&out](const zone::Rr& rr) { out.push_back(rr); });
  return out;
}

// The zone the crash test publishes at `serial`: its size varies, so some
// diffs outgrow the snapshot and make the store rewrite it.
inline zone::Zone crash_zone(uint32_t serial) {
  return make_zone(serial, 20 + static_cast<int>(serial * 7 % 40));
}

}  // namespace signet::state::testing
