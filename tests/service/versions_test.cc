#include "service/versions.h"

#include <catch2/catch.hpp>

#include "service/service.h"

namespace signet::service {
namespace {

zone::Zone make_zone(uint32_t serial, const std::string& address) {
  zone::Name origin = *zone::Name::parse("example.com.");
  zone::Zone z(origin);
  zone::Name ns = *zone::Name::parse("ns1.example.com.");
  // SOA RDATA: MNAME, RNAME, then serial, refresh, retry, expire, minimum.
  std::string soa = ns.wire() + origin.wire();
  for (uint32_t field : {serial, 3600u, 900u, 1209600u, 3600u}) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      soa.push_back(static_cast<char>((field >> shift) & 0xff));
    }
  }
  z.add(origin, zone::rrtype::SOA, 3600, soa);
  z.add(origin, zone::rrtype::NS, 3600, ns.wire());
  z.add(ns, zone::rrtype::A, 3600, address);
  z.finalize();
  return z;
}

}  // namespace

TEST_CASE("same data ignores serial") {
  CHECK(same_data_ignoring_serial(make_zone(1, std::string("\xc0\0\2\1", 4)),
                                  make_zone(7, std::string("\xc0\0\2\1", 4))));
}

TEST_CASE("same data sees changed address") {
  CHECK_FALSE(
      same_data_ignoring_serial(make_zone(1, std::string("\xc0\0\2\1", 4)),
                                make_zone(1, std::string("\xc0\0\2\2", 4))));
}

TEST_CASE("strip dnssec keeps zone data") {
  zone::Zone z = make_zone(5, std::string("\xc0\0\2\1", 4));
  zone::Zone signed_zone = z;
  signed_zone.insert({z.origin(), zone::rrtype::DNSKEY, 3600,
                      std::string("\1\1\3\15abcd", 8)});
  signed_zone.insert(
      {z.origin(), zone::rrtype::NSEC3PARAM, 0, std::string("\1\0\0\0", 4)});

  std::shared_ptr<zone::Zone> stripped = strip_dnssec(signed_zone);
  CHECK(stripped->rr_count() == z.rr_count());
  CHECK(same_data_ignoring_serial(*stripped, z));
  CHECK(stripped->serial() == 5);
}

TEST_CASE("shard assignment is stable") {
  Shard first{0, 3};
  Shard second{1, 3};
  Shard third{2, 3};
  int total = 0;
  for (const char* tenant : {"acme", "example", "nic", "hosting", "zz"}) {
    int owners = in_shard(tenant, first) + in_shard(tenant, second) +
                 in_shard(tenant, third);
    CHECK(owners == 1);
    total += owners;
  }
  CHECK(total == 5);
  CHECK(in_shard("acme", Shard{}));
  // FNV-1a of "acme" is 0x45fd71af, which is 5 modulo 7.
  CHECK(in_shard("acme", Shard{5, 7}));
  CHECK_FALSE(in_shard("acme", Shard{4, 7}));
}

}  // namespace signet::service
