#include "zone/zone.h"

#include <catch2/catch.hpp>

#include "zone/rdata.h"

using namespace signet::zone;

namespace {

Name name(const char* text) {
  return *Name::parse(text);
}

std::string rdata(RrType type, const char* text, const Name& origin) {
  std::string error;
  auto wire = parse_rdata(type, text, origin, &error);
  INFO(error);
  REQUIRE(wire.has_value());
  return *wire;
}

}  // namespace

TEST_CASE("rdata parses and formats common types", "[rdata]") {
  Name origin = name("example.com.");
  CHECK(format_rdata(rrtype::A, rdata(rrtype::A, "192.0.2.1", origin)) ==
        "192.0.2.1");
  CHECK(format_rdata(rrtype::MX, rdata(rrtype::MX, "10 MAIL", origin)) ==
        "10 mail.example.com.");
  CHECK(format_rdata(rrtype::TXT, rdata(rrtype::TXT, "\"a b\" c", origin)) ==
        "\"a b\" \"c\"");
  CHECK(format_rdata(65280, rdata(65280, "\\# 2 abcd", origin)) ==
        "\\# 2 abcd");
}

TEST_CASE("rdata rejects bad text with the value", "[rdata]") {
  std::string error;
  CHECK_FALSE(parse_rdata(rrtype::A, "192.0.2.256", name("example."), &error));
  CHECK(error.find("192.0.2.256") != std::string::npos);
}

TEST_CASE("zone finalize sorts, merges and reports", "[zone]") {
  Name origin = name("example.");
  Zone zone(origin);
  zone.add(name("b.example."), rrtype::A, 300,
           rdata(rrtype::A, "192.0.2.2", origin));
  zone.add(name("a.example."), rrtype::A, 300,
           rdata(rrtype::A, "192.0.2.1", origin));
  zone.add(name("b.example."), rrtype::A, 300,
           rdata(rrtype::A, "192.0.2.2", origin));
  zone.add(name("b.example."), rrtype::A, 600,
           rdata(rrtype::A, "192.0.2.3", origin));
  auto merges = zone.finalize();
  REQUIRE(zone.nodes().size() == 2);
  CHECK(zone.nodes()[0].name == name("a.example."));
  CHECK(zone.find(name("b.example."), rrtype::A)->rdatas.size() == 2);
  CHECK(zone.find(name("b.example."), rrtype::A)->ttl == 300);
  REQUIRE(merges.size() == 2);
  int duplicates = 0;
  for (const auto& m : merges) {
    duplicates += m.duplicate ? 1 : 0;
  }
  CHECK(duplicates == 1);
}

TEST_CASE("zone serial reads and writes the SOA", "[zone]") {
  Name origin = name("example.");
  Zone zone(origin);
  zone.add(origin, rrtype::SOA, 3600,
           rdata(rrtype::SOA, "ns hostmaster 42 3600 900 1209600 300", origin));
  zone.finalize();
  CHECK(zone.serial() == 42);
  zone.set_serial(4294967295u);
  CHECK(zone.serial() == 4294967295u);
}

TEST_CASE("zone insert and remove keep order", "[zone]") {
  Name origin = name("example.");
  Zone zone(origin);
  zone.finalize();
  Rr c{name("c.example."), rrtype::A, 60,
       rdata(rrtype::A, "192.0.2.3", origin)};
  Rr a{name("a.example."), rrtype::A, 60,
       rdata(rrtype::A, "192.0.2.1", origin)};
  CHECK(zone.insert(c));
  CHECK(zone.insert(a));
  CHECK_FALSE(zone.insert(a));
  REQUIRE(zone.nodes().size() == 2);
  CHECK(zone.nodes()[0].name == a.owner);
  CHECK(zone.remove(a));
  CHECK_FALSE(zone.remove(a));
  CHECK(zone.nodes().size() == 1);
}
