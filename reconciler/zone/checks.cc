#include "zone/checks.h"

namespace signet::zone {

void check_zone(const Zone& zone, const SourceMap& where,
                model::Diagnostics& out) {
  (void)zone;
  (void)where;
  (void)out;
}

}  // namespace signet::zone
