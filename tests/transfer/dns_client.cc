#include "dns_client.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

namespace signet::testing {
namespace {

bool make_address(const std::string& host, uint16_t port, sockaddr_storage& out,
                  socklen_t& length) {
  std::memset(&out, 0, sizeof out);
  auto* in4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

int open_socket(const std::string& server, uint16_t port,
                const std::string& source, int type, sockaddr_storage& to,
                socklen_t& to_length) {
  if (!make_address(server, port, to, to_length)) {
    return -1;
  }
  int fd = socket(to.ss_family, type, 0);
  if (!source.empty()) {
    sockaddr_storage from;
    socklen_t from_length;
    make_address(source, 0, from, from_length);
    if (bind(fd, reinterpret_cast<sockaddr*>(&from), from_length) != 0) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

bool read_exact(int fd, char* out, size_t size,
                std::chrono::milliseconds timeout) {
  size_t done = 0;
  while (done < size) {
    if (!wait_readable(fd, timeout)) {
      return false;
    }
    ssize_t n = recv(fd, out + done, size - done, 0);
    if (n <= 0) {
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Verifies one message of a signed response with ldns, an implementation
// independent of the server's.
bool ldns_verifies(const std::string& wire, const transfer::TsigKey& key,
                   const std::string& prior_mac, bool timers_only,
                   std::string* mac_out) {
  ldns_pkt* packet = nullptr;
  if (ldns_wire2pkt(&packet, reinterpret_cast<const uint8_t*>(wire.data()),
                    wire.size()) != LDNS_STATUS_OK) {
    return false;
  }
  std::string prefixed;
  prefixed.push_back(static_cast<char>(prior_mac.size() >> 8));
  prefixed.push_back(static_cast<char>(prior_mac.size() & 0xff));
  prefixed += prior_mac;
  ldns_rdf* mac = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA,
                                        prefixed.size(), prefixed.data());
  std::string secret = transfer::encode_base64(key.secret);
  bool ok = ldns_pkt_tsig_verify_next(
      packet, reinterpret_cast<const uint8_t*>(wire.data()), wire.size(),
      key.name.c_str(), secret.c_str(), mac, timers_only ? 1 : 0);
  if (ok && mac_out) {
    ldns_rr* tsig = ldns_pkt_tsig(packet);
    ldns_rdf* field = ldns_rr_rdf(tsig, 3);
    *mac_out =
        std::string(reinterpret_cast<const char*>(ldns_rdf_data(field)) + 2,
                    ldns_rdf_size(field) - 2);
  }
  ldns_rdf_deep_free(mac);
  ldns_pkt_free(packet);
  return ok;
}

}  // namespace

std::string build_query(const Query& query, const transfer::TsigKey* key,
                        std::string* request_mac, const Clock* clock) {
  auto name = zone::Name::parse(query.zone).value();
  std::string wire;
  transfer::MessageWriter writer(wire, transfer::kMaxTcpMessage);
  transfer::Header header;
  header.id = query.id;
  writer.set_header(header);
  writer.add_question(name, query.type, query.qclass);
  if (query.ixfr_serial) {
    std::string rdata = std::string("\0\0", 2);
    for (int shift = 24; shift >= 0; shift -= 8) {
      rdata.push_back(static_cast<char>((*query.ixfr_serial >> shift) & 0xff));
    }
    rdata.append(16, '\0');
    writer.add_record(transfer::MessageWriter::Section::kAuthority, name,
                      zone::rrtype::SOA, zone::kClassIn, 0, rdata);
  }
  if (query.edns) {
    writer.add_opt(query.udp_payload, 0, query.dnssec_ok);
  }
  writer.finish();
  if (key) {
    transfer::TsigSigner signer(
        *key, *transfer::tsig_algorithm_from_name(key->algorithm), "",
        clock ? *clock : SystemClock::instance());
    signer.sign(wire);
    if (request_mac) {
      *request_mac = signer.last_mac();
    }
  }
  return wire;
}

std::optional<std::string> udp_exchange(const std::string& server,
                                        uint16_t port, const std::string& wire,
                                        const std::string& source,
                                        std::chrono::milliseconds timeout) {
  sockaddr_storage to;
  socklen_t to_length;
  int fd = open_socket(server, port, source, SOCK_DGRAM, to, to_length);
  if (fd < 0) {
    return std::nullopt;
  }
  sendto(fd, wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&to),
         to_length);
  std::optional<std::string> reply;
  if (wait_readable(fd, timeout)) {
    char buffer[65536];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      reply = std::string(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  return reply;
}

TcpClient::TcpClient(const std::string& server, uint16_t port,
                     const std::string& source, int receive_buffer) {
  sockaddr_storage to;
  socklen_t to_length;
  fd_ = open_socket(server, port, source, SOCK_STREAM, to, to_length);
  if (fd_ >= 0 && receive_buffer > 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
               sizeof receive_buffer);
  }
  if (fd_ >= 0 &&
      connect(fd_, reinterpret_cast<sockaddr*>(&to), to_length) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

TcpClient::~TcpClient() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

bool TcpClient::send_raw(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n =
        ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool TcpClient::send(const std::string& wire) {
  std::string framed(2, '\0');
  framed[0] = static_cast<char>(wire.size() >> 8);
  framed[1] = static_cast<char>(wire.size() & 0xff);
  return send_raw(framed + wire);
}

std::optional<std::string> TcpClient::read_message(
    std::chrono::milliseconds timeout) {
  char prefix[2];
  if (!read_exact(fd_, prefix, 2, timeout)) {
    return std::nullopt;
  }
  size_t length =
      (static_cast<uint8_t>(prefix[0]) << 8) | static_cast<uint8_t>(prefix[1]);
  std::string message(length, '\0');
  if (!read_exact(fd_, message.data(), length, timeout)) {
    return std::nullopt;
  }
  return message;
}

bool TcpClient::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    if (!wait_readable(fd_, std::chrono::milliseconds(100))) {
      continue;
    }
    ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      return true;
    }
  }
  return false;
}

transfer::Message parse_or_fail(const std::string& wire) {
  std::string error;
  auto message = transfer::parse_message(wire, &error);
  INFO("parse error: " << error);
  REQUIRE(message);
  return *message;
}

TransferResult read_transfer(TcpClient& client, const std::string& zone,
                             const transfer::TsigKey* key,
                             const std::string& request_mac, bool ixfr) {
  TransferResult result;
  auto origin = zone::Name::parse(zone).value();
  std::optional<transfer::TsigVerifier> verifier;
  if (key) {
    verifier.emplace(*key, *transfer::tsig_algorithm_from_name(key->algorithm),
                     request_mac, SystemClock::instance());
  }
  std::string ldns_prior = request_mac;
  std::optional<uint32_t> final_serial;
  int soa_count = 0;
  bool incremental = false;
  while (true) {
    auto wire = client.read_message();
    if (!wire) {
      result.error = "connection closed before the transfer ended";
      return result;
    }
    result.messages.push_back(*wire);
    auto message = transfer::parse_message(*wire, &result.error);
    if (!message) {
      return result;
    }
    result.rcode = message->header.rcode;
    if (verifier && !verifier->verify(*wire, &result.error)) {
      return result;
    }
    if (key && !ldns_verifies(*wire, *key, ldns_prior,
                              result.messages.size() > 1, &ldns_prior)) {
      result.error = "ldns rejects the TSIG of message " +
                     std::to_string(result.messages.size());
      return result;
    }
    if (message->header.rcode != 0) {
      result.error = "rcode " + std::to_string(message->header.rcode);
      return result;
    }
    for (const auto& record : message->answers) {
      auto rdata = transfer::read_rdata(*wire, record);
      result.records.push_back(
          {record.owner, record.type, record.ttl, rdata.value_or("")});
      if (record.type != zone::rrtype::SOA || record.owner != origin) {
        continue;
      }
      uint32_t serial = transfer::read_soa_serial(*wire, record).value_or(0);
      ++soa_count;
      if (!final_serial) {
        final_serial = serial;
        continue;
      }
      if (soa_count == 2 && ixfr && serial != *final_serial) {
        incremental = true;
      }
      bool end =
          serial == *final_serial && (!incremental || soa_count % 2 == 0);
      if (end) {
        return result;
      }
    }
    if (ixfr && result.records.size() == 1 && soa_count == 1) {
      return result;  // up to date: the single SOA
    }
  }
}

}  // namespace signet::testing
