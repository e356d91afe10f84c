#include "zone/masterfile.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "zone/rdata.h"

using namespace signet;
using zone::Name;

namespace {

Name name(const char* text) {
  return *Name::parse(text);
}

std::optional<zone::Zone> parse(const std::string& text,
                                model::Diagnostics& diagnostics,
                                const char* origin = "example.") {
  return zone::parse_master_text(text, "test.zone", name(origin), diagnostics);
}

// Every record of a zone as "owner TTL type rdata" lines.
std::vector<std::string> records(const zone::Zone& zone) {
  std::vector<std::string> out;
  zone.for_each_rr([&out](const zone::Rr& rr) {
    out.push_back(rr.owner.text() + " " + std::to_string(rr.ttl) + " " +
                  zone::type_name(rr.type) + " " +
                  zone::format_rdata(rr.type, rr.rdata));
  });
  return out;
}

std::vector<std::string> messages(const model::Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics.all()) {
    out.push_back(d.text());
  }
  return out;
}

// A temporary folder removed at the end of the test.
struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    path = std::filesystem::temp_directory_path() /
           ("signet-masterfile-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
  std::string write(const std::string& file, const std::string& text) const {
    std::filesystem::create_directories((path / file).parent_path());
    std::ofstream(path / file) << text;
    return (path / file).string();
  }
  static inline int counter = 0;
};

}  // namespace

TEST_CASE("master file reads RFC 1035 syntax", "[masterfile]") {
  model::Diagnostics diagnostics;
  auto zone = parse(
      "; comment line\n"
      "$TTL 1h30m\n"
      "@ IN SOA ns1 hostmaster ( 1 ; serial\n"
      "          7200 3600\n"
      "          1209600 300 )\n"
      "  NS ns1\n"
      "ns1 300 IN A 192.0.2.1\n"
      "ns2 IN 600 A 192.0.2.2\n"
      "txt TXT \"semi;colon (paren)\" plain\\ space\n"
      "esc\\.aped A 192.0.2.3\n"
      "\\065bc A 192.0.2.4\n"
      "$ORIGIN sub.example.\n"
      "www CNAME @\n"
      "abs.example. 2d A 192.0.2.5\n",
      diagnostics);
  INFO(messages(diagnostics).size());
  REQUIRE(zone);
  CHECK(diagnostics.all().empty());
  CHECK(records(*zone) == std::vector<std::string>{
                              "example. 5400 SOA ns1.example. "
                              "hostmaster.example. 1 7200 3600 1209600 300",
                              "example. 5400 NS ns1.example.",
                              "abc.example. 5400 A 192.0.2.4",
                              "abs.example. 172800 A 192.0.2.5",
                              "esc\\.aped.example. 5400 A 192.0.2.3",
                              "ns1.example. 300 A 192.0.2.1",
                              "ns2.example. 600 A 192.0.2.2",
                              "www.sub.example. 5400 CNAME sub.example.",
                              "txt.example. 5400 TXT \"semi;colon (paren)\" "
                              "\"plain space\"",
                          });
}

TEST_CASE("master file uses last TTL without $TTL", "[masterfile]") {
  model::Diagnostics diagnostics;
  auto zone = parse(
      "@ 600 SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
      "@ NS ns1\n",
      diagnostics);
  REQUIRE(zone);
  CHECK(zone->find(name("example."), zone::rrtype::NS)->ttl == 600);
}

TEST_CASE("master file reports every error", "[masterfile]") {
  model::Diagnostics diagnostics;
  auto zone = parse(
      "$TTL 3600\n"
      "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
      "a A 192.0.2.300\n"
      "b 5q A 192.0.2.1\n"
      "c CH A 192.0.2.1\n"
      "d A 192.0.2.1\n",
      diagnostics);
  CHECK_FALSE(zone);
  CHECK(messages(diagnostics) ==
        std::vector<std::string>{
            "test.zone:3:5: error: invalid A data '192.0.2.300': Syntax "
            "error, could not parse the RR's rdata",
            "test.zone:4:3: error: invalid TTL '5q'; write seconds (3600) or "
            "units (1h30m)",
            "test.zone:5:3: error: class CH is not supported; Signet serves "
            "class IN zones only",
        });
}

TEST_CASE("master file reads $INCLUDE relative to the file", "[masterfile]") {
  TempFolder folder;
  folder.write("parts/hosts.zone",
               "www A 192.0.2.10\n"
               "$ORIGIN deeper.example.\n"
               "x A 192.0.2.11\n");
  std::string top =
      folder.write("main.zone",
                   "$TTL 300\n"
                   "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                   "$INCLUDE parts/hosts.zone sub.example.\n"
                   "after A 192.0.2.12\n");
  model::Diagnostics diagnostics;
  auto zone = zone::read_master_file(top, name("example."), diagnostics);
  REQUIRE(zone);
  CHECK(zone->find(name("www.sub.example."), zone::rrtype::A));
  CHECK(zone->find(name("x.deeper.example."), zone::rrtype::A));
  // The include's $ORIGIN does not leak back into the including file.
  CHECK(zone->find(name("after.example."), zone::rrtype::A));
}

TEST_CASE("master file finds $INCLUDE loops", "[masterfile]") {
  TempFolder folder;
  folder.write("b.zone", "$INCLUDE a.zone\n");
  std::string a = folder.write("a.zone",
                               "$TTL 300\n"
                               "$INCLUDE b.zone\n");
  model::Diagnostics diagnostics;
  auto zone = zone::read_master_file(a, name("example."), diagnostics);
  CHECK_FALSE(zone);
  REQUIRE(diagnostics.all().size() == 1);
  CHECK(diagnostics.all()[0].location.file == folder.path / "b.zone");
  CHECK(diagnostics.all()[0].message ==
        "$INCLUDE of 'a.zone' forms a loop: that file is already being read");
}

TEST_CASE("master file refuses $INCLUDE when disabled", "[masterfile]") {
  zone::MasterFileOptions options;
  options.allow_include = false;
  model::Diagnostics diagnostics;
  auto zone = zone::parse_master_text("$INCLUDE /etc/passwd\n", "test.zone",
                                      name("example."), options, diagnostics);
  CHECK_FALSE(zone);
  CHECK(messages(diagnostics) ==
        std::vector<std::string>{"test.zone:1:1: error: $INCLUDE is not "
                                 "allowed here; put the records in this file"});
}

TEST_CASE("master file default TTL option", "[masterfile]") {
  zone::MasterFileOptions options;
  options.default_ttl = 86400;
  model::Diagnostics diagnostics;
  auto zone = zone::parse_master_text("www A 192.0.2.1\n", "test.zone",
                                      name("example."), options, diagnostics);
  REQUIRE(zone);
  CHECK(zone->find(name("www.example."), zone::rrtype::A)->ttl == 86400);
}

TEST_CASE("master file records RRset locations", "[masterfile]") {
  zone::MasterFileLocations locations;
  zone::MasterFileOptions options;
  options.locations = &locations;
  model::Diagnostics diagnostics;
  auto zone = zone::parse_master_text(
      "$TTL 60\nwww A 192.0.2.1\n  AAAA 2001:db8::1\n", "test.zone",
      name("example."), options, diagnostics);
  REQUIRE(zone);
  CHECK(locations.find(name("www.example."), zone::rrtype::AAAA).text() ==
        "test.zone:3:3");
  CHECK(locations.find(name("nope.example."), zone::rrtype::A).text() ==
        "test.zone");
}

TEST_CASE("master file writer is canonical and stable", "[masterfile]") {
  model::Diagnostics diagnostics;
  auto zone = parse(
      "$TTL 300\n"
      "b A 192.0.2.2\n"
      "@ NS ns1\n"
      "a TXT \"x\"\n"
      "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n",
      diagnostics);
  REQUIRE(zone);
  std::string text = zone::write_master_file(*zone);
  CHECK(text ==
        "$ORIGIN example.\n"
        "example.\t300\tIN\tSOA\tns1.example. hostmaster.example. 1 7200 "
        "3600 1209600 300\n"
        "example.\t300\tIN\tNS\tns1.example.\n"
        "a.example.\t300\tIN\tTXT\t\"x\"\n"
        "b.example.\t300\tIN\tA\t192.0.2.2\n");

  model::Diagnostics again;
  auto reread = parse(text, again);
  REQUIRE(reread);
  CHECK(zone::write_master_file(*reread) == text);
}
