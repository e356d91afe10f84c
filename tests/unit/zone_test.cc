#include "zone/zone.h"

#include <catch2/catch.hpp>

#include "zone/diff.h"
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

TEST_CASE("zone keeps RRSIG TTL per covered type", "[zone]") {
  Name origin = name("example.");
  Zone zone(origin);
  std::string sig_a = rdata(rrtype::RRSIG,
                            "A 13 2 300 20270101000000 20260101000000 1 "
                            "example. AAAA",
                            origin);
  std::string sig_ns = rdata(rrtype::RRSIG,
                             "NS 13 1 86400 20270101000000 20260101000000 1 "
                             "example. AAAA",
                             origin);
  Name www = name("www.example.");
  zone.add(www, rrtype::RRSIG, 86400, sig_ns);
  zone.add(www, rrtype::RRSIG, 300, sig_a);
  auto merges = zone.finalize();
  CHECK(merges.empty());
  const Node* node = zone.find(www);
  REQUIRE(node != nullptr);
  REQUIRE(node->rrsets.size() == 2);
  REQUIRE(node->find_rrsig(rrtype::A) != nullptr);
  CHECK(node->find_rrsig(rrtype::A)->ttl == 300);
  REQUIRE(node->find_rrsig(rrtype::NS) != nullptr);
  CHECK(node->find_rrsig(rrtype::NS)->ttl == 86400);

  Zone next = zone;
  CHECK(next.remove(Rr{www, rrtype::RRSIG, 300, sig_a}));
  CHECK(next.find(www)->rrsets.size() == 1);
  CHECK(next.insert(Rr{www, rrtype::RRSIG, 600, sig_a}));
  CHECK(next.find(www)->find_rrsig(rrtype::A)->ttl == 600);
  CHECK(next.find(www)->find_rrsig(rrtype::NS)->ttl == 86400);
}

TEST_CASE("zone diff separates RRSIGs by covered type", "[zone]") {
  Name origin = name("example.");
  Zone before(origin);
  std::string sig_a = rdata(rrtype::RRSIG,
                            "A 13 2 300 20270101000000 20260101000000 1 "
                            "example. AAAA",
                            origin);
  std::string sig_txt = rdata(rrtype::RRSIG,
                              "TXT 13 2 60 20270101000000 20260101000000 1 "
                              "example. AAAA",
                              origin);
  Name www = name("www.example.");
  before.add(www, rrtype::RRSIG, 300, sig_a);
  before.finalize();
  Zone after = before;
  after.insert(Rr{www, rrtype::RRSIG, 60, sig_txt});
  ZoneDiff diff = diff_zones(before, after);
  CHECK(diff.removed.empty());
  REQUIRE(diff.added.size() == 1);
  CHECK(diff.added[0].ttl == 60);
  Zone applied = before;
  CHECK(apply_diff(applied, diff));
  CHECK(applied.find(www)->rrsets.size() == 2);
}

TEST_CASE("zone copies share nodes until one changes", "[zone]") {
  Name origin = name("example.");
  Zone zone(origin);
  zone.add(name("a.example."), rrtype::A, 300,
           rdata(rrtype::A, "192.0.2.1", origin));
  zone.add(name("b.example."), rrtype::A, 300,
           rdata(rrtype::A, "192.0.2.2", origin));
  Zone copy = zone;
  CHECK(copy.shares_node(0, zone, 0));
  CHECK(copy.shares_node(1, zone, 1));

  // A change to the copy replaces only the node it touches.
  copy.insert(Rr{name("b.example."), rrtype::A, 300,
                 rdata(rrtype::A, "192.0.2.3", origin)});
  CHECK(copy.shares_node(0, zone, 0));
  CHECK_FALSE(copy.shares_node(1, zone, 1));
  CHECK(zone.find(name("b.example."), rrtype::A)->rdatas.size() == 1);
  CHECK(copy.find(name("b.example."), rrtype::A)->rdatas.size() == 2);

  // A zone built afresh shares nothing until it adopts equal nodes.
  Zone fresh(origin);
  fresh.add(name("a.example."), rrtype::A, 300,
            rdata(rrtype::A, "192.0.2.1", origin));
  fresh.add(name("b.example."), rrtype::A, 300,
            rdata(rrtype::A, "192.0.2.9", origin));
  CHECK_FALSE(fresh.shares_node(0, zone, 0));
  CHECK(fresh.share_nodes_with(zone) == 1);
  CHECK(fresh.shares_node(0, zone, 0));
  CHECK_FALSE(fresh.shares_node(1, zone, 1));
  CHECK(
      format_rdata(rrtype::A,
                   fresh.find(name("b.example."), rrtype::A)->rdatas.front()) ==
      "192.0.2.9");
}
