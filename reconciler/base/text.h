// Text helpers for output that a tenant's input can reach.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signet {

// Returns `text` with ASCII control characters (below 0x20, and 0x7f)
// written as \xNN, so that a name or value from a tenant's files cannot
// start a new log line or send terminal escapes. Other bytes pass as
// they are.
std::string printable(std::string_view text);

// Returns the seconds in one duration unit as BIND-style TTLs and the YAML
// durations write them: s, m, h, d or w, in either case. Returns nullopt
// for any other character.
std::optional<int64_t> duration_unit_seconds(char unit);

}  // namespace signet
