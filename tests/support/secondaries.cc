#include "support/secondaries.h"

namespace signet::testing {

std::string secondary_kind_name(SecondaryKind kind) {
  switch (kind) {
    case SecondaryKind::kBind:
      return "BIND";
    case SecondaryKind::kKnot:
      return "Knot";
    case SecondaryKind::kNsd:
      return "NSD";
    case SecondaryKind::kPowerDns:
      return "PowerDNS";
  }
  return "unknown";
}
bool secondary_installed(SecondaryKind) {
  return false;
}
Secondary::Secondary(SecondaryConfig config) : config_(std::move(config)) {}
Secondary::~Secondary() {
  stop();
}
bool Secondary::start(std::string* error) {
  if (error)
    *error = "not implemented";
  return false;
}
void Secondary::stop() {}
std::optional<uint32_t> Secondary::soa_serial() const {
  return {};
}
bool Secondary::wait_for_serial(uint32_t, std::chrono::milliseconds) const {
  return false;
}
std::optional<std::string> Secondary::dump_zone(std::string*) const {
  return {};
}
std::string Secondary::log_tail(size_t) const {
  return {};
}
std::string Secondary::log() const {
  return {};
}
bool Secondary::write_config(std::string*) {
  return false;
}
std::vector<std::string> Secondary::command_line() const {
  return {};
}
uint16_t free_port(const std::string&) {
  return 0;
}
int run_command(const std::vector<std::string>&, std::string*,
                std::chrono::milliseconds) {
  return -1;
}

}  // namespace signet::testing
