// Stock DNS secondaries for tests: BIND, Knot, NSD or PowerDNS started on a
// free loopback port in a temporary folder, as a TSIG secondary of one zone.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace signet::testing {

enum class SecondaryKind { kBind, kKnot, kNsd, kPowerDns };

// "BIND", "Knot", "NSD" or "PowerDNS".
std::string secondary_kind_name(SecondaryKind kind);

// True when the daemon and its tools are installed.
bool secondary_installed(SecondaryKind kind);

struct SecondaryConfig {
  SecondaryKind kind = SecondaryKind::kBind;
  std::string zone;  // absolute, with the trailing dot
  std::string primary_address = "127.0.0.1";
  uint16_t primary_port = 0;
  std::string tsig_key_name;
  std::string tsig_algorithm = "hmac-sha256";
  std::string tsig_secret;  // raw bytes
  std::string listen_address = "127.0.0.1";
  // SOA refresh is taken from the zone; the harness sets no shorter
  // refresh, so a change that arrives within seconds arrived by NOTIFY.
};

// One running secondary, owning its temporary folder and process. The
// destructor stops the process and removes the folder, unless keep_folder()
// was called or SIGNET_KEEP_SECONDARY_FOLDERS is set in the environment.
class Secondary {
 public:
  // Creates the folder and picks the port; start() runs the daemon.
  explicit Secondary(SecondaryConfig config);
  ~Secondary();
  Secondary(const Secondary&) = delete;
  Secondary& operator=(const Secondary&) = delete;

  // Writes the configuration, starts the daemon in the foreground and
  // waits until it answers on its port. Returns false with the reason and
  // the log tail in `error`.
  bool start(std::string* error);

  // Sends SIGTERM to the daemon's PID, waits for the port to close, then
  // SIGKILL if needed.
  void stop();

  const SecondaryConfig& config() const { return config_; }
  const std::string& address() const { return config_.listen_address; }
  uint16_t port() const { return port_; }
  const std::string& folder() const { return folder_; }
  pid_t pid() const { return pid_; }
  std::string name() const { return secondary_kind_name(config_.kind); }

  // The serial of the zone's SOA as this secondary serves it, or nullopt
  // when it does not answer authoritatively.
  std::optional<uint32_t> soa_serial() const;

  // Polls soa_serial() until it equals `serial` or `timeout` passes.
  bool wait_for_serial(uint32_t serial,
                       std::chrono::milliseconds timeout) const;

  // The zone as this secondary serves it, in master-file format, or
  // nullopt with the reason in `error`.
  std::optional<std::string> dump_zone(std::string* error = nullptr) const;

  // The daemon's log (stdout, stderr and any log file), for test failure
  // messages; the last `max_bytes` octets.
  std::string log_tail(size_t max_bytes = 4000) const;

  // Full log text, for checks on what the daemon reported.
  std::string log() const;

  // Keeps the folder after destruction, for inspection.
  void keep_folder() { keep_folder_ = true; }

 private:
  bool write_config(std::string* error);
  std::vector<std::string> command_line() const;

  SecondaryConfig config_;
  std::string folder_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool keep_folder_ = false;
};

// A port on `address` that no process is bound to for TCP and UDP at the
// time of the call.
uint16_t free_port(const std::string& address = "127.0.0.1");

// Runs `argv` in folder `cwd` (empty: the current one) with its output
// captured, waiting at most `timeout`. Returns the exit status (-1 on
// timeout or failure to start) and stores stdout and stderr together in
// `output`.
int run_command(const std::vector<std::string>& argv, std::string* output,
                std::chrono::milliseconds timeout = std::chrono::seconds(60),
                const std::string& cwd = "");

}  // namespace signet::testing
