// Shared setup for the transfer tests: signed zone versions with a journal,
// a TSIG key, and a running server on loopback.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "support/zone_files.h"
#include "transfer/server.h"
#include "zone/diff.h"

namespace signet::testing {

inline std::string random_secret(size_t size = 32) {
  std::random_device device;
  std::string secret(size, '\0');
  for (char& c : secret) {
    c = static_cast<char>(device());
  }
  return secret;
}

// Three signed versions of "example.test." (serials 1, 2, 3): version 2
// adds host-new, version 3 removes host5.
struct SignedVersions {
  TempFolder folder{"signet-transfer"};
  std::vector<std::shared_ptr<const zone::Zone>> versions;
  std::vector<std::shared_ptr<const zone::ZoneDiff>> journal;
  std::unique_ptr<ZoneSigner> signer;

  explicit SignedVersions(size_t names = 20,
                          const std::string& origin = "example.test.");
};

// A zone of `names` hosts without DNSSEC records, for size tests.
std::shared_ptr<const zone::Zone> make_plain_zone(const std::string& origin,
                                                  uint32_t serial,
                                                  size_t names);

struct ServerFixture {
  transfer::TsigKey key{"xfr-key.example.", "hmac-sha256", random_secret()};
  std::unique_ptr<transfer::Server> server;
  uint16_t port = 0;
  uint16_t port6 = 0;

  explicit ServerFixture(transfer::ServerOptions options = {});

  // Publishes `zone` with the journal given, declaring 127.0.0.1 (and ::1)
  // as secondaries using `key`.
  std::shared_ptr<const transfer::PublishedZone> publish(
      std::shared_ptr<const zone::Zone> zone,
      std::vector<std::shared_ptr<const zone::ZoneDiff>> journal = {},
      std::vector<transfer::SecondaryPeer> secondaries = {});
};

}  // namespace signet::testing
