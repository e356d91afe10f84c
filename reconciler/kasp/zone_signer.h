// Signs zone versions under a policy, incrementally when it can.
#pragma once

#include <cstddef>
#include <memory>

#include "base/clock.h"
#include "dnssec/key_store.h"
#include "dnssec/zone_signing.h"
#include "kasp/key_schedule.h"
#include "model/policy.h"
#include "zone/zone.h"

namespace signet::kasp {

// One signed version of a zone. Immutable once returned.
struct SignedVersion {
  std::shared_ptr<const zone::Zone> unsigned_zone;  // input, with serial set
  std::shared_ptr<const zone::Zone>
      signed_zone;  // DNSKEY, RRSIG, NSEC/NSEC3(PARAM), CDS/CDNSKEY
  UnixTime refresh_due =
      0;  // when the earliest signature reaches its refresh point
  size_t rrsigs_made = 0;  // signatures created (not reused) in this call
  // When the first signature of the signed zone expires; 0 when unknown
  // (the next signing then visits every name).
  UnixTime earliest_expiration = 0;
  // True when signing visited only the changed names and their neighbours.
  bool visited_changes_only = false;
  // The NSEC3 chain's hashes, for the next incremental signing.
  std::shared_ptr<const dnssec::Nsec3Hashes> nsec3_hashes;
};

// Signs zones with the keys of one tenant.
class ZoneSigner {
 public:
  // `threads` workers sign in parallel (0 means one per core).
  ZoneSigner(dnssec::KeyStore& keys, const Clock& clock, unsigned threads);

  // Signs `unsigned_zone` (finalized, serial already set) under `policy`,
  // creating the policy's keys when the store has none for the zone.
  // With `previous`, re-signs only what changed and the signatures due for
  // refresh. Never modifies `previous`. Throws std::runtime_error when keys
  // cannot be made or used.
  SignedVersion sign(std::shared_ptr<const zone::Zone> unsigned_zone,
                     const model::Policy& policy,
                     const SignedVersion* previous);

  // Signs a zone no one needs afterwards, as sign() without `previous`
  // does, but moves its records into the signed zone instead of copying
  // them. The version has no unsigned zone.
  SignedVersion sign_owned(zone::Zone unsigned_zone,
                           const model::Policy& policy);

  // When `current` next needs signing again: the earliest of its
  // signature refresh time and the next key event; the scheduler calls
  // sign() then.
  UnixTime next_event_time(const model::Policy& policy,
                           const SignedVersion& current);

  // The key schedule, for recording what the parent serves.
  KeySchedule& schedule() { return schedule_; }

 private:
  dnssec::KeyStore& keys_;
  const Clock& clock_;
  unsigned threads_;
  KeySchedule schedule_;
};

}  // namespace signet::kasp
