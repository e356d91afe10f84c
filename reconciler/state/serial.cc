#include "state/serial.h"

namespace signet::state {

bool serial_gt(uint32_t a, uint32_t b) {
  return (a < b && b - a > (1u << 31)) || (a > b && a - b < (1u << 31));
}

uint32_t next_serial(SerialPolicy, std::optional<uint32_t> last, UnixTime) {
  return last ? *last + 1 : 1;
}

}  // namespace signet::state
