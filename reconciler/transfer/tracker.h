// Per zone and secondary bookkeeping: NOTIFY (RFC 1996) with retries, SOA
// polls, and the serial each secondary is known to hold.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "transfer/server.h"

namespace signet::transfer {

// A NOTIFY or SOA query to send to a secondary.
struct OutboundMessage {
  std::string address;  // destination, normalized
  uint16_t port = 0;
  std::string source_address;  // the primary address the secondary knows
  std::string wire;
};

// The canonical text of an IPv4 or IPv6 literal, or "" when invalid.
std::string normalize_address(const std::string& address);

// Thread-safe: publish(), withdraw() and status() may be called from any
// thread; the server's loop thread calls the rest.
class SecondaryTracker {
 public:
  SecondaryTracker(const ServerOptions& options, const Clock& clock);

  // Starts tracking `zone`'s secondaries, keeping what is known about the
  // ones it already tracked. Schedules NOTIFY when the serial changed.
  void publish(std::shared_ptr<const PublishedZone> zone);
  void withdraw(const zone::Name& origin);

  // NOTIFY messages and SOA polls due at `now_ms` (a monotonic clock in
  // milliseconds). Each is counted as sent.
  std::vector<OutboundMessage> take_due(uint64_t now_ms);

  // Handles a response that reached a server socket. Returns true when it
  // answered an outstanding NOTIFY or SOA poll and verified.
  bool on_response(std::string_view wire, const std::string& address,
                   uint16_t port);

  // A secondary at `address` asked for an IXFR from `serial`.
  void on_ixfr_request(const zone::Name& origin, const std::string& address,
                       uint32_t serial);

  // A transfer of `serial` to `address` was written completely.
  void on_transfer_sent(const zone::Name& origin, const std::string& address,
                        uint32_t serial, const char* type);

  std::vector<SecondaryStatus> status(const zone::Name& origin) const;

 private:
  struct Secondary {
    SecondaryPeer peer;
    std::string address;  // normalized peer.address
    SecondaryStatus status;
    bool notify_pending = false;
    uint64_t next_notify_ms = 0;
    uint32_t notify_delay_ms = 0;
    uint64_t next_poll_ms = 0;
    bool poll_after_transfer = false;
  };
  struct ZoneState {
    std::shared_ptr<const PublishedZone> zone;
    std::vector<Secondary> secondaries;
  };
  struct Outstanding {
    zone::Name origin;
    std::string secondary;  // SecondaryPeer::name
    bool notify = false;
    uint32_t serial = 0;
    std::string address;
    uint16_t port = 0;
    std::unique_ptr<TsigVerifier> verifier;
    uint64_t expires_ms = 0;
  };

  std::optional<OutboundMessage> build_query(const ZoneState& zone,
                                             const Secondary& secondary,
                                             bool notify, uint64_t now_ms);
  void update_sync(const ZoneState& zone, Secondary& secondary);
  Secondary* find(ZoneState& zone, const std::string& name);

  const ServerOptions& options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<zone::Name, ZoneState> zones_;
  std::map<uint16_t, Outstanding> outstanding_;
  std::mt19937 random_;
};

}  // namespace signet::transfer
