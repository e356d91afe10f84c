// Compact BLOB encodings of records for the state database: a sequence of
// uncompressed wire-format RRs (owner, type, class, TTL, RDLENGTH, RDATA).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zone/diff.h"
#include "zone/zone.h"

namespace signet::state {

// Encodes every record of `zone`, apex SOA first.
std::string encode_zone(const zone::Zone& zone);

// Decodes encode_zone() output into a finalized zone with `origin`.
// Returns nullopt when the bytes are not a valid record sequence.
std::optional<zone::Zone> decode_zone(std::string_view blob,
                                      const zone::Name& origin);

// Encodes a diff: from and to serials and the removed-record count as
// 32-bit big-endian numbers, then the removed and the added records.
std::string encode_diff(const zone::ZoneDiff& diff);
std::optional<zone::ZoneDiff> decode_diff(std::string_view blob);

}  // namespace signet::state
