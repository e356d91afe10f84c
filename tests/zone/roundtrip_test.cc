// Reads every real zone in tests/data/zones, writes it back, reads the
// output again, and compares the records with what ldns reads from the
// original file.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "zone/checks.h"
#include "zone/load.h"
#include "zone/masterfile.h"
#include "zone/rdata.h"
#include "zone/to_yaml.h"

// ldns/common.h redefines bool for C, so it comes after the C++ headers.
#include <ldns/ldns.h>

using namespace signet;
using zone::Name;

namespace {

const std::string kZones = std::string(SIGNET_TEST_DATA) + "/zones/";

// RRSIG TTLs are left out because Zone keeps one TTL per owner and type.
zone::Rr comparable(zone::Rr rr) {
  if (rr.type == zone::rrtype::RRSIG) {
    rr.ttl = 0;
  }
  return rr;
}

void sort_unique(std::vector<zone::Rr>& rrs) {
  std::sort(rrs.begin(), rrs.end(), zone::canonical_less);
  rrs.erase(std::unique(rrs.begin(), rrs.end()), rrs.end());
}

struct LdnsResult {
  std::vector<zone::Rr> records;
  size_t errors = 0;
};

// Reads a master file record by record with ldns, skipping (and counting)
// records ldns cannot parse, the way a zone load that keeps going would.
LdnsResult read_with_ldns(const std::string& path, const Name& origin) {
  LdnsResult result;
  FILE* file = std::fopen(path.c_str(), "r");
  REQUIRE(file != nullptr);
  ldns_rdf* current_origin = ldns_dname_new_frm_str(origin.text().c_str());
  ldns_rdf* previous = nullptr;
  uint32_t default_ttl = 3600;
  int line = 0;

  while (!std::feof(file)) {
    ldns_rr* rr = nullptr;
    ldns_status status = ldns_rr_new_frm_fp_l(
        &rr, file, &default_ttl, &current_origin, &previous, &line);
    if (status == LDNS_STATUS_SYNTAX_EMPTY ||
        status == LDNS_STATUS_SYNTAX_TTL ||
        status == LDNS_STATUS_SYNTAX_ORIGIN) {
      continue;
    }
    if (status != LDNS_STATUS_OK) {
      ++result.errors;
      continue;
    }

    if (ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN) {
      ldns_rr2canonical(rr);
      ldns_buffer* wire = ldns_buffer_new(512);
      REQUIRE(ldns_rr_rdata2buffer_wire(wire, rr) == LDNS_STATUS_OK);
      ldns_rdf* owner = ldns_rr_owner(rr);
      std::string owner_wire(reinterpret_cast<char*>(ldns_rdf_data(owner)),
                             ldns_rdf_size(owner));
      result.records.push_back(comparable(zone::Rr{
          Name::from_canonical_wire(owner_wire),
          static_cast<zone::RrType>(ldns_rr_get_type(rr)), ldns_rr_ttl(rr),
          std::string(reinterpret_cast<char*>(ldns_buffer_begin(wire)),
                      ldns_buffer_position(wire))}));
      ldns_buffer_free(wire);
    } else {
      ++result.errors;
    }
    ldns_rr_free(rr);
  }

  ldns_rdf_deep_free(current_origin);
  ldns_rdf_deep_free(previous);
  std::fclose(file);
  sort_unique(result.records);
  return result;
}

std::vector<zone::Rr> records_of(const zone::Zone& zone) {
  std::vector<zone::Rr> out;
  zone.for_each_rr(
      [&out](const zone::Rr& rr) { out.push_back(comparable(rr)); });
  sort_unique(out);
  return out;
}

// Records of `a` that `b` lacks, as master-file lines; both sorted.
std::vector<std::string> missing_from(const std::vector<zone::Rr>& a,
                                      const std::vector<zone::Rr>& b) {
  std::vector<zone::Rr> only;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(only), zone::canonical_less);
  std::vector<std::string> lines;
  for (const zone::Rr& rr : only) {
    lines.push_back(zone::format_rr(rr));
  }
  return lines;
}

struct Case {
  const char* file;
  const char* origin;
  // Records that neither ldns 1.8.3 nor Signet parse: types ldns does not
  // know (AMTRELAY, AVC, BRID, DSYNC, HHIT, RESINFO, WALLET), SVCB keys it
  // does not know (ohttp), and IPSECKEY keys split by blanks.
  size_t read_errors;
  std::vector<std::string> check_messages;  // from check_zone
};

}  // namespace

TEST_CASE("real zones round-trip as ldns reads them", "[roundtrip]") {
  const std::vector<Case> cases = {
      {"zonemd-test-cases/10-uppercase-owner-names--example.zone",
       "example.",
       0,
       {}},
      {"zonemd-test-cases/11-uppercase-rdata-names--example.zone",
       "example.",
       0,
       {}},
      {"zonemd-test-cases/12-duplicate-rrs--example.zone", "example.", 0, {}},
      {"zonemd-test-cases/16-occluding-ns--example.zone",
       "example.",
       0,
       {"16-occluding-ns--example.zone:6:1: error: a.d.example. A is below "
        "the delegation d.example. and is occluded: no NS record names it, "
        "so it is not glue; remove it or move it to the child zone (RFC 1034 "
        "section 4.2.1)"}},
      {"zonemd-test-cases/17-occluding-dname--example.zone",
       "example.",
       0,
       {"17-occluding-dname--example.zone:6:1: error: a.d.example. A is "
        "below the DNAME at d.example. and is occluded: resolvers never see "
        "it; remove it or the DNAME (RFC 6672 section 2.4)"}},
      {"zonemd-test-cases/19-wildcard--example.zone", "example.", 0, {}},
      {"zonemd-test-cases/21-out-of-zone-data--example.zone",
       "example.",
       0,
       {}},
      {"zonemd-test-cases/22-lots-rr-types--example.com.zone",
       "example.com.",
       0,
       {"22-lots-rr-types--example.com.zone:35:1: error: DS at "
        "ds.example.com., which has no NS records; DS records belong only at "
        "a delegation point, so add the delegation's NS records or remove the "
        "DS (RFC 4034 section 5)"}},
      {"zonemd-test-cases/41-rfc8976-complex-example--example.zone",
       "example.",
       0,
       {"41-rfc8976-complex-example--example.zone:14:1: error: "
        "occluded.sub.example. TXT is below the delegation sub.example. and is "
        "occluded: only glue address records (A, AAAA) may be there; move it "
        "to the child zone (RFC 1034 section 4.2.1)",
        "41-rfc8976-complex-example--example.zone:18:1: error: out-of-zone "
        "record: foo.test. TXT is not in zone example.; remove it or move it "
        "to the zone it belongs to"}},
      {"zonemd-test-cases/42-rfc8976-uri.arpa-example--uri.arpa.zone",
       "uri.arpa.",
       0,
       {}},
      {"zonemd-test-cases/43-rfc8976-root-servers.net-example--"
       "root-servers.net.zone",
       "root-servers.net.",
       0,
       {}},
      {"zonemd-test-cases/44-root-zone--root.zone.unsigned", ".", 0, {}},
      {"zonemd-test-cases/44-root-zone--root.zone.signed", ".", 0, {}},
      {"dnspython/example",
       "example.",
       14,
       {"example:170:1: error: DS at ds01.example., which has no NS "
        "records; DS records belong only at a delegation point, so add the "
        "delegation's NS records or remove the DS (RFC 4034 section 5)"}},
      {"dnspython/example1.good",
       "example.",
       19,
       {"example1.good:49:1: error: DS at ds01.example., which has no NS "
        "records; DS records belong only at a delegation point, so add the "
        "delegation's NS records or remove the DS (RFC 4034 section 5)"}},
      {"dnspython/example2.good",
       "example.",
       19,
       {"example2.good:49:1: error: DS at ds01.example., which has no NS "
        "records; DS records belong only at a delegation point, so add the "
        "delegation's NS records or remove the DS (RFC 4034 section 5)"}},
      {"dnspython/example3.good",
       "example.",
       19,
       {"example3.good:49:1: error: DS at ds01.example., which has no NS "
        "records; DS records belong only at a delegation point, so add the "
        "delegation's NS records or remove the DS (RFC 4034 section 5)"}},
      {"dnspython/example4.good",
       "example.",
       19,
       {"example4.good:50:1: error: DS at ds01.example., which has no NS "
        "records; DS records belong only at a delegation point, so add the "
        "delegation's NS records or remove the DS (RFC 4034 section 5)"}},
  };
  for (const Case& c : cases) {
    SECTION(c.file) {
      const std::string path = kZones + c.file;
      const Name origin = *Name::parse(c.origin);

      model::Diagnostics diagnostics;
      zone::MasterFileLocations locations;
      zone::MasterFileOptions options;
      options.locations = &locations;
      // Records that ldns 1.8.3 cannot parse are compared by count only.
      options.keep_partial_zone = true;
      auto zone = zone::parse_master_text(
          [&] {
            std::FILE* f = std::fopen(path.c_str(), "rb");
            REQUIRE(f != nullptr);
            std::string text;
            char buffer[65536];
            size_t n = 0;
            while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
              text.append(buffer, n);
            }
            std::fclose(f);
            return text;
          }(),
          c.file, origin, options, diagnostics);
      LdnsResult ldns = read_with_ldns(path, origin);
      CHECK(diagnostics.error_count() == c.read_errors);
      CHECK(ldns.errors == c.read_errors);
      REQUIRE(zone);

      std::string written = zone::write_master_file(*zone);
      model::Diagnostics reread_diagnostics;
      auto reread = zone::parse_master_text(written, "written.zone", origin,
                                            reread_diagnostics);
      REQUIRE(reread);
      CHECK(reread_diagnostics.error_count() == 0);
      CHECK(zone::write_master_file(*reread) == written);
      std::vector<zone::Rr> ours = records_of(*reread);
      CHECK(missing_from(ours, ldns.records) == std::vector<std::string>{});
      CHECK(missing_from(ldns.records, ours) == std::vector<std::string>{});

      model::Diagnostics checks;
      zone::check_zone(*zone, locations.as_source_map(), checks);
      std::vector<std::string> messages;
      for (const auto& d : checks.all()) {
        std::string text = d.text();
        messages.push_back(text.substr(text.find('/') + 1));
      }
      CHECK(messages == c.check_messages);
    }
  }
}

TEST_CASE("mixed-class zone is rejected like in YAML", "[roundtrip]") {
  model::Diagnostics diagnostics;
  auto zone = zone::read_master_file(
      kZones + "zonemd-test-cases/80-mixed-classes--example.zone",
      *Name::parse("example."), diagnostics);
  CHECK_FALSE(zone);
  std::vector<std::string> messages;
  for (const auto& d : diagnostics.all()) {
    messages.push_back(d.text().substr(kZones.size()));
  }
  CHECK(messages ==
        std::vector<std::string>{
            "zonemd-test-cases/80-mixed-classes--example.zone:5:15: error: "
            "class HS is not supported; Signet serves class IN zones only",
            "zonemd-test-cases/80-mixed-classes--example.zone:6:15: error: "
            "class ANY is not supported; Signet serves class IN zones only"});
}

namespace {

// Types the YAML format leaves to the signer.
bool made_by_signer(zone::RrType type) {
  return type == zone::rrtype::RRSIG || type == zone::rrtype::NSEC ||
         type == zone::rrtype::NSEC3 || type == zone::rrtype::NSEC3PARAM ||
         type == zone::rrtype::DNSKEY;
}

std::vector<std::string> messages_without_location(
    const model::Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics.all()) {
    out.push_back(
        (d.severity == model::Severity::kError ? "error: " : "warning: ") +
        d.message);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("real zones round-trip through zone YAML", "[roundtrip]") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"zonemd-test-cases/10-uppercase-owner-names--example.zone", "example."},
      {"zonemd-test-cases/11-uppercase-rdata-names--example.zone", "example."},
      {"zonemd-test-cases/12-duplicate-rrs--example.zone", "example."},
      {"zonemd-test-cases/16-occluding-ns--example.zone", "example."},
      {"zonemd-test-cases/17-occluding-dname--example.zone", "example."},
      {"zonemd-test-cases/19-wildcard--example.zone", "example."},
      {"zonemd-test-cases/21-out-of-zone-data--example.zone", "example."},
      {"zonemd-test-cases/22-lots-rr-types--example.com.zone", "example.com."},
      {"zonemd-test-cases/41-rfc8976-complex-example--example.zone",
       "example."},
      {"zonemd-test-cases/42-rfc8976-uri.arpa-example--uri.arpa.zone",
       "uri.arpa."},
      {"zonemd-test-cases/43-rfc8976-root-servers.net-example--"
       "root-servers.net.zone",
       "root-servers.net."},
      {"zonemd-test-cases/44-root-zone--root.zone.unsigned", "."},
  };
  for (const auto& [file, origin_text] : cases) {
    SECTION(file) {
      const Name origin = *Name::parse(origin_text);
      model::Diagnostics master_diagnostics;
      zone::MasterFileLocations locations;
      zone::MasterFileOptions options;
      options.locations = &locations;
      auto zone = zone::read_master_file(kZones + file, origin, options,
                                         master_diagnostics);
      REQUIRE(zone);
      // Duplicates merge on import, so only check_zone's findings carry over.
      model::Diagnostics master_checks;
      zone::check_zone(*zone, locations.as_source_map(), master_checks);

      std::string yaml = zone::zone_to_yaml(*zone);
      model::Diagnostics yaml_diagnostics;
      auto loaded =
          zone::load_zone_yaml("imported.yaml", yaml, yaml_diagnostics);
      REQUIRE(loaded);
      // The same defects, worded the same, whichever format they came in.
      CHECK(messages_without_location(yaml_diagnostics) ==
            messages_without_location(master_checks));

      zone->set_serial(0);
      std::vector<zone::Rr> expected;
      zone->for_each_rr([&expected](const zone::Rr& rr) {
        if (!made_by_signer(rr.type)) {
          expected.push_back(rr);
        }
      });
      sort_unique(expected);
      std::vector<zone::Rr> actual = records_of(loaded->zone);
      CHECK(missing_from(expected, actual) == std::vector<std::string>{});
      CHECK(missing_from(actual, expected) == std::vector<std::string>{});
    }
  }
}
