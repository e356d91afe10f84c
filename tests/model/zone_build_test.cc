#include <catch2/catch.hpp>

#include "model/zone_file.h"
#include "test_support.h"
#include "zone/build.h"
#include "zone/load.h"
#include "zone/masterfile.h"
#include "zone/rdata.h"
#include "zone/to_yaml.h"

namespace signet::zone {
namespace {

using model::test::data_path;
using model::test::read_text;
using model::test::texts;

Name name(const char* text) {
  return *Name::parse(text);
}

std::optional<LoadedZone> load(const std::string& relative,
                               model::Diagnostics& diagnostics) {
  std::string path = data_path(relative);
  return load_zone_yaml(relative, read_text(path), diagnostics);
}

std::vector<std::string> rdata_texts(const Zone& zone, const char* owner,
                                     RrType type) {
  std::vector<std::string> out;
  const Rrset* rrset = zone.find(name(owner), type);
  if (rrset != nullptr) {
    for (const std::string& rdata : rrset->rdatas) {
      out.push_back(format_rdata(type, rdata));
    }
  }
  return out;
}

std::vector<Rr> all_records(const Zone& zone) {
  std::vector<Rr> out;
  zone.for_each_rr([&out](const Rr& rr) { out.push_back(rr); });
  return out;
}

TEST_CASE("structured and presentation forms match", "[build]") {
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load("validate/good/structured-and-presentation.yaml", diagnostics);
  INFO(Catch::Detail::stringify(texts(diagnostics)));
  REQUIRE(loaded.has_value());
  REQUIRE(diagnostics.all().empty());
  const Zone& zone = loaded->zone;
  int compared = 0;
  for (const char* suffix : {"1", "2", "3", "4", "5"}) {
    const Node* structured =
        zone.find(name((std::string("s") + suffix + ".example.com.").c_str()));
    const Node* presentation =
        zone.find(name((std::string("p") + suffix + ".example.com.").c_str()));
    REQUIRE(structured != nullptr);
    REQUIRE(presentation != nullptr);
    REQUIRE(structured->rrsets.size() == presentation->rrsets.size());
    for (size_t i = 0; i < structured->rrsets.size(); ++i) {
      const Rrset& s = structured->rrsets[i];
      const Rrset& p = presentation->rrsets[i];
      INFO(type_name(s.type) << " at s" << suffix);
      CHECK(s.type == p.type);
      CHECK(s.ttl == p.ttl);
      CHECK(s.rdatas == p.rdatas);
      ++compared;
    }
  }
  // A, AAAA, PTR, MX, TXT, SRV, CAA, SSHFP, TLSA, SVCB, HTTPS, NAPTR, LOC,
  // CERT, URI; CNAME; DNAME; TXT strings; NS and DS.
  CHECK(compared == 15 + 1 + 1 + 1 + 2);
}

TEST_CASE("good zone builds the expected RRsets", "[build]") {
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load("validate/tenant/good/zones/example.net.yaml", diagnostics);
  INFO(Catch::Detail::stringify(texts(diagnostics)));
  REQUIRE(loaded.has_value());
  CHECK(diagnostics.all().empty());
  const Zone& zone = loaded->zone;
  CHECK(zone.origin() == name("example.net."));
  CHECK(zone.serial() == 0);
  REQUIRE(zone.soa() != nullptr);
  CHECK(zone.soa()->ttl == 86400);
  CHECK(rdata_texts(zone, "example.net.", rrtype::SOA) ==
        std::vector<std::string>{
            "ns1.example.net. john\\.doe.example.net. 0 7200 900 1209600 "
            "3600"});
  CHECK(rdata_texts(zone, "example.net.", rrtype::NS) ==
        std::vector<std::string>{"ns1.example.net.", "ns2.example.net."});
  CHECK(rdata_texts(zone, "example.net.", rrtype::MX) ==
        std::vector<std::string>{"10 mail.example.net."});
  CHECK(rdata_texts(zone, "example.net.", rrtype::TXT) ==
        std::vector<std::string>{"\"v=spf1 mx -all\""});
  CHECK(rdata_texts(zone, "mail.example.net.", rrtype::A) ==
        std::vector<std::string>{"192.0.2.25", "192.0.2.26"});
  CHECK(zone.find(name("mail.example.net."), rrtype::A)->ttl == 300);
  CHECK(zone.find(name("ns1.example.net."), rrtype::A)->ttl == 86400);
  CHECK(zone.rr_count() == 9);

  CHECK(loaded->file->policy == "nsec");
  CHECK(loaded->file->soa.serial == model::SerialPolicy::kUnixtime);
  REQUIRE(loaded->file->secondaries.size() == 1);
  CHECK(loaded->file->secondaries[0].name == "ns1");
}

TEST_CASE("record locations point at the YAML", "[build]") {
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load("validate/tenant/good/zones/example.net.yaml", diagnostics);
  REQUIRE(loaded.has_value());
  const RecordLocations& where = *loaded->locations;
  CHECK(where.find(name("mail.example.net."), rrtype::A).text() ==
        "validate/tenant/good/zones/example.net.yaml:20:5");
  CHECK(where.find(name("example.net."), rrtype::MX).text() ==
        "validate/tenant/good/zones/example.net.yaml:13:5");
  // An RRset not in the file falls back to its owner, then the zone key.
  CHECK(where.find(name("ns1.example.net."), rrtype::TXT).line == 16);
  CHECK(where.find(name("nowhere.example.net."), rrtype::A).line == 1);
  SourceMap map = where.source_map();
  CHECK(map(name("ns2.example.net."), rrtype::AAAA).line == 18);
}

TEST_CASE("record locations follow moved lines", "[build]") {
  auto at = [](int line) { return model::Location{"z.yaml", line, 5}; };
  RecordLocations before;
  before.set_fallback(at(1));
  before.set(name("a.example."), rrtype::A, at(10));
  before.set(name("b.example."), rrtype::A, at(20));
  before.set(name("b.example."), rrtype::TXT, at(21));
  before.set(name("c.example."), rrtype::A, at(30));
  before.seal();
  RecordLocations added;
  added.set(name("d.example."), rrtype::A, at(12));
  added.seal();
  // a stays, b's lines are dropped and c moves up three lines.
  std::vector<RecordLocations::LineMove> moves = {{20, 30, true, 0},
                                                  {30, 31, false, -3}};
  RecordLocations after = RecordLocations::moved(before, moves, added);
  CHECK(after.find(name("a.example."), rrtype::A).line == 10);
  CHECK(after.find(name("b.example."), rrtype::TXT).line == 1);
  CHECK(after.find(name("b.example."), 0).line == 1);
  CHECK(after.find(name("c.example."), rrtype::A).line == 27);
  CHECK(after.find(name("d.example."), rrtype::A).line == 12);
}

TEST_CASE("long TXT text splits at 255 octets", "[build]") {
  std::string text(600, 'x');
  std::string yaml =
      "zone: example.com\nsoa: {primary: ns.example.net.}\n"
      "records:\n  \"@\":\n    NS: ns.example.net.\n"
      "    TXT: " +
      text + "\n";
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load_zone_yaml("long.yaml", yaml, diagnostics);
  REQUIRE(loaded.has_value());
  const Rrset* txt = loaded->zone.find(name("example.com."), rrtype::TXT);
  REQUIRE(txt != nullptr);
  REQUIRE(txt->rdatas.size() == 1);
  const std::string& rdata = txt->rdatas[0];
  REQUIRE(rdata.size() == 600 + 3);
  CHECK(static_cast<unsigned char>(rdata[0]) == 255);
  CHECK(static_cast<unsigned char>(rdata[256]) == 255);
  CHECK(static_cast<unsigned char>(rdata[512]) == 90);
}

TEST_CASE("TXT text keeps quotes and backslashes", "[build]") {
  std::string yaml =
      "zone: example.com\nsoa: {primary: ns.example.net.}\nrecords:\n"
      "  \"@\":\n    NS: ns.example.net.\n"
      "    TXT: 'say \"hi\" \\ bye'\n";
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load_zone_yaml("quotes.yaml", yaml, diagnostics);
  REQUIRE(loaded.has_value());
  const Rrset* txt = loaded->zone.find(name("example.com."), rrtype::TXT);
  REQUIRE(txt != nullptr);
  CHECK(txt->rdatas[0] == std::string("\x0esay \"hi\" \\ bye"));
}

TEST_CASE("contact e-mail becomes an RNAME", "[build]") {
  CHECK(model::contact_to_rname("hostmaster@example.com") ==
        "hostmaster.example.com.");
  CHECK(model::contact_to_rname("john.doe@example.com.") ==
        "john\\.doe.example.com.");
  CHECK(model::contact_to_rname("hostmaster.example.com.") ==
        "hostmaster.example.com.");
}

TEST_CASE("policy that publishes CDS rejects CDS records", "[build]") {
  std::string yaml =
      "zone: example.com\nrecords:\n  \"@\":\n    NS: ns.example.net.\n"
      "    CDS: 0 0 0 00\n";
  model::Policy policy = model::default_policy();
  model::Diagnostics without_cds;
  load_zone_yaml("cds.yaml", yaml, without_cds, &policy);
  CHECK_FALSE(without_cds.has_errors());
  policy.cds = true;
  model::Diagnostics with_cds;
  load_zone_yaml("cds.yaml", yaml, with_cds, &policy);
  CHECK(with_cds.has_errors());
}

TEST_CASE("zone to YAML loads back the same records", "[to_yaml]") {
  Zone zone(name("example.org."));
  Name origin = name("example.org.");
  auto add = [&](const char* owner, RrType type, uint32_t ttl,
                 const char* text) {
    std::string error;
    std::optional<std::string> rdata = parse_rdata(type, text, origin, &error);
    INFO(text << ": " << error);
    REQUIRE(rdata.has_value());
    zone.add(*Name::parse(owner, origin), type, ttl, *rdata);
  };
  add("@", rrtype::SOA, 7200, "ns1 hostmaster 2024010101 3600 600 604800 300");
  add("@", rrtype::NS, 3600, "ns1");
  add("@", rrtype::NS, 3600, "ns2.example.net.");
  add("ns1", rrtype::A, 3600, "192.0.2.1");
  add("*", rrtype::TXT, 60, "\"wild\"");
  add("odd\\.label", rrtype::A, 3600, "192.0.2.2");
  add("text", rrtype::TXT, 3600, "\"say \\\"hi\\\"\" \"two\"");
  add("text", rrtype::TXT, 3600, "\"caf\\195\\169\"");
  add("text", rrtype::TXT, 3600, "\"\"");
  add("text", rrtype::TXT, 3600, "\"null\"");
  add("text", rrtype::TXT, 3600, "\"#not a comment: really\"");
  add("unknown", 65280, 3600, "\\# 3 010203");
  add("mx", rrtype::MX, 3600, "10 mail.example.net.");
  add("_sip._tcp", rrtype::SRV, 3600, "10 5 5060 sip.example.net.");
  add("sub", rrtype::NS, 3600, "ns1.sub");
  add("ns1.sub", rrtype::A, 3600, "192.0.2.3");
  add("sub", rrtype::DS, 3600,
      "12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE");
  add("rrsig", rrtype::A, 3600, "192.0.2.4");
  zone.finalize();

  YamlOptions options;
  options.serial = model::SerialPolicy::kDateserial;
  options.secondaries = {"ns1"};
  std::string yaml = zone_to_yaml(zone, options);
  INFO(yaml);
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load_zone_yaml("example.org.yaml", yaml, diagnostics);
  INFO(Catch::Detail::stringify(texts(diagnostics)));
  REQUIRE(loaded.has_value());
  CHECK_FALSE(diagnostics.has_errors());
  CHECK(loaded->file->soa.serial == model::SerialPolicy::kDateserial);
  REQUIRE(loaded->file->secondaries.size() == 1);

  zone.set_serial(0);
  std::vector<Rr> expected = all_records(zone);
  std::vector<Rr> actual = all_records(loaded->zone);
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO(format_rr(expected[i]) << " vs " << format_rr(actual[i]));
    CHECK(actual[i] == expected[i]);
  }
}

TEST_CASE("zone to YAML drops signer records", "[to_yaml]") {
  Zone zone(name("example.org."));
  Name origin = name("example.org.");
  zone.add(origin, rrtype::SOA, 300,
           *parse_rdata(rrtype::SOA, "ns1 hostmaster 1 2 3 4 5", origin));
  zone.add(origin, rrtype::NS, 300, *parse_rdata(rrtype::NS, "ns1", origin));
  zone.add(origin, rrtype::NSEC, 300,
           *parse_rdata(rrtype::NSEC, "example.org. NS SOA NSEC", origin));
  zone.finalize();
  std::string yaml = zone_to_yaml(zone);
  CHECK(yaml.find("NSEC") == std::string::npos);
  YamlOptions keep;
  keep.drop_dnssec = false;
  CHECK(zone_to_yaml(zone, keep).find("NSEC:") != std::string::npos);
}

}  // namespace
}  // namespace signet::zone

namespace signet::zone {
namespace {

TEST_CASE("simple RDATA matches ldns encoding", "[build]") {
  // build_zone encodes these forms itself; ldns must agree on every one.
  struct Case {
    RrType type;
    const char* text;
  };
  const Case cases[] = {
      {rrtype::A, "192.0.2.1"},
      {rrtype::AAAA, "2001:DB8::1"},
      {rrtype::AAAA, "::ffff:192.0.2.1"},
      {rrtype::NS, "NS1.Example.NET."},
      {rrtype::NS, "ns1"},
      {rrtype::CNAME, "a\\.b.example.net."},
      {rrtype::CNAME, "@"},
      {rrtype::PTR, "Host\\065.example.net."},
      {rrtype::MX, "10 MAIL"},
      {rrtype::MX, "65535 ."},
      {rrtype::MX, "0 mail.example.net."},
      {rrtype::TXT, "\"v=spf1 mx -all\""},
      {rrtype::TXT, "\"a\" \"b c\""},
      {rrtype::TXT, "\"\""},
      {rrtype::TXT, "\"x\\\"y\" \"caf\\195\\169\""},
  };
  Name origin = *Name::parse("Example.com.");
  for (const Case& c : cases) {
    INFO(type_name(c.type) << " " << c.text);
    std::string yaml = std::string("zone: example.com\n") +
                       "soa: {primary: ns.example.net.}\n" +
                       "records:\n  x:\n    " + type_name(c.type) + ": '" +
                       c.text + "'\n";
    model::Diagnostics diagnostics;
    std::optional<model::ZoneFile> file =
        model::parse_zone_file("simple.yaml", yaml, diagnostics);
    REQUIRE(file.has_value());
    std::optional<Zone> zone =
        build_zone(*file, model::default_policy(), diagnostics);
    REQUIRE(zone.has_value());
    REQUIRE_FALSE(diagnostics.has_errors());
    const Rrset* rrset = zone->find(*Name::parse("x.example.com."), c.type);
    REQUIRE(rrset != nullptr);
    std::optional<std::string> expected = parse_rdata(c.type, c.text, origin);
    REQUIRE(expected.has_value());
    CHECK(rrset->rdatas.at(0) == *expected);
  }
}

// A zone of `hosts` names, each with an A and a TXT record, as zone YAML
// (with `records_line` as its records key) and as a master file. At 20,000
// hosts the YAML is about 950 KB, so its records are parsed in several
// parts.
struct GeneratedZone {
  std::string yaml;
  std::string master;
};

GeneratedZone generate_zone(int hosts, const std::string& records_line) {
  GeneratedZone out;
  out.yaml = "zone: example.com\nsoa:\n  primary: ns1.example.com.\n" +
             records_line + "\n  '@':\n    NS: ns1\n  ns1:\n    A: 192.0.2.1\n";
  out.master =
      "$ORIGIN example.com.\n$TTL 3600\n"
      "@ SOA ns1 hostmaster 0 3600 900 1209600 3600\n"
      "@ NS ns1\nns1 A 192.0.2.1\n";
  for (int i = 0; i < hosts; ++i) {
    std::string host = "h" + std::to_string(i);
    std::string address = "10." + std::to_string(i >> 16 & 255) + "." +
                          std::to_string(i >> 8 & 255) + "." +
                          std::to_string(i & 255);
    out.yaml += "  " + host + ":\n    A: " + address + "\n    TXT: text " +
                std::to_string(i) + "\n";
    out.master += host + " A " + address + "\n" + host + " TXT \"text " +
                  std::to_string(i) + "\"\n";
  }
  return out;
}

TEST_CASE("large zone matches its master file", "[build]") {
  GeneratedZone generated = generate_zone(20000, "records:");
  REQUIRE(generated.yaml.size() > 600 * 1024);
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load_zone_yaml("big.yaml", generated.yaml, diagnostics);
  INFO(Catch::Detail::stringify(texts(diagnostics)));
  REQUIRE(loaded.has_value());
  CHECK(diagnostics.all().empty());
  model::Diagnostics master_diagnostics;
  std::optional<Zone> master = parse_master_text(
      generated.master, "big.zone", name("example.com."), master_diagnostics);
  REQUIRE(master.has_value());
  CHECK(master_diagnostics.all().empty());
  CHECK(loaded->zone.rr_count() == 2 * 20000 + 3);
  CHECK(loaded->zone.rr_count() == master->rr_count());
  CHECK(all_records(loaded->zone) == all_records(*master));
}

TEST_CASE("large zone reports exact positions", "[build]") {
  // h15000's address is invalid and h1 is written again at the end, so
  // both problems lie in a later part than the first.
  auto with_defects = [](GeneratedZone zone) {
    std::string good = "    A: 10.0.58.152\n";
    size_t at = zone.yaml.find("  h15000:\n" + good);
    REQUIRE(at != std::string::npos);
    zone.yaml.replace(at + 10, good.size(), "    A: 300.0.0.1\n");
    zone.yaml += "  h1:\n    A: 10.9.9.9\n";
    return zone.yaml;
  };
  // A tag after "records:" makes the parser read the file as one tree.
  std::string in_parts = with_defects(generate_zone(20000, "records:"));
  std::string whole = with_defects(generate_zone(20000, "records: !!map"));
  std::vector<std::string> expected = {
      "big.yaml:45010:8: error: A address '300.0.0.1' is not a valid IPv4 "
      "address (write four numbers 0-255 separated by dots, e.g. "
      "192.0.2.1)",
      "big.yaml:60009:3: error: duplicate key 'h1' in records; remove one "
      "of the two entries",
  };
  for (const std::string* text : {&in_parts, &whole}) {
    model::Diagnostics diagnostics;
    std::optional<model::ZoneFile> file =
        model::parse_zone_file("big.yaml", *text, diagnostics);
    REQUIRE(file.has_value());
    CHECK(file->records.size() == 20000 + 2);
    std::optional<Zone> zone =
        build_zone(*file, model::default_policy(), diagnostics);
    REQUIRE(zone.has_value());
    diagnostics.sort();
    CHECK(texts(diagnostics) == expected);
  }
}

}  // namespace
}  // namespace signet::zone
