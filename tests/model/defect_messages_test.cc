// Each file in tests/data/validate/<kind>/ contains one defect, and the table
// lists the exact messages it must produce.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "model/config_loader.h"
#include "model/tenant_files.h"
#include "model/zone_file.h"
#include "test_support.h"
#include "zone/build.h"

namespace signet::model {
namespace {

using test::data_path;
using test::read_text;
using test::texts;

struct DefectCase {
  const char* file;  // below tests/data/validate
  std::vector<std::string> messages;
};

// Messages for the file's name alone, so the table does not depend on
// where the source tree is.
std::string file_name(const std::string& relative) {
  return std::filesystem::path(relative).filename().string();
}

// Zone files are parsed and built; semantic checks (zone::check_zone) have
// their own tests.
const DefectCase kZoneCases[] = {
    {"zone/bad-escape.yaml",
     {"bad-escape.yaml:5:3: error: owner name 'odd\\300name' is invalid: "
      "escape \\300 is over 255"}},
    {"zone/ds-digest-not-hex.yaml",
     {"ds-digest-not-hex.yaml:11:15: error: DS digest 'xyz' is not valid "
      "hexadecimal (an even number of digits 0-9, a-f)"}},
    {"zone/duplicate-key.yaml",
     {"duplicate-key.yaml:3:1: error: duplicate key 'ttl' in the zone file; "
      "remove one of the two entries"}},
    {"zone/duplicate-record.yaml",
     {"duplicate-record.yaml:6:20: warning: duplicate A record '192.0.2.1' at "
      "www.example.com.; it is published once, remove the copy"}},
    {"zone/empty-value.yaml",
     {"empty-value.yaml:6:5: error: A has no value; write the record data "
      "after 'A:'"}},
    {"zone/invalid-ipv4-address.yaml",
     {"invalid-ipv4-address.yaml:6:8: error: A address '192.0.2.256' is not a "
      "valid IPv4 address (write four numbers 0-255 separated by dots, e.g. "
      "192.0.2.1)"}},
    {"zone/invalid-ipv6-address.yaml",
     {"invalid-ipv6-address.yaml:8:18: error: AAAA address '2001:db8::g' is "
      "not a valid IPv6 address (e.g. 2001:db8::1)"}},
    {"zone/invalid-rdata.yaml",
     {"invalid-rdata.yaml:5:9: error: MX value 'ten mail.example.net.' is "
      "invalid; write 'preference exchange', e.g. '10 mail.example.com.'"}},
    {"zone/label-too-long.yaml",
     {"label-too-long.yaml:5:3: error: owner name "
      "'a123456789012345678901234567890123456789012345678901234567890123' is "
      "invalid: label "
      "'a123456789012345678901234567890123456789012345678901234567890123' is "
      "64 octets, over the limit of 63"}},
    {"zone/loc-latitude-out-of-range.yaml",
     {"loc-latitude-out-of-range.yaml:6:17: error: LOC latitude 91 is out of "
      "range; use -90 to 90 degrees"}},
    {"zone/meta-type.yaml",
     {"meta-type.yaml:5:5: error: type ANY is a query or meta type and cannot "
      "be zone data; remove it"}},
    {"zone/missing-zone-key.yaml",
     {"missing-zone-key.yaml:1:1: error: the zone file has no 'zone:' key; add "
      "the zone's name, e.g. 'zone: example.com'"}},
    {"zone/name-too-long.yaml",
     {"name-too-long.yaml:5:3: error: owner name "
      "'a123456789012345678901234567890123456789012345678901234567890."
      "b123456789012345678901234567890123456789012345678901234567890."
      "c123456789012345678901234567890123456789012345678901234567890."
      "d123456789012345678901234567890123456789012345678901234567890' is "
      "invalid: name "
      "'a123456789012345678901234567890123456789012345678901234567890."
      "b123456789012345678901234567890123456789012345678901234567890."
      "c123456789012345678901234567890123456789012345678901234567890."
      "d123456789012345678901234567890123456789012345678901234567890' is 261 "
      "octets in wire format, over the limit of 255"}},
    {"zone/owner-without-records.yaml",
     {"owner-without-records.yaml:5:3: error: owner 'www' has no records; add "
      "types such as 'A:' below it or remove it"}},
    {"zone/records-not-a-mapping.yaml",
     {"records-not-a-mapping.yaml:1:1: error: the SOA has no primary name "
      "server: add 'primary:' under 'soa:', or an NS record at the apex "
      "(\"@\")",
      "records-not-a-mapping.yaml:3:3: error: records must be a mapping of "
      "keys to values, not a list"}},
    {"zone/rrset-written-twice.yaml",
     {"rrset-written-twice.yaml:8:5: error: the A records of www.example.com. "
      "are also written at rrset-written-twice.yaml:6:5; merge the two into "
      "one list"}},
    {"zone/signer-type.yaml",
     {"signer-type.yaml:5:5: error: type DNSKEY is made by the signer under "
      "policy 'default'; remove it from the zone file"}},
    {"zone/soa-in-records.yaml",
     {"soa-in-records.yaml:5:5: error: the SOA record is made from the 'soa:' "
      "settings; move its fields there and remove it from records"}},
    {"zone/soa-literal-serial.yaml",
     {"soa-literal-serial.yaml:4:11: error: soa serial '2024010101' is a "
      "number, but Signet assigns serials itself; write how to pick them: "
      "increment, unixtime or dateserial"}},
    {"zone/soa-no-primary.yaml",
     {"soa-no-primary.yaml:1:1: error: the SOA has no primary name server: add "
      "'primary:' under 'soa:', or an NS record at the apex (\"@\")"}},
    {"zone/soa-unknown-serial-policy.yaml",
     {"soa-unknown-serial-policy.yaml:3:11: error: soa serial 'datesrial' is "
      "unknown; did you mean 'dateserial'? use increment, unixtime or "
      "dateserial"}},
    {"zone/structured-form-unsupported.yaml",
     {"structured-form-unsupported.yaml:6:7: error: HINFO has no structured "
      "form; write its RDATA as a string in presentation format"}},
    {"zone/structured-missing-field.yaml",
     {"structured-missing-field.yaml:6:7: error: MX value is missing "
      "'exchange'; its fields are preference and exchange"}},
    {"zone/structured-name-invalid.yaml",
     {"structured-name-invalid.yaml:7:17: error: MX name 'mail..example.net.' "
      "is invalid: empty label in name"}},
    {"zone/structured-unknown-field.yaml",
     {"structured-unknown-field.yaml:6:7: error: unknown key 'prefrence' in "
      "the MX value; did you mean 'preference'? allowed keys are preference "
      "and exchange",
      "structured-unknown-field.yaml:6:7: error: MX value is missing "
      "'preference'; its fields are preference and exchange"}},
    {"zone/ttl-not-a-value.yaml",
     {"ttl-not-a-value.yaml:2:6: error: ttl must be a single value, not a "
      "list"}},
    {"zone/ttl-out-of-range.yaml",
     {"ttl-out-of-range.yaml:7:12: error: ttl 2147483648 is out of range; use "
      "0 to 2147483647 seconds"}},
    {"zone/ttl-unknown-unit.yaml",
     {"ttl-unknown-unit.yaml:2:6: error: ttl '1y' is invalid: unknown unit "
      "'y'; write seconds (3600) or a number with a unit s, m, h, d or w (1h, "
      "2d, 1h30m)"}},
    {"zone/txt-string-too-long.yaml",
     {"txt-string-too-long.yaml:7:11: error: TXT string is 256 octets, over "
      "the limit of 255; split it or use 'text', which splits for you"}},
    {"zone/unknown-key.yaml",
     {"unknown-key.yaml:2:1: error: unknown key 'tll' in the zone file; did "
      "you mean 'ttl'? allowed keys are zone, policy, ttl, soa, secondaries "
      "and records"}},
    {"zone/unknown-soa-key.yaml",
     {"unknown-soa-key.yaml:4:3: error: unknown key 'refesh' in soa; did you "
      "mean 'refresh'? allowed keys are primary, mname, contact, rname, ttl, "
      "refresh, retry, expire, minimum and serial"}},
    {"zone/unknown-type.yaml",
     {"unknown-type.yaml:5:5: error: unknown record type 'MXX'; did you mean "
      "'MX'? write a type mnemonic such as A or MX, or TYPEnnn"}},
    {"zone/unquoted-at-sign.yaml",
     {"unquoted-at-sign.yaml:3:3: error: invalid YAML: unknown token; '@' "
      "cannot start a plain YAML value, so quote it: \"@\""}},
    {"zone/unquoted-wildcard.yaml",
     {"unquoted-wildcard.yaml:5:3: error: invalid YAML: end of map not found; "
      "'*' starts a YAML alias, so quote a wildcard name: \"*.example\""}},
    {"zone/value-and-values.yaml",
     {"value-and-values.yaml:9:7: error: A has both 'value' and 'values'; keep "
      "one"}},
};

const DefectCase kPolicyCases[] = {
    {"policy/algorithm-must-not-sign.yaml",
     {"algorithm-must-not-sign.yaml:1:12: error: algorithm RSAMD5 must not be "
      "used for signing (RFC 8624 section 3.1); use ECDSAP256SHA256"}},
    {"policy/algorithm-unknown.yaml",
     {"algorithm-unknown.yaml:1:12: error: algorithm 'ECDSAP512SHA512' is not "
      "a DNSSEC signing algorithm; use ECDSAP256SHA256 (13), ECDSAP384SHA384 "
      "(14), ED25519 (15), ED448 (16) or RSASHA256 (8)"}},
    {"policy/csk-with-ksk.yaml",
     {"csk-with-ksk.yaml:2:3: error: keys mix a csk with a ksk or zsk; use one "
      "csk, or a ksk and a zsk"}},
    {"policy/ecdsa-key-bits.yaml",
     {"ecdsa-key-bits.yaml:4:11: error: ECDSAP256SHA256 keys are always 256 "
      "bits; remove 'bits'"}},
    {"policy/jitter-too-large.yaml",
     {"jitter-too-large.yaml:1:1: error: signatures refresh plus jitter must "
      "be below validity, or some signatures are due for refresh when they are "
      "made; lower jitter"}},
    {"policy/nsec3-iterations-above-zero.yaml",
     {"nsec3-iterations-above-zero.yaml:3:15: warning: nsec3 iterations 10 add "
      "cost without adding protection; RFC 9276 section 3.1 says use 0"}},
    {"policy/nsec3-iterations-too-high.yaml",
     {"nsec3-iterations-too-high.yaml:3:15: error: nsec3 iterations 150 make "
      "validators treat the zone as insecure or bogus (RFC 9276 section 3.2); "
      "use 0"}},
    {"policy/nsec3-with-nsec-denial.yaml",
     {"nsec3-with-nsec-denial.yaml:2:1: error: nsec3 settings are given but "
      "denial is nsec; remove them or set 'denial: nsec3'"}},
    {"policy/refresh-not-below-validity.yaml",
     {"refresh-not-below-validity.yaml:1:1: error: signatures refresh "
      "(604800s) must be below validity (604800s), or every signature is due "
      "for refresh when it is made"}},
    {"policy/unknown-key-role.yaml",
     {"unknown-key-role.yaml:2:11: error: key role 'sep' is unknown; use csk, "
      "ksk or zsk"}},
    {"policy/unknown-key.yaml",
     {"unknown-key.yaml:1:1: error: unknown key 'signature' in the policy; did "
      "you mean 'signatures'? allowed keys are algorithm, keys, denial, nsec3, "
      "signatures, ttl, rollover and cds"}},
};

const DefectCase kSecondariesCases[] = {
    {"secondaries/invalid-address.yaml",
     {"invalid-address.yaml:3:14: error: address 'ns1.example.net' is not an "
      "IPv4 or IPv6 address; write e.g. 192.0.2.53 or 2001:db8::53"}},
    {"secondaries/missing-address.yaml",
     {"missing-address.yaml:2:3: error: secondary 'ns1' has no address; add "
      "'address:'"}},
    {"secondaries/no-tsig-key.yaml",
     {"no-tsig-key.yaml:2:3: warning: secondary 'ns1' has no tsig_key, so its "
      "transfers are authorized by address alone; add a TSIG key"}},
    {"secondaries/port-out-of-range.yaml",
     {"port-out-of-range.yaml:4:11: error: port 70000 is out of range; use 1 "
      "to 65535"}},
    {"secondaries/unknown-key.yaml",
     {"unknown-key.yaml:4:5: error: unknown key 'tsig' in secondary 'ns1'; did "
      "you mean 'tsig_key'? allowed keys are address, port and tsig_key",
      "unknown-key.yaml:2:3: warning: secondary 'ns1' has no tsig_key, so its "
      "transfers are authorized by address alone; add a TSIG key"}},
};

const DefectCase kConfigCases[] = {
    {"config/duplicate-tenant.yaml",
     {"duplicate-tenant.yaml:4:5: error: duplicate tenant name 'acme' (first "
      "declared at duplicate-tenant.yaml:2:5); give each tenant its own name"}},
    {"config/fetch-interval-too-long.yaml",
     {"fetch-interval-too-long.yaml:4:21: error: fetch_interval 2d (172800 "
      "seconds) is out of range; use 1 to 86400 seconds"}},
    {"config/invalid-listen-address.yaml",
     {"invalid-listen-address.yaml:1:13: error: dns_listen 'localhost:53' is "
      "invalid: 'localhost' is not an IPv4 or IPv6 address; write "
      "127.0.0.1:5300 or [::1]:5300"}},
    {"config/tenant-without-repository.yaml",
     {"tenant-without-repository.yaml:2:5: error: tenant 'acme' has no "
      "repository; add 'repository:' with a path or URL"}},
    {"config/tsig-algorithm-unsupported.yaml",
     {"tsig-algorithm-unsupported.yaml:6:20: error: TSIG algorithm 'hmac-md5' "
      "is not supported; use one of hmac-sha1, hmac-sha224, hmac-sha256, "
      "hmac-sha384 and hmac-sha512"}},
    {"config/unknown-key.yaml",
     {"unknown-key.yaml:2:1: error: unknown key 'tennants' in the operator "
      "configuration; did you mean 'tenants'? allowed keys are state_dir, "
      "dns_listen, http_listen, journal_depth and tenants"}},
    {"config/zone-in-two-tenants.yaml",
     {"zone-in-two-tenants.yaml:7:21: error: zone example.com. is allowed for "
      "tenant 'other' and for tenant 'acme' (zone-in-two-tenants.yaml:4:21); a "
      "zone belongs to one tenant only"}},
};

TEST_CASE("zone file defects give exact messages", "[defects]") {
  for (const DefectCase& c : kZoneCases) {
    SECTION(c.file) {
      Diagnostics diagnostics;
      std::string text =
          read_text(data_path(std::string("validate/") + c.file));
      std::optional<ZoneFile> file =
          parse_zone_file(file_name(c.file), text, diagnostics);
      if (file) {
        zone::build_zone(*file, default_policy(), diagnostics);
      }
      diagnostics.sort();
      CHECK(texts(diagnostics) == c.messages);
    }
  }
}

TEST_CASE("policy defects give exact messages", "[defects]") {
  for (const DefectCase& c : kPolicyCases) {
    SECTION(c.file) {
      Diagnostics diagnostics;
      std::string text =
          read_text(data_path(std::string("validate/") + c.file));
      parse_policy_file(file_name(c.file), "p", text, diagnostics);
      CHECK(texts(diagnostics) == c.messages);
    }
  }
}

TEST_CASE("secondaries defects give exact messages", "[defects]") {
  for (const DefectCase& c : kSecondariesCases) {
    SECTION(c.file) {
      Diagnostics diagnostics;
      std::string text =
          read_text(data_path(std::string("validate/") + c.file));
      parse_secondaries_file(file_name(c.file), text, diagnostics);
      CHECK(texts(diagnostics) == c.messages);
    }
  }
}

TEST_CASE("operator config defects give exact messages", "[defects]") {
  for (const DefectCase& c : kConfigCases) {
    SECTION(c.file) {
      Diagnostics diagnostics;
      std::string text =
          read_text(data_path(std::string("validate/") + c.file));
      parse_operator_config(file_name(c.file), text, diagnostics);
      CHECK(texts(diagnostics) == c.messages);
    }
  }
}

TEST_CASE("every defect file is in a table", "[defects]") {
  std::set<std::string> listed;
  auto add = [&listed](const auto& table) {
    for (const DefectCase& c : table) {
      listed.insert(c.file);
    }
  };
  add(kZoneCases);
  add(kPolicyCases);
  add(kSecondariesCases);
  add(kConfigCases);
  for (const char* kind : {"zone", "policy", "secondaries", "config"}) {
    for (const auto& entry : std::filesystem::directory_iterator(
             data_path(std::string("validate/") + kind))) {
      std::string relative =
          std::string(kind) + "/" + entry.path().filename().string();
      INFO(relative);
      CHECK(listed.count(relative) == 1);
    }
  }
}

}  // namespace
}  // namespace signet::model
