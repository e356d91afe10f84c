#include <catch2/catch.hpp>
#include <ctime>
#include <map>

#include "dnssec/crypto.h"
#include "dnssec/rrsig.h"
#include "dnssec/zone_signing.h"
#include "support.h"
#include "zone/rdata.h"

namespace signet::dnssec {
namespace {

using testing::TempDir;

// Hand-made zone with empty non-terminals, a wildcard below one, secure
// and insecure delegations (one below an empty non-terminal), glue and a
// DNAME that occludes data.
const char* const kHandMadeZone = R"(
example. 3600 IN SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300
example. 3600 IN NS ns1.example.
example. 3600 IN NS ns2.example.
ns1.example. 3600 IN A 192.0.2.1
ns2.example. 3600 IN AAAA 2001:db8::2
a.b.c.example. 300 IN A 192.0.2.3
*.x.y.example. 300 IN TXT "wildcard below an empty non-terminal"
*.example. 300 IN MX 10 mail.example.
mail.example. 300 IN A 192.0.2.4
secure.example. 3600 IN NS ns.secure.example.
secure.example. 3600 IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.secure.example. 3600 IN A 192.0.2.5
insecure.example. 3600 IN NS ns.insecure.example.
ns.insecure.example. 3600 IN A 192.0.2.6
a.deep.insecure.example. 3600 IN A 192.0.2.7
d1.only.example. 3600 IN NS ns1.example.
d2.only.example. 3600 IN NS ns2.example.
dname.example. 3600 IN DNAME target.example.
below.dname.example. 3600 IN A 192.0.2.9
)";

struct Algorithm {
  uint8_t number;
  bool split;  // KSK + ZSK instead of one CSK
};

KeySet make_keys(KeyStore& store, const zone::Name& origin, uint8_t alg,
                 bool split, UnixTime now) {
  KeyTiming timing;
  timing.publish = now - 86400;
  timing.active = now - 86400;
  KeySet set;
  if (split) {
    KeyInfo ksk =
        store.create_key(origin, model::KeyRole::kKsk, alg, 0, timing);
    KeyInfo zsk =
        store.create_key(origin, model::KeyRole::kZsk, alg, 0, timing);
    set.dnskeys = {ksk, zsk};
    set.key_signers = {ksk};
    set.zone_signers = {zsk};
    set.cds = {ksk};
  } else {
    KeyInfo csk =
        store.create_key(origin, model::KeyRole::kCsk, alg, 0, timing);
    set.dnskeys = {csk};
    set.key_signers = {csk};
    set.zone_signers = {csk};
    set.cds = {csk};
  }
  return set;
}

SigningOptions options_at(UnixTime now, model::Denial denial, bool opt_out) {
  SigningOptions o;
  o.now = now;
  o.denial = denial;
  o.nsec3.opt_out = opt_out;
  o.threads = 2;
  return o;
}

struct DenialCase {
  const char* name;
  model::Denial denial;
  bool opt_out;
};

const DenialCase kDenials[] = {
    {"NSEC", model::Denial::kNsec, false},
    {"NSEC3", model::Denial::kNsec3, false},
    {"NSEC3 opt-out", model::Denial::kNsec3, true},
};

size_t count_type(const zone::Zone& z, zone::RrType type) {
  size_t n = 0;
  z.for_each_rr([&](const zone::Rr& rr) { n += rr.type == type; });
  return n;
}

const zone::Name& name(const char* text) {
  static thread_local std::vector<std::unique_ptr<zone::Name>> names;
  names.push_back(std::make_unique<zone::Name>(*zone::Name::parse(text)));
  return *names.back();
}

}  // namespace

TEST_CASE("hand-made zone validates for every algorithm") {
  const Algorithm algorithms[] = {
      {algorithm::kRsaSha256, true},       {algorithm::kRsaSha512, false},
      {algorithm::kEcdsaP256Sha256, true}, {algorithm::kEcdsaP384Sha384, false},
      {algorithm::kEd25519, false},        {algorithm::kEd448, true},
  };
  UnixTime now = std::time(nullptr);
  zone::Zone input = testing::parse_zone(kHandMadeZone, "example.");
  for (const Algorithm& alg : algorithms) {
    if (!algorithm_supported(alg.number)) {
      WARN("OpenSSL lacks " << algorithm_name(alg.number));
      continue;
    }
    TempDir dir;
    FileKeyStore store(dir.path() / "keys");
    KeySet keys = make_keys(store, input.origin(), alg.number, alg.split, now);
    for (const DenialCase& denial : kDenials) {
      INFO(algorithm_name(alg.number) << " " << denial.name);
      SignedZone signed_zone = sign_zone(
          input, keys, store, options_at(now, denial.denial, denial.opt_out));
      CHECK(testing::verify_zone(*signed_zone.zone, dir.path(), now) == "");
    }
  }
}

TEST_CASE("occluded names are neither signed nor chained") {
  UnixTime now = std::time(nullptr);
  zone::Zone input = testing::parse_zone(kHandMadeZone, "example.");
  TempDir dir;
  FileKeyStore store(dir.path() / "keys");
  KeySet keys =
      make_keys(store, input.origin(), algorithm::kEd25519, false, now);
  SignedZone nsec = sign_zone(input, keys, store,
                              options_at(now, model::Denial::kNsec, false));
  for (const char* occluded :
       {"ns.insecure.example.", "a.deep.insecure.example.",
        "ns.secure.example.", "below.dname.example."}) {
    INFO(occluded);
    const zone::Node* node = nsec.zone->find(name(occluded));
    REQUIRE(node != nullptr);
    CHECK(node->find(zone::rrtype::RRSIG) == nullptr);
    CHECK(node->find(zone::rrtype::NSEC) == nullptr);
  }
  const zone::Node* insecure = nsec.zone->find(name("insecure.example."));
  REQUIRE(insecure != nullptr);
  const zone::Rrset* sigs = insecure->find(zone::rrtype::RRSIG);
  REQUIRE(sigs != nullptr);
  REQUIRE(sigs->rdatas.size() == 1);  // the NSEC only, not the NS
  RrsigFields fields;
  REQUIRE(parse_rrsig_fields(sigs->rdatas[0], fields));
  CHECK(fields.type_covered == zone::rrtype::NSEC);
}

TEST_CASE("wildcard RRSIG labels leave out the asterisk") {
  UnixTime now = std::time(nullptr);
  zone::Zone input = testing::parse_zone(kHandMadeZone, "example.");
  TempDir dir;
  FileKeyStore store(dir.path() / "keys");
  KeySet keys =
      make_keys(store, input.origin(), algorithm::kEd25519, false, now);
  SignedZone result = sign_zone(input, keys, store,
                                options_at(now, model::Denial::kNsec3, false));
  const zone::Rrset* sigs =
      result.zone->find(name("*.x.y.example."), zone::rrtype::RRSIG);
  REQUIRE(sigs != nullptr);
  RrsigFields fields;
  REQUIRE(parse_rrsig_fields(sigs->rdatas[0], fields));
  CHECK(fields.labels == 3);
}

TEST_CASE("NSEC3 chain covers empty non-terminals") {
  UnixTime now = std::time(nullptr);
  zone::Zone input = testing::parse_zone(kHandMadeZone, "example.");
  TempDir dir;
  FileKeyStore store(dir.path() / "keys");
  KeySet keys =
      make_keys(store, input.origin(), algorithm::kEd25519, false, now);
  auto hashed = [&](const char* text) {
    return *input.origin().prepend(
        base32hex_encode(nsec3_hash(name(text), "", 0)));
  };
  SignedZone full = sign_zone(input, keys, store,
                              options_at(now, model::Denial::kNsec3, false));
  SignedZone opt_out = sign_zone(input, keys, store,
                                 options_at(now, model::Denial::kNsec3, true));
  for (const char* ent : {"b.c.example.", "c.example.", "y.example.",
                          "x.y.example.", "only.example."}) {
    INFO(ent);
    CHECK(full.zone->find(hashed(ent), zone::rrtype::NSEC3) != nullptr);
  }
  // With opt-out, insecure delegations and the empty non-terminal above
  // only them leave the chain; the secure delegation stays.
  for (const char* gone :
       {"only.example.", "d1.only.example.", "insecure.example."}) {
    INFO(gone);
    CHECK(opt_out.zone->find(hashed(gone), zone::rrtype::NSEC3) == nullptr);
  }
  CHECK(opt_out.zone->find(hashed("secure.example."), zone::rrtype::NSEC3) !=
        nullptr);
  CHECK(count_type(*full.zone, zone::rrtype::NSEC3) ==
        count_type(*opt_out.zone, zone::rrtype::NSEC3) + 4);
}

TEST_CASE("real zones validate after signing") {
  struct RealZone {
    const char* file;
    const char* origin;
  };
  const RealZone zones[] = {
      {"10-uppercase-owner-names--example.zone", "example."},
      {"11-uppercase-rdata-names--example.zone", "example."},
      {"16-occluding-ns--example.zone", "example."},
      {"17-occluding-dname--example.zone", "example."},
      {"19-wildcard--example.zone", "example."},
      {"22-lots-rr-types--example.com.zone", "example.com."},
      {"41-rfc8976-complex-example--example.zone", "example."},
      {"42-rfc8976-uri.arpa-example--uri.arpa.zone", "uri.arpa."},
      {"43-rfc8976-root-servers.net-example--root-servers.net.zone",
       "root-servers.net."},
  };
  UnixTime now = std::time(nullptr);
  for (const RealZone& real : zones) {
    zone::Zone input = testing::read_zone(
        testing::test_data(std::string("dnssec/") + real.file), real.origin);
    TempDir dir;
    FileKeyStore store(dir.path() / "keys");
    KeySet keys = make_keys(store, input.origin(), algorithm::kEcdsaP256Sha256,
                            true, now);
    for (const DenialCase& denial : kDenials) {
      INFO(real.file << " " << denial.name);
      SignedZone result = sign_zone(
          input, keys, store, options_at(now, denial.denial, denial.opt_out));
      CHECK(testing::verify_zone(*result.zone, dir.path(), now) == "");
    }
  }
}

TEST_CASE("root zone validates with NSEC and NSEC3") {
  UnixTime now = std::time(nullptr);
  zone::Zone input = testing::read_zone(
      testing::test_data("dnssec/44-root-zone--root.zone.unsigned"), ".");
  TempDir dir;
  FileKeyStore store(dir.path() / "keys");
  KeySet keys =
      make_keys(store, input.origin(), algorithm::kEcdsaP256Sha256, true, now);
  for (const DenialCase& denial : {kDenials[0], kDenials[2]}) {
    INFO(denial.name);
    SignedZone result = sign_zone(
        input, keys, store, options_at(now, denial.denial, denial.opt_out));
    CHECK(result.rrsigs_made > 2000);
    CHECK(testing::verify_zone(*result.zone, dir.path(), now) == "");
  }
}

TEST_CASE("common RDATA text is the text ldns gives") {
  UnixTime now = std::time(nullptr);
  const char* const files[] = {
      "22-lots-rr-types--example.com.zone",
      "41-rfc8976-complex-example--example.zone",
  };

  std::vector<zone::Zone> inputs;
  inputs.push_back(testing::parse_zone(kHandMadeZone, "example."));
  inputs.push_back(testing::read_zone(
      testing::test_data(std::string("dnssec/") + files[0]), "example.com."));
  inputs.push_back(testing::read_zone(
      testing::test_data(std::string("dnssec/") + files[1]), "example."));

  std::map<zone::RrType, size_t> fast_types;
  for (const zone::Zone& input : inputs) {
    for (uint8_t alg : {algorithm::kRsaSha256, algorithm::kEd25519}) {
      TempDir dir;
      FileKeyStore store(dir.path() / "keys");
      KeySet keys = make_keys(store, input.origin(), alg, true, now);
      for (const DenialCase& denial : kDenials) {
        SigningOptions o = options_at(now, denial.denial, denial.opt_out);
        o.nsec3.salt_hex = alg == algorithm::kEd25519 ? "c0ffee" : "";
        SignedZone result = sign_zone(input, keys, store, o);
        result.zone->for_each_rr([&](const zone::Rr& rr) {
          std::string fast;
          if (!zone::append_common_rdata(rr.type, rr.rdata, fast)) {
            return;
          }
          fast_types[rr.type]++;
          INFO(input.origin().text() << " " << zone::type_name(rr.type));
          CHECK(fast == zone::format_rdata_ldns(rr.type, rr.rdata));
        });
      }
    }
  }

  for (zone::RrType type :
       {zone::rrtype::A, zone::rrtype::AAAA, zone::rrtype::NS, zone::rrtype::MX,
        zone::rrtype::SOA, zone::rrtype::DS, zone::rrtype::CDS,
        zone::rrtype::DNSKEY, zone::rrtype::CDNSKEY, zone::rrtype::RRSIG,
        zone::rrtype::NSEC, zone::rrtype::NSEC3, zone::rrtype::NSEC3PARAM,
        zone::rrtype::CNAME}) {
    INFO(zone::type_name(type));
    CHECK(fast_types[type] > 0);
  }
  // Types without a fast form, and names that need escapes, go to ldns.
  std::string out;
  CHECK_FALSE(zone::append_common_rdata(zone::rrtype::TXT, "\x01x", out));
  CHECK_FALSE(zone::append_common_rdata(zone::rrtype::NS,
                                        "\x03"
                                        "a b\x00",
                                        out));
  CHECK(out.empty());
}

}  // namespace signet::dnssec
