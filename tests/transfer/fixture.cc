#include "fixture.h"

#include <catch2/catch.hpp>

namespace signet::testing {

SignedVersions::SignedVersions(size_t names, const std::string& origin) {
  signer = std::make_unique<ZoneSigner>(folder.path(), origin);
  std::string error;
  if (!signer->make_keys(&error)) {
    FAIL(error);
  }
  auto name = zone::Name::parse(origin).value();
  std::vector<std::string> texts = {
      make_zone_text(origin, 1, names),
      make_zone_text(origin, 2, names, "host-new IN A 203.0.113.7\n"),
  };
  std::string third =
      make_zone_text(origin, 3, names, "host-new IN A 203.0.113.7\n");
  std::string host5 = "host5 IN A 198.51.0.5\n";
  third.erase(third.find(host5), host5.size());
  texts.push_back(third);
  for (size_t i = 0; i < texts.size(); ++i) {
    auto path =
        signer->sign(texts[i], "v" + std::to_string(i + 1), true, &error);
    if (!path) {
      FAIL(error);
    }
    auto loaded = load_master_file(*path, name, &error);
    if (!loaded) {
      FAIL(error);
    }
    versions.push_back(loaded);
  }
  for (size_t i = 1; i < versions.size(); ++i) {
    journal.push_back(std::make_shared<zone::ZoneDiff>(
        zone::diff_zones(*versions[i - 1], *versions[i])));
  }
}

std::shared_ptr<const zone::Zone> make_plain_zone(const std::string& origin,
                                                  uint32_t serial,
                                                  size_t names) {
  auto name = zone::Name::parse(origin).value();
  auto result = std::make_shared<zone::Zone>(name);
  auto ns = zone::Name::parse("ns1", name).value();
  std::string soa = ns.wire() + zone::Name::parse("hostmaster", name)->wire();
  for (uint32_t value : {serial, 3600u, 600u, 1209600u, 300u}) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      soa.push_back(static_cast<char>((value >> shift) & 0xff));
    }
  }
  result->add(name, zone::rrtype::SOA, 3600, soa);
  result->add(name, zone::rrtype::NS, 3600, ns.wire());
  for (size_t i = 1; i <= names; ++i) {
    auto host = zone::Name::parse("host" + std::to_string(i), name).value();
    std::string a = {static_cast<char>(10), static_cast<char>(i >> 16),
                     static_cast<char>(i >> 8), static_cast<char>(i)};
    result->add(host, zone::rrtype::A, 3600, a);
  }
  result->finalize();
  return result;
}

ServerFixture::ServerFixture(transfer::ServerOptions options) {
  if (options.listen.empty()) {
    options.listen = {{"127.0.0.1", 0}, {"::1", 0}};
  }
  server = std::make_unique<transfer::Server>(options);
  server->start();
  auto bound = server->bound_addresses();
  port = bound.at(0).port;
  if (bound.size() > 1) {
    port6 = bound.at(1).port;
  }
}

std::shared_ptr<const transfer::PublishedZone> ServerFixture::publish(
    std::shared_ptr<const zone::Zone> zone,
    std::vector<std::shared_ptr<const zone::ZoneDiff>> journal,
    std::vector<transfer::SecondaryPeer> secondaries) {
  auto published = std::make_shared<transfer::PublishedZone>();
  published->tenant = "tenant-a";
  published->zone = std::move(zone);
  published->journal = std::move(journal);
  if (secondaries.empty()) {
    // Port 9 (discard) on loopback: NOTIFY goes nowhere and is retried.
    secondaries = {{"local4", "127.0.0.1", 9, key.name, ""},
                   {"local6", "::1", 9, key.name, ""}};
  }
  published->secondaries = std::move(secondaries);
  published->tsig_keys = {key};
  server->publish(published);
  return published;
}

}  // namespace signet::testing
