#include "state/serial.h"

#include <chrono>

namespace signet::state {

namespace {

// YYYYMMDD00 for the UTC date of `now`.
uint32_t date_serial(UnixTime now) {
  using namespace std::chrono;
  sys_days day = floor<days>(sys_seconds(seconds(now)));
  year_month_day date(day);
  uint32_t yyyymmdd = static_cast<uint32_t>(int(date.year())) * 10000 +
                      unsigned(date.month()) * 100 + unsigned(date.day());
  return yyyymmdd * 100;
}

}  // namespace

bool serial_gt(uint32_t a, uint32_t b) {
  constexpr uint32_t kHalf = 1u << 31;
  return (a < b && b - a > kHalf) || (a > b && a - b < kHalf);
}

uint32_t next_serial(SerialPolicy policy, std::optional<uint32_t> last,
                     UnixTime now) {
  uint32_t candidate = 0;
  switch (policy) {
    case SerialPolicy::kIncrement:
      return last ? *last + 1 : 1;
    case SerialPolicy::kUnixTime:
      candidate = static_cast<uint32_t>(now);
      break;
    case SerialPolicy::kDateSerial:
      candidate = date_serial(now);
      break;
  }
  if (!last || serial_gt(candidate, *last)) {
    return candidate;
  }
  // Unsigned addition wraps 2^32 - 1 to 0, as RFC 1982 addition does.
  return *last + 1;
}

}  // namespace signet::state
