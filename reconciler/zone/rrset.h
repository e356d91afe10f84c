// Resource records and RRsets in canonical wire form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zone/name.h"

namespace signet::zone {

using RrType = uint16_t;

// Type codes used by name in the code base (IANA "Resource Record (RR)
// TYPEs" registry). Any other code is handled generically.
namespace rrtype {
inline constexpr RrType A = 1;
inline constexpr RrType NS = 2;
inline constexpr RrType CNAME = 5;
inline constexpr RrType SOA = 6;
inline constexpr RrType PTR = 12;
inline constexpr RrType HINFO = 13;
inline constexpr RrType MX = 15;
inline constexpr RrType TXT = 16;
inline constexpr RrType AAAA = 28;
inline constexpr RrType LOC = 29;
inline constexpr RrType SRV = 33;
inline constexpr RrType NAPTR = 35;
inline constexpr RrType CERT = 37;
inline constexpr RrType DNAME = 39;
inline constexpr RrType OPT = 41;
inline constexpr RrType DS = 43;
inline constexpr RrType SSHFP = 44;
inline constexpr RrType RRSIG = 46;
inline constexpr RrType NSEC = 47;
inline constexpr RrType DNSKEY = 48;
inline constexpr RrType NSEC3 = 50;
inline constexpr RrType NSEC3PARAM = 51;
inline constexpr RrType TLSA = 52;
inline constexpr RrType CDS = 59;
inline constexpr RrType CDNSKEY = 60;
inline constexpr RrType ZONEMD = 63;
inline constexpr RrType SVCB = 64;
inline constexpr RrType HTTPS = 65;
inline constexpr RrType TKEY = 249;
inline constexpr RrType TSIG = 250;
inline constexpr RrType IXFR = 251;
inline constexpr RrType AXFR = 252;
inline constexpr RrType ANY = 255;
inline constexpr RrType URI = 256;
inline constexpr RrType CAA = 257;
}  // namespace rrtype

inline constexpr uint16_t kClassIn = 1;

// Mnemonic of a type ("A", "TYPE65280" when unknown).
std::string type_name(RrType type);

// Parses a mnemonic or "TYPEnnn"; case-insensitive.
std::optional<RrType> type_from_name(std::string_view name);

// True for meta and query types (OPT, TSIG, AXFR, ANY, ...) and other types
// that never belong in zone data.
bool is_meta_type(RrType type);

// A set of records with the same owner and type. The owner is kept by the
// containing node. `rdatas` hold canonical wire-format RDATA (RFC 4034
// section 6.2), sorted and without duplicates once the zone is finalized.
struct Rrset {
  RrType type = 0;
  uint32_t ttl = 0;
  std::vector<std::string> rdatas;

  friend bool operator==(const Rrset&, const Rrset&) = default;
};

// One record with its owner, as carried in diffs and IXFR journals.
struct Rr {
  Name owner;
  RrType type = 0;
  uint32_t ttl = 0;
  std::string rdata;

  friend bool operator==(const Rr&, const Rr&) = default;
};

// The type an RRSIG's wire RDATA covers (its first field), or 0 when the
// RDATA is too short.
RrType rrsig_covered(std::string_view rdata);

// The position of an RRset within its node: the type, then for RRSIG the
// covered type, so that each covered RRset's signatures form a set of
// their own.
uint32_t rrset_order(RrType type, std::string_view first_rdata);
uint32_t rrset_order(const Rrset& rrset);

// Orders records by owner (canonical), type, then RDATA octets.
bool canonical_less(const Rr& a, const Rr& b);

}  // namespace signet::zone
