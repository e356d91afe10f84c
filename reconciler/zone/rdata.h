// Conversion between presentation format and canonical wire RDATA.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "zone/name.h"
#include "zone/rrset.h"

namespace signet::zone {

// Parses presentation-format RDATA of `type` (RFC 1035 section 5.1 and
// each type's RFC; RFC 3597 "\# len hex" for any type). Relative names
// are completed with `origin`. Returns canonical wire RDATA (names
// uncompressed and, for the RFC 4034 section 6.2 types, lower case), or
// nullopt with a message in `error`.
std::optional<std::string> parse_rdata(RrType type, std::string_view text,
                                       const Name& origin,
                                       std::string* error = nullptr);

// Formats wire RDATA as presentation text. Unknown types, and RDATA that
// does not decode, come out in RFC 3597 form.
std::string format_rdata(RrType type, std::string_view rdata);

// format_rdata through ldns alone, whatever the type.
std::string format_rdata_ldns(RrType type, std::string_view rdata);

// Appends the text format_rdata gives for the types signed zones are made
// of (A, AAAA, NS, CNAME, PTR, DNAME, MX, SOA, DS, CDS, DNSKEY, CDNSKEY,
// RRSIG, NSEC, NSEC3, NSEC3PARAM) without building ldns records, several
// times faster. Returns false and leaves `out` as it was for other types,
// names that need escapes, and RDATA that does not decode.
bool append_common_rdata(RrType type, std::string_view rdata, std::string& out);

// Formats one record as a master-file line without a newline:
// "owner TTL IN TYPE rdata".
std::string format_rr(const Rr& rr);

// Appends format_rr(rr) to `out`.
void append_rr_text(const Rr& rr, std::string& out);

// Writes uncompressed wire format of one record (owner, type, class IN,
// TTL, RDLENGTH, RDATA) to the end of `out`.
void append_rr_wire(const Rr& rr, std::string& out);

}  // namespace signet::zone
