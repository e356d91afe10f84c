// SOA serial arithmetic (RFC 1982) and the serial policies zones choose.
#pragma once

#include <cstdint>
#include <optional>

#include "base/clock.h"

namespace signet::state {

// True when `a` is greater than `b` in RFC 1982 section 3.2 serial number
// arithmetic with SERIAL_BITS = 32. When the two are exactly 2^31 apart the
// comparison is undefined by the RFC, and this returns false both ways.
bool serial_gt(uint32_t a, uint32_t b);

// True when `a` is less than `b` in RFC 1982 arithmetic.
inline bool serial_lt(uint32_t a, uint32_t b) {
  return serial_gt(b, a);
}

// How a zone's SOA serial is chosen for each new version.
enum class SerialPolicy {
  kIncrement,   // last + 1
  kUnixTime,    // seconds since the epoch (mod 2^32)
  kDateSerial,  // YYYYMMDDnn in UTC
};

// Returns the serial for the next version of a zone. `last` is the serial
// published before, or nullopt for the first version. The result is always
// greater than `last` in RFC 1982 arithmetic: when the policy's value
// (the clock for kUnixTime, today's date for kDateSerial) is not ahead of
// `last`, as after the clock went back or after 100 versions in one day,
// it is last + 1, wrapping past 2^32 - 1 to 0.
uint32_t next_serial(SerialPolicy policy, std::optional<uint32_t> last,
                     UnixTime now);

}  // namespace signet::state
