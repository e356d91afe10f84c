// The hidden primary: a DNS server on libuv that serves published zones to
// their declared secondaries by SOA, AXFR and IXFR, and sends them NOTIFY.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "model/config.h"
#include "transfer/tsig.h"
#include "zone/diff.h"
#include "zone/name.h"
#include "zone/zone.h"

namespace signet::transfer {

// A secondary allowed to transfer a zone. Transfers are answered only when
// the request comes from `address` and is signed with `tsig_key_name`.
struct SecondaryPeer {
  std::string name;
  std::string address;  // IPv4 or IPv6 literal
  uint16_t port = 53;
  std::string tsig_key_name;
  // The address the secondary has configured for its primary. NOTIFY and
  // SOA polls leave from the listening socket bound to it, because stock
  // secondaries ignore a NOTIFY from any other address. Empty: the first
  // listen address of the secondary's address family.
  std::string primary_address;
};

// One immutable published version of a zone with what is needed to serve
// it. Never modified after publish().
struct PublishedZone {
  std::string tenant;
  std::shared_ptr<const zone::Zone> zone;  // signed, immutable
  // Differences between consecutive versions, oldest first, the last one
  // ending at zone's serial.
  std::vector<std::shared_ptr<const zone::ZoneDiff>> journal;
  std::vector<SecondaryPeer> secondaries;  // who may transfer, gets NOTIFY
  std::vector<TsigKey> tsig_keys;          // this tenant's keys only
};

struct ServerOptions {
  // UDP and TCP sockets are opened on each address; port 0 picks a free
  // port (see Server::bound_addresses()).
  std::vector<model::ListenAddress> listen;
  const Clock* clock = nullptr;  // nullptr: SystemClock::instance()
  TsigPolicy tsig;
  uint16_t tsig_fudge = 300;  // seconds

  size_t max_tcp_connections = 1500;
  // Concurrent TCP connections from one source address. A new connection
  // over this limit is closed at once, so that one client cannot hold the
  // whole max_tcp_connections pool and lock out secondaries.
  size_t max_tcp_connections_per_address = 32;
  uint32_t tcp_idle_timeout_ms = 15000;
  // Output a TCP connection may have queued before the server stops
  // producing transfer messages for it until the client reads.
  size_t max_tcp_output_bytes = 512 * 1024;

  uint32_t notify_retry_initial_ms = 1000;  // doubled after each attempt
  int notify_max_attempts = 6;
  uint32_t soa_poll_interval_ms = 60000;  // 0 disables SOA polling
};

// What the server knows about one secondary of one zone. Times are Unix
// seconds from the server's clock, 0 for never.
struct SecondaryStatus {
  std::string name;
  std::string address;
  uint16_t port = 0;
  // Serial of the last AXFR or IXFR sent to it in full.
  std::optional<uint32_t> serial_served;
  // Latest serial the secondary reported, by an IXFR request or by the
  // answer to an SOA poll, or the serial last served when newer.
  std::optional<uint32_t> secondary_serial;
  std::string last_transfer_type;  // "AXFR", "IXFR" or empty
  UnixTime last_transfer = 0;
  uint32_t last_notify_serial = 0;
  UnixTime last_notify_sent = 0;
  UnixTime last_notify_ack = 0;
  int notify_attempts = 0;  // for the current serial
  UnixTime last_poll = 0;
  bool in_sync = false;  // secondary_serial equals the published serial
};

// A DNS server that owns one thread running a libuv loop. Answers only for
// published zones: SOA queries, AXFR and IXFR to declared secondaries;
// everything else is REFUSED (or NOTAUTH for TSIG failures).
class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops the server
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the sockets and starts the loop thread. Throws
  // std::runtime_error naming the address when a socket cannot be bound.
  void start();

  // Closes every socket and connection and joins the loop thread.
  void stop();

  // Makes `zone` the served version of its origin, replacing any earlier
  // one, and sends NOTIFY to its secondaries when the serial is new.
  // Transfers in flight keep reading the version they started with.
  // Thread-safe; never waits for a transfer.
  void publish(std::shared_ptr<const PublishedZone> zone);

  // Stops serving `origin`. Transfers in flight finish. Thread-safe.
  void withdraw(const zone::Name& origin);

  // One entry per declared secondary of `origin`; empty when unpublished.
  std::vector<SecondaryStatus> secondary_status(const zone::Name& origin) const;

  // The addresses actually bound, in the order of ServerOptions::listen,
  // with the ports chosen for port 0. Valid after start().
  std::vector<model::ListenAddress> bound_addresses() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace signet::transfer
