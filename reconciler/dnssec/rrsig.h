// RRSIG RDATA layout and the data a signature covers (RFC 4034 section 3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "zone/name.h"
#include "zone/rrset.h"

namespace signet::dnssec {

// The RRSIG RDATA fields before the signature.
struct RrsigFields {
  zone::RrType type_covered = 0;
  uint8_t algorithm = 0;
  uint8_t labels = 0;
  uint32_t original_ttl = 0;
  uint32_t expiration = 0;
  uint32_t inception = 0;
  uint16_t key_tag = 0;
};

// Appends the RRSIG RDATA without its signature: the fields, then
// `signer` in canonical wire form.
void append_rrsig_header(const RrsigFields& fields, const zone::Name& signer,
                         std::string& out);

// Appends the records of `rrset` at `owner` in RFC 4034 section 6.3 order
// as section 3.1.8.1 feeds them to the signature: owner | type | class |
// original TTL | RDLENGTH | RDATA. `rrset.rdatas` must be canonical and
// sorted, as in a finalized zone.
void append_signed_records(const zone::Name& owner, const zone::Rrset& rrset,
                           uint32_t original_ttl, std::string& out);

// Decodes the fixed fields of RRSIG RDATA. Returns false when too short.
bool parse_rrsig_fields(std::string_view rdata, RrsigFields& fields);

// The RRSIG labels field for `owner`: its label count, less one for a
// wildcard owner (RFC 4034 section 3.1.3).
uint8_t rrsig_labels(const zone::Name& owner);

}  // namespace signet::dnssec
