// Each file in tests/data/checks contains one defect; the table lists every
// diagnostic that reading and checking it must produce.
#include "zone/checks.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "base/file.h"
#include "zone/masterfile.h"

using namespace signet;

namespace {

// Reads and checks one defect file; messages name it relative to the
// checks folder.
std::vector<std::string> diagnose(const std::string& file) {
  const std::string folder = std::string(SIGNET_TEST_DATA) + "/checks/";
  std::string text = read_file(folder + file);
  model::Diagnostics diagnostics;
  zone::MasterFileLocations locations;
  zone::MasterFileOptions options;
  options.locations = &locations;
  auto zone = zone::parse_master_text(text, folder + file,
                                      *zone::Name::parse("example."), options,
                                      diagnostics);
  if (zone) {
    zone::check_zone(*zone, locations.as_source_map(), diagnostics);
  }
  std::vector<std::string> out;
  for (const auto& d : diagnostics.all()) {
    std::string line = d.text();
    for (size_t at = line.find(folder); at != std::string::npos;
         at = line.find(folder)) {
      line.erase(at, folder.size());
    }
    out.push_back(line);
  }
  return out;
}

struct Case {
  const char* file;
  std::vector<std::string> expected;
};

}  // namespace

TEST_CASE("each defect file yields its message", "[check]") {
  const std::vector<Case> cases = {
      {"class-chaos.zone",
       {"class-chaos.zone:6:9: error: class CH is not supported; Signet serves "
        "class IN zones only"}},
      {"cname-and-other-data.zone",
       {"cname-and-other-data.zone:6:1: error: CNAME at www.example. shares "
        "its name with TXT; a CNAME must be the only data at its name, so "
        "remove the CNAME or the other records (RFC 1034 section 3.6.2, RFC "
        "2181 section 10.1)"}},
      {"cname-at-apex.zone",
       {"cname-at-apex.zone:6:1: error: CNAME at the zone apex example. is not "
        "allowed: the apex holds SOA and NS, and a CNAME must be alone at its "
        "name; use A/AAAA records or an SVCB/HTTPS alias instead (RFC 1034 "
        "section 3.6.2, RFC 2181 section 10.1)"}},
      {"data-at-delegation.zone",
       {"data-at-delegation.zone:7:1: error: child.example. TXT is at the "
        "delegation point child.example. and is occluded: only NS, DS and glue "
        "belong there; move it to the child zone (RFC 1034 section 4.2.1)"}},
      {"data-below-delegation.zone",
       {"data-below-delegation.zone:7:1: error: www.child.example. TXT is "
        "below the delegation child.example. and is occluded: only glue "
        "address records (A, AAAA) may be there; move it to the child zone "
        "(RFC 1034 section 4.2.1)"}},
      {"data-below-dname.zone",
       {"data-below-dname.zone:7:1: error: www.old.example. A is below the "
        "DNAME at old.example. and is occluded: resolvers never see it; remove "
        "it or the DNAME (RFC 6672 section 2.4)"}},
      {"dname-and-cname.zone",
       {"dname-and-cname.zone:6:1: error: DNAME and CNAME at the same name "
        "old.example. are not allowed; keep one of them (RFC 2181 section "
        "10.1, RFC 6672 section 2.4)"}},
      {"dname-at-delegation.zone",
       {"dname-at-delegation.zone:7:1: error: DNAME at the delegation point "
        "child.example. is not allowed; put it in the child zone (RFC 6672 "
        "section 2.4)"}},
      {"ds-at-apex.zone",
       {"ds-at-apex.zone:6:1: error: DS records at the apex example. belong in "
        "the parent zone; remove them here (RFC 4034 section 5)"}},
      {"ds-without-delegation.zone",
       {"ds-without-delegation.zone:6:1: error: DS at child.example., which "
        "has no NS records; DS records belong only at a delegation point, so "
        "add the delegation's NS records or remove the DS (RFC 4034 section "
        "5)"}},
      {"duplicate-record.zone",
       {"duplicate-record.zone:7:1: warning: duplicate record, identical to "
        "the one at duplicate-record.zone:6:1; it is ignored (RFC 2181 section "
        "5), remove one of them"}},
      {"include-loop.zone",
       {"include-loop.zone:3:10: error: $INCLUDE of 'include-loop.zone' forms "
        "a loop: that file is already being read"}},
      {"include-missing.zone",
       {"include-missing.zone:3:10: error: cannot read $INCLUDE file "
        "'no-such-file.zone': No such file or directory"}},
      {"invalid-owner.zone",
       {"invalid-owner.zone:6:1: error: invalid owner name 'www..x': empty "
        "label in name"}},
      {"invalid-rdata.zone",
       {"invalid-rdata.zone:6:15: error: invalid A data '192.0.2.256': Syntax "
        "error, could not parse the RR's rdata"}},
      {"invalid-ttl.zone",
       {"invalid-ttl.zone:6:9: error: invalid TTL '1x'; write seconds (3600) "
        "or units (1h30m)"}},
      {"meta-type.zone",
       {"meta-type.zone:6:9: error: type AXFR is a query or meta type and "
        "cannot appear in a zone"}},
      {"missing-apex-ns.zone",
       {"missing-apex-ns.zone: error: zone example. has no NS records at its "
        "apex; add the zone's name servers (RFC 1034 section 4.2.1)"}},
      {"missing-glue.zone",
       {"missing-glue.zone:6:1: error: name server ns1.child.example. of the "
        "delegation child.example. is inside the delegated zone but has no "
        "glue; add A or AAAA records for ns1.child.example. (RFC 1034 section "
        "4.2.1)"}},
      {"missing-owner.zone",
       {"missing-owner.zone:3:9: error: record has no owner name and no "
        "earlier record to take it from; write the owner at the start of the "
        "line"}},
      {"missing-rdata.zone",
       {"missing-rdata.zone:6:9: error: record of type A has no RDATA; write "
        "its data after the type"}},
      {"missing-soa.zone",
       {"missing-soa.zone: error: zone example. has no SOA record at its apex; "
        "add one (RFC 1035 section 5.2)"}},
      {"missing-ttl.zone",
       {"missing-ttl.zone:2:3: error: record has no TTL and no $TTL line "
        "precedes it; add $TTL at the top of the file or a TTL to this "
        "record"}},
      {"multiple-cnames.zone",
       {"multiple-cnames.zone:6:1: error: www.example. has 2 CNAME records; a "
        "name has at most one (RFC 2181 section 10.1)"}},
      {"multiple-dnames.zone",
       {"multiple-dnames.zone:6:1: error: old.example. has 2 DNAME records; a "
        "name has at most one (RFC 6672 section 2.4)"}},
      {"multiple-soa.zone",
       {"multiple-soa.zone:3:1: error: zone example. has 2 SOA records at its "
        "apex; keep exactly one (RFC 1035 section 5.2)"}},
      {"mx-target-cname.zone",
       {"mx-target-cname.zone:6:1: warning: MX target mail.example. of "
        "example. is a CNAME; point it at the canonical name instead (RFC 2181 "
        "section 10.3)"}},
      {"non-glue-below-delegation.zone",
       {"non-glue-below-delegation.zone:8:1: error: www.child.example. A is "
        "below the delegation child.example. and is occluded: no NS record "
        "names it, so it is not glue; remove it or move it to the child zone "
        "(RFC 1034 section 4.2.1)"}},
      {"ns-target-cname.zone",
       {"ns-target-cname.zone:4:1: warning: NS target ns2.example. of example. "
        "is a CNAME; point it at the canonical name instead (RFC 2181 section "
        "10.3)"}},
      {"oversized-rdata.zone",
       {"oversized-rdata.zone:6:1: error: TXT record at big.example. has "
        "64768 octets of RDATA, over the limit of 64511 that fits in one DNS "
        "message; split the data across several records"}},
      {"out-of-zone-record.zone",
       {"out-of-zone-record.zone:6:1: error: out-of-zone record: "
        "www.example.net. A is not in zone example.; remove it or move it to "
        "the zone it belongs to"}},
      {"soa-below-apex.zone",
       {"soa-below-apex.zone:6:1: error: SOA record at sub.example., below the "
        "apex example.; an SOA belongs only at the zone apex, so remove it or "
        "make sub.example. a zone of its own (RFC 1035 section 5.2)"}},
      {"srv-target-cname.zone",
       {"srv-target-cname.zone:6:1: warning: SRV target sip.example. of "
        "_sip._tcp.example. is a CNAME; point it at the canonical name instead "
        "(RFC 2181 section 10.3)"}},
      {"ttl-conflict.zone",
       {"ttl-conflict.zone:7:1: error: TTL 600 of this www.example. A record "
        "differs from TTL 300 of the same RRset at ttl-conflict.zone:6:1; give "
        "every record of an RRset the same TTL (RFC 2181 section 5.2)"}},
      {"ttl-over-maximum.zone",
       {"ttl-over-maximum.zone:6:9: error: TTL 4294967295 is over the maximum "
        "2147483647 (RFC 2181 section 8)"}},
      {"unclosed-parenthesis.zone",
       {"unclosed-parenthesis.zone:6:15: error: '(' is never closed; add ')' "
        "at the end of the record"}},
      {"unclosed-quote.zone",
       {"unclosed-quote.zone:6:15: error: quoted string is not closed on its "
        "line; add the closing '\"'"}},
      {"unknown-directive.zone",
       {"unknown-directive.zone:6:1: error: unknown directive '$GENERATE'; "
        "master files support $ORIGIN, $TTL and $INCLUDE (expand $GENERATE "
        "ranges into records)"}},
      {"unknown-type.zone",
       {"unknown-type.zone:6:9: error: unknown record type 'BOGUS'; write a "
        "known mnemonic or TYPEnnn with RFC 3597 \\# RDATA"}},
      {"wildcard-ds.zone",
       {"wildcard-ds.zone:6:1: error: DS records at the wildcard name "
        "*.example. have no meaning; remove them (RFC 4592 section 4.6)"}},
      {"wildcard-ns.zone",
       {"wildcard-ns.zone:6:1: error: NS records at the wildcard name "
        "*.example. have undefined semantics; delegate explicit names instead "
        "(RFC 4592 section 4.2)"}},
  };
  for (const Case& c : cases) {
    SECTION(c.file) {
      CHECK(diagnose(c.file) == c.expected);
    }
  }
}

TEST_CASE("clean zone passes every check", "[check]") {
  std::string text =
      "$TTL 3600\n"
      "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
      "@ NS ns1\n"
      "@ NS ns.child\n"
      "@ MX 10 mail\n"
      "ns1 A 192.0.2.1\n"
      "mail AAAA 2001:db8::1\n"
      "www CNAME mail\n"
      "* TXT \"wildcard\"\n"
      "old DNAME example.net.\n"
      "child NS ns.child\n"
      "child DS 12345 13 2 "
      "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
      "ns.child A 192.0.2.53\n"
      "other NS ns.child\n";
  model::Diagnostics diagnostics;
  zone::MasterFileLocations locations;
  zone::MasterFileOptions options;
  options.locations = &locations;
  auto zone = zone::parse_master_text(
      text, "clean.zone", *zone::Name::parse("example."), options, diagnostics);
  REQUIRE(zone);
  zone::check_zone(*zone, locations.as_source_map(), diagnostics);
  for (const auto& d : diagnostics.all()) {
    UNSCOPED_INFO(d.text());
  }
  CHECK(diagnostics.all().empty());
}
