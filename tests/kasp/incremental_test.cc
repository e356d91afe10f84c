#include <catch2/catch.hpp>

#include "dnssec/crypto.h"
#include "kasp/zone_signer.h"
#include "support.h"
#include "zone/diff.h"
#include "zone_generator.h"

namespace signet::kasp {
namespace {

using testing::TempDir;

constexpr UnixTime kStart = 1767225600;  // 2026-01-01T00:00:00Z

model::Policy policy_for(uint8_t algorithm, model::Denial denial,
                         bool opt_out) {
  model::Policy policy;
  policy.keys = {model::KeySpec{model::KeyRole::kKsk, algorithm, 0, 0},
                 model::KeySpec{model::KeyRole::kZsk, algorithm, 0, 0}};
  policy.denial = denial;
  policy.nsec3.opt_out = opt_out;
  policy.cds = true;
  return policy;
}

// A key folder in a fresh temporary folder, a clock at kStart and a
// signer over both.
struct SigningSetup {
  explicit SigningSetup(unsigned threads)
      : store(dir.path() / "keys"),
        clock(kStart),
        signer(store, clock, threads) {}

  TempDir dir;
  dnssec::FileKeyStore store;
  ManualClock clock;
  ZoneSigner signer;
};

std::shared_ptr<const zone::Zone> share(const zone::Zone& z) {
  return std::make_shared<const zone::Zone>(z);
}

// A copy that shares no node with `z`, as a zone loaded afresh from a
// commit.
std::shared_ptr<const zone::Zone> rebuild(const zone::Zone& z) {
  auto out = std::make_shared<zone::Zone>(z.origin());
  z.for_each_rr([&](const zone::Rr& rr) { out->add(rr); });
  out->finalize();
  return out;
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

}  // namespace

TEST_CASE("incremental signing equals full signing with Ed25519") {
  for (const DenialCase& denial : kDenials) {
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      INFO(denial.name << " seed " << seed);
      std::mt19937 rng(seed);
      SigningSetup setup(2);
      ZoneSigner& signer = setup.signer;
      ManualClock& clock = setup.clock;
      model::Policy policy = policy_for(dnssec::algorithm::kEd25519,
                                        denial.denial, denial.opt_out);

      zone::Zone current = testing::generate_zone(rng, 120);
      SignedVersion version = signer.sign(share(current), policy, nullptr);
      int changes_only = 0;
      for (int step = 0; step < 20; ++step) {
        std::string edit = testing::random_edit(rng, current);
        INFO("step " << step << ": " << edit);
        current.set_serial(current.serial() + 1);
        std::string previous_text = testing::zone_text(*version.signed_zone);

        // Odd steps sign a zone that shares no node with the last one.
        auto input = step % 2 == 0 ? share(current) : rebuild(current);
        SignedVersion incremental = signer.sign(input, policy, &version);
        SignedVersion full = signer.sign(share(current), policy, nullptr);
        changes_only += incremental.visited_changes_only ? 1 : 0;

        CHECK(testing::zone_text(*version.signed_zone) == previous_text);
        REQUIRE(testing::zone_text(*incremental.signed_zone) ==
                testing::zone_text(*full.signed_zone));
        CHECK(incremental.refresh_due == full.refresh_due);
        CHECK(incremental.earliest_expiration == full.earliest_expiration);
        CHECK(incremental.rrsigs_made < full.rrsigs_made);

        zone::ZoneDiff diff =
            zone::diff_zones(*version.signed_zone, *incremental.signed_zone);
        zone::Zone patched = *version.signed_zone;
        REQUIRE(zone::apply_diff(patched, diff));
        CHECK(testing::zone_text(patched) ==
              testing::zone_text(*incremental.signed_zone));
        version = incremental;
      }
      // Cut moves and opt-out take the full walk; other edits must not.
      if (denial.opt_out) {
        CHECK(changes_only == 0);
      } else {
        CHECK(changes_only >= 10);
      }
      TempDir verify_dir;
      CHECK(testing::verify_zone(*version.signed_zone, verify_dir.path(),
                                 clock.now()) == "");
    }
  }
}

TEST_CASE("incremental signing with ECDSA matches all but signatures") {
  std::mt19937 rng(42);
  SigningSetup setup(2);
  ZoneSigner& signer = setup.signer;
  model::Policy policy = policy_for(dnssec::algorithm::kEcdsaP256Sha256,
                                    model::Denial::kNsec3, false);
  zone::Zone current = testing::generate_zone(rng, 200);
  SignedVersion version = signer.sign(share(current), policy, nullptr);
  for (int step = 0; step < 20; ++step) {
    std::string edit = testing::random_edit(rng, current);
    INFO("step " << step << ": " << edit);
    current.set_serial(current.serial() + 1);
    SignedVersion incremental = signer.sign(share(current), policy, &version);
    SignedVersion full = signer.sign(share(current), policy, nullptr);
    REQUIRE(testing::text_without_signatures(*incremental.signed_zone) ==
            testing::text_without_signatures(*full.signed_zone));
    CHECK(testing::verify_all_signatures(*incremental.signed_zone) == "");
    version = incremental;
  }
}

TEST_CASE("incremental NSEC3 signing rebuilds hashes a restore lacks") {
  std::mt19937 rng(11);
  SigningSetup setup(1);
  ZoneSigner& signer = setup.signer;
  model::Policy policy =
      policy_for(dnssec::algorithm::kEd25519, model::Denial::kNsec3, false);
  zone::Zone z = testing::generate_zone(rng, 80);
  SignedVersion first = signer.sign(share(z), policy, nullptr);
  REQUIRE(first.nsec3_hashes != nullptr);
  // A version read back from the state database has no hash list.
  SignedVersion restored = first;
  restored.nsec3_hashes = nullptr;

  zone::Name owner = *zone::Name::parse("new.sub.example.");
  z.insert(zone::Rr{owner, zone::rrtype::A, 300,
                    std::string("\xc0\x00\x02\x63", 4)});
  z.set_serial(z.serial() + 1);
  SignedVersion next = signer.sign(share(z), policy, &restored);
  SignedVersion full = signer.sign(share(z), policy, nullptr);
  CHECK(next.visited_changes_only);
  CHECK(testing::zone_text(*next.signed_zone) ==
        testing::zone_text(*full.signed_zone));
  REQUIRE(next.nsec3_hashes != nullptr);
  CHECK(*next.nsec3_hashes == *full.nsec3_hashes);
}

TEST_CASE("incremental signing follows a changed refresh setting") {
  std::mt19937 rng(5);
  SigningSetup setup(1);
  ZoneSigner& signer = setup.signer;
  ManualClock& clock = setup.clock;
  model::Policy policy =
      policy_for(dnssec::algorithm::kEd25519, model::Denial::kNsec, false);
  zone::Zone z = testing::generate_zone(rng, 60);
  SignedVersion first = signer.sign(share(z), policy, nullptr);

  // An hour before the first refresh point, a refresh two hours longer
  // makes the earliest signatures due at once.
  clock.set(first.refresh_due - 3600);
  policy.signature_refresh += 2 * 3600;
  z.insert(zone::Rr{*zone::Name::parse("new.example."), zone::rrtype::A, 300,
                    std::string("\xc0\x00\x02\x63", 4)});
  z.set_serial(z.serial() + 1);
  SignedVersion next = signer.sign(share(z), policy, &first);

  // The same signing over every name: a version without a known
  // expiration takes the full walk.
  SignedVersion unknown = first;
  unknown.earliest_expiration = 0;
  SignedVersion full = signer.sign(share(z), policy, &unknown);
  CHECK_FALSE(full.visited_changes_only);
  CHECK_FALSE(next.visited_changes_only);
  CHECK(next.rrsigs_made > 3);
  CHECK(testing::zone_text(*next.signed_zone) ==
        testing::zone_text(*full.signed_zone));
  CHECK(next.earliest_expiration == full.earliest_expiration);
}

TEST_CASE("incremental signing refreshes only due signatures") {
  std::mt19937 rng(7);
  SigningSetup setup(2);
  ZoneSigner& signer = setup.signer;
  ManualClock& clock = setup.clock;
  model::Policy policy =
      policy_for(dnssec::algorithm::kEd25519, model::Denial::kNsec, false);
  zone::Zone z = testing::generate_zone(rng, 100);
  SignedVersion first = signer.sign(share(z), policy, nullptr);
  REQUIRE(first.rrsigs_made > 100);
  CHECK(first.refresh_due > kStart);

  // Nothing changed and nothing is due: every signature is kept.
  clock.advance(3600);
  SignedVersion same = signer.sign(share(z), policy, &first);
  CHECK(same.rrsigs_made == 0);
  CHECK(testing::zone_text(*same.signed_zone) ==
        testing::zone_text(*first.signed_zone));

  // At the refresh time the earliest signatures are renewed, not all.
  clock.set(first.refresh_due + 1);
  SignedVersion refreshed = signer.sign(share(z), policy, &same);
  CHECK(refreshed.rrsigs_made > 0);
  CHECK(refreshed.rrsigs_made < first.rrsigs_made);
  CHECK(refreshed.refresh_due > first.refresh_due);
  CHECK(testing::verify_all_signatures(*refreshed.signed_zone) == "");

  // Past every refresh point everything is signed again.
  clock.set(kStart + policy.signature_validity);
  SignedVersion renewed = signer.sign(share(z), policy, &same);
  CHECK(renewed.rrsigs_made == first.rrsigs_made);
}

TEST_CASE("diff of signed versions carries the changed signatures") {
  std::mt19937 rng(3);
  SigningSetup setup(1);
  ZoneSigner& signer = setup.signer;
  model::Policy policy =
      policy_for(dnssec::algorithm::kEd25519, model::Denial::kNsec, false);
  zone::Zone z = testing::generate_zone(rng, 50);
  SignedVersion v1 = signer.sign(share(z), policy, nullptr);
  zone::Name owner = *zone::Name::parse("www.example.");
  z.insert(zone::Rr{owner, zone::rrtype::A, 300,
                    std::string("\xc0\x00\x02\x63", 4)});
  z.set_serial(2);
  SignedVersion v2 = signer.sign(share(z), policy, &v1);
  zone::ZoneDiff diff = zone::diff_zones(*v1.signed_zone, *v2.signed_zone);
  CHECK(diff.from_serial == 1);
  CHECK(diff.to_serial == 2);
  // SOA, its RRSIG, the A RRset's RRSIG and the new A record.
  CHECK(diff.added.size() == 4);
  CHECK(diff.removed.size() == 3);
  CHECK(v2.rrsigs_made == 2);
}

}  // namespace signet::kasp
