#include "zone/rrset.h"

#include <ldns/ldns.h>

#include <charconv>
#include <string>

namespace signet::zone {

std::string type_name(RrType type) {
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  if (d != nullptr && d->_name != nullptr && type != 0) {
    return d->_name;
  }
  return "TYPE" + std::to_string(type);
}

std::optional<RrType> type_from_name(std::string_view name) {
  if (name.size() > 4 &&
      (name.substr(0, 4) == "TYPE" || name.substr(0, 4) == "type")) {
    unsigned value = 0;
    auto digits = name.substr(4);
    auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() ||
        value > 65535) {
      return std::nullopt;
    }
    return static_cast<RrType>(value);
  }
  std::string copy(name);
  ldns_rr_type t = ldns_get_rr_type_by_name(copy.c_str());
  if (t == 0) {
    return std::nullopt;
  }
  return static_cast<RrType>(t);
}

bool is_meta_type(RrType type) {
  // RFC 6895 section 3.1: 128-255 are meta and query types; 41 is OPT.
  return type == 0 || type == rrtype::OPT || (type >= 128 && type <= 255);
}

RrType rrsig_covered(std::string_view rdata) {
  if (rdata.size() < 2) {
    return 0;
  }
  return static_cast<RrType>(static_cast<uint8_t>(rdata[0]) << 8 |
                             static_cast<uint8_t>(rdata[1]));
}

uint32_t rrset_order(RrType type, std::string_view first_rdata) {
  uint32_t key = static_cast<uint32_t>(type) << 16;
  if (type == rrtype::RRSIG) {
    key |= rrsig_covered(first_rdata);
  }
  return key;
}

uint32_t rrset_order(const Rrset& rrset) {
  return rrset_order(rrset.type, rrset.rdatas.empty()
                                     ? std::string_view()
                                     : std::string_view(rrset.rdatas[0]));
}

bool canonical_less(const Rr& a, const Rr& b) {
  if (auto c = a.owner <=> b.owner; c != 0) {
    return c < 0;
  }
  if (a.type != b.type) {
    return a.type < b.type;
  }
  return a.rdata < b.rdata;
}

}  // namespace signet::zone
