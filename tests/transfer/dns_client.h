// A small blocking DNS client for the transfer tests: builds queries,
// sends them over UDP or TCP from a chosen loopback source, and reads
// transfer responses.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transfer/message.h"
#include "transfer/tsig.h"
#include "zone/rrset.h"

namespace signet::testing {

struct Query {
  Query(std::string zone_name, uint16_t query_type = zone::rrtype::SOA,
        uint16_t query_class = zone::kClassIn, uint16_t query_id = 0x1234,
        std::optional<uint32_t> serial = std::nullopt)
      : zone(std::move(zone_name)),
        type(query_type),
        qclass(query_class),
        id(query_id),
        ixfr_serial(serial) {}

  std::string zone;
  uint16_t type;
  uint16_t qclass;
  uint16_t id;
  std::optional<uint32_t> ixfr_serial;  // SOA in the authority section
  bool edns = false;
  uint16_t udp_payload = 1232;  // advertised in OPT when `edns` is set
  bool dnssec_ok = false;       // DO bit in OPT when `edns` is set
};

// The query's wire form; signs it with `key` when given and stores the
// request MAC in `request_mac`.
std::string build_query(const Query& query,
                        const transfer::TsigKey* key = nullptr,
                        std::string* request_mac = nullptr,
                        const Clock* clock = nullptr);

// Sends `wire` over UDP from `source` and waits up to `timeout` for one
// response. Returns nullopt on timeout.
std::optional<std::string> udp_exchange(
    const std::string& server, uint16_t port, const std::string& wire,
    const std::string& source = "",
    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// A TCP connection from `source` to the server. Closes on destruction.
class TcpClient {
 public:
  // A `receive_buffer` above 0 sets SO_RCVBUF before connecting, so that
  // a client that stops reading fills its window quickly.
  TcpClient(const std::string& server, uint16_t port,
            const std::string& source = "", int receive_buffer = 0);
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Sends one message with its two-octet length prefix.
  bool send(const std::string& wire);
  // Sends raw octets, for malformed framing.
  bool send_raw(const std::string& bytes);

  // Reads one length-prefixed message; nullopt on close or timeout.
  std::optional<std::string> read_message(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  // True when the server closed the connection within `timeout`.
  bool closed_by_peer(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

 private:
  int fd_ = -1;
};

// The records of one transfer response and what the messages carried.
struct TransferResult {
  std::vector<std::string> messages;
  std::vector<zone::Rr> records;  // in order, RDATA canonical
  uint8_t rcode = 0;
  std::string error;  // empty when the transfer was complete and valid
};

// Reads messages from `client` until the transfer ends (the closing SOA,
// or the single SOA of an up-to-date IXFR), verifying each message's TSIG
// with `key` when given.
TransferResult read_transfer(TcpClient& client, const std::string& zone,
                             const transfer::TsigKey* key,
                             const std::string& request_mac, bool ixfr);

// Parses `wire`, failing the test when it is not a valid message.
transfer::Message parse_or_fail(const std::string& wire);

}  // namespace signet::testing
