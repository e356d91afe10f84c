#include "model/zone_file.h"

namespace signet::model {

const char* serial_policy_name(SerialPolicy policy) {
  switch (policy) {
    case SerialPolicy::kUnixtime:
      return "unixtime";
    case SerialPolicy::kDateserial:
      return "dateserial";
    case SerialPolicy::kIncrement:
      break;
  }
  return "increment";
}

std::optional<ZoneFile> parse_zone_file(const std::string& path,
                                        const std::string& text,
                                        Diagnostics& diagnostics) {
  (void)text;
  diagnostics.error(Location{path, 0, 0}, "zone files are not supported yet");
  return std::nullopt;
}

std::string contact_to_rname(const std::string& contact) {
  return contact;
}

}  // namespace signet::model
