#include <algorithm>
#include <catch2/catch.hpp>
#include <ctime>
#include <map>
#include <set>

#include "dnssec/crypto.h"
#include "dnssec/rrsig.h"
#include "kasp/zone_signer.h"
#include "support.h"
#include "zone_generator.h"

namespace signet::kasp {
namespace {

constexpr int64_t kDay = 86400;

// The year starts at the real time so that dnssec-verify, which checks
// signature times against the system clock, can check the first steps.
const UnixTime kStart = std::time(nullptr);

// A parent zone that publishes a DS for every key offered by CDS a day
// after it appears, and withdraws it a day after the CDS goes.
class Parent {
 public:
  void observe(const SignedVersion& version, KeySchedule& schedule,
               UnixTime now) {
    const zone::Zone& z = *version.signed_zone;
    std::set<uint16_t> offered;
    if (const zone::Rrset* cds = z.find(z.origin(), zone::rrtype::CDS)) {
      for (const std::string& rdata : cds->rdatas) {
        offered.insert(
            static_cast<uint16_t>((static_cast<unsigned char>(rdata[0]) << 8) |
                                  static_cast<unsigned char>(rdata[1])));
      }
    }
    for (uint16_t tag : offered) {
      if (!published_.count(tag)) {
        if (!first_seen_.count(tag)) {
          first_seen_[tag] = now;
        } else if (now - first_seen_[tag] >= kDay) {
          published_.insert(tag);
          schedule.mark_ds_published(z.origin(), tag, now);
        }
      }
    }
    for (auto it = published_.begin(); it != published_.end();) {
      if (!offered.count(*it)) {
        schedule.mark_ds_removed(z.origin(), *it, now);
        it = published_.erase(it);
      } else {
        ++it;
      }
    }
  }

  const std::set<uint16_t>& ds() const { return published_; }

 private:
  std::map<uint16_t, UnixTime> first_seen_;
  std::set<uint16_t> published_;
};

// True when a DS at the parent matches a key that signs the DNSKEY RRset.
bool chain_of_trust(const Parent& parent, const zone::Zone& z) {
  const zone::Rrset* sigs =
      z.find(z.origin())->find_rrsig(zone::rrtype::DNSKEY);
  for (const std::string& sig : sigs->rdatas) {
    dnssec::RrsigFields fields;
    dnssec::parse_rrsig_fields(sig, fields);
    if (fields.type_covered == zone::rrtype::DNSKEY &&
        parent.ds().count(fields.key_tag)) {
      return true;
    }
  }
  return false;
}

void run_year(model::Policy policy, size_t expected_min_keys) {
  testing::TempDir dir;
  dnssec::FileKeyStore store(dir.path() / "keys");
  ManualClock clock(kStart);
  ZoneSigner signer(store, clock, 2);
  std::mt19937 rng(11);
  auto unsigned_zone =
      std::make_shared<const zone::Zone>(testing::generate_zone(rng, 10));
  Parent parent;

  SignedVersion version = signer.sign(unsigned_zone, policy, nullptr);
  parent.observe(version, signer.schedule(), clock.now());
  int steps = 0;
  while (clock.now() < kStart + 365 * kDay) {
    UnixTime next = signer.next_event_time(policy, version);
    // Wake at least every three days so the parent acts on CDS changes.
    next = std::min(std::max(next, clock.now() + 1), clock.now() + 3 * kDay);
    clock.set(next);
    version = signer.sign(unsigned_zone, policy, &version);
    parent.observe(version, signer.schedule(), clock.now());
    ++steps;
    INFO("day " << (clock.now() - kStart) / kDay << " step " << steps);
    REQUIRE(testing::verify_all_signatures(*version.signed_zone) == "");
    if (clock.now() > kStart + 2 * kDay) {
      REQUIRE(chain_of_trust(parent, *version.signed_zone));
    }
    // The external validators are slower; run them every few steps.
    if (steps % 10 == 0 || clock.now() < kStart + 600) {
      REQUIRE(testing::verify_zone(*version.signed_zone, dir.path(),
                                   clock.now()) == "");
    }
  }
  CHECK(store.list_keys(unsigned_zone->origin()).size() >= expected_min_keys);
}

}  // namespace

TEST_CASE("a year of KSK and ZSK rollovers keeps the zone valid") {
  model::Policy policy;
  policy.keys = {
      model::KeySpec{model::KeyRole::kKsk, dnssec::algorithm::kEcdsaP256Sha256,
                     0, 120 * kDay},
      model::KeySpec{model::KeyRole::kZsk, dnssec::algorithm::kEcdsaP256Sha256,
                     0, 30 * kDay}};
  policy.cds = true;
  // 3 KSKs (start, day ~120, day ~240) and 13 ZSKs.
  run_year(policy, 15);
}

TEST_CASE("a year of CSK rollovers keeps the zone valid") {
  model::Policy policy;
  policy.keys = {model::KeySpec{model::KeyRole::kCsk,
                                dnssec::algorithm::kEd25519, 0, 60 * kDay}};
  policy.cds = true;
  policy.denial = model::Denial::kNsec;
  run_year(policy, 6);
}

TEST_CASE("first signing creates the policy's keys") {
  testing::TempDir dir;
  dnssec::FileKeyStore store(dir.path() / "keys");
  ManualClock clock(kStart);
  ZoneSigner signer(store, clock, 1);
  std::mt19937 rng(5);
  auto z = std::make_shared<const zone::Zone>(testing::generate_zone(rng, 5));
  model::Policy policy = model::default_policy();
  SignedVersion v = signer.sign(z, policy, nullptr);
  std::vector<dnssec::KeyInfo> keys = store.list_keys(z->origin());
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].role == model::KeyRole::kCsk);
  CHECK(keys[0].algorithm == 13);
  CHECK(v.signed_zone->find(z->origin(), zone::rrtype::NSEC3PARAM) != nullptr);
  // Signing again reuses the stored key.
  signer.sign(z, policy, &v);
  CHECK(store.list_keys(z->origin()).size() == 1);
}

}  // namespace signet::kasp
