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

// Formats one record as a master-file line without a newline:
// "owner TTL IN TYPE rdata".
std::string format_rr(const Rr& rr);

// Writes uncompressed wire format of one record (owner, type, class IN,
// TTL, RDLENGTH, RDATA) to the end of `out`.
void append_rr_wire(const Rr& rr, std::string& out);

}  // namespace signet::zone
