#include "kasp/zone_signer.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "dnssec/zone_signing.h"

namespace signet::kasp {

namespace {

uint32_t max_ttl(const zone::Zone& zone) {
  uint32_t out = 0;
  for (const zone::Node& node : zone.nodes()) {
    for (const zone::Rrset& rrset : node.rrsets) {
      out = std::max(out, rrset.ttl);
    }
  }
  return out;
}

unsigned worker_count(unsigned threads) {
  if (threads != 0) {
    return threads;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

ZoneSigner::ZoneSigner(dnssec::KeyStore& keys, const Clock& clock,
                       unsigned threads)
    : keys_(keys),
      clock_(clock),
      threads_(worker_count(threads)),
      schedule_(keys, clock) {}

SignedVersion ZoneSigner::sign(std::shared_ptr<const zone::Zone> unsigned_zone,
                               const model::Policy& policy,
                               const SignedVersion* previous) {
  if (!unsigned_zone) {
    throw std::invalid_argument("ZoneSigner::sign needs a zone");
  }
  const zone::Name& origin = unsigned_zone->origin();
  dnssec::PreviousSigning earlier;
  if (previous != nullptr && previous->signed_zone &&
      previous->signed_zone->origin() == origin) {
    earlier.input = previous->unsigned_zone.get();
    earlier.output = previous->signed_zone.get();
    earlier.earliest_expiration = previous->earliest_expiration;
    earlier.nsec3_hashes = previous->nsec3_hashes;
  }
  UnixTime now = clock_.now();
  dnssec::KeySet keys =
      schedule_.update(origin, policy, max_ttl(*unsigned_zone));
  dnssec::SigningOptions options =
      dnssec::SigningOptions::from_policy(policy, now, threads_);
  dnssec::SignedZone result =
      dnssec::sign_zone(*unsigned_zone, keys, keys_, options, earlier);

  SignedVersion version;
  version.unsigned_zone = std::move(unsigned_zone);
  version.signed_zone = std::move(result.zone);
  version.refresh_due = result.refresh_due;
  version.earliest_expiration = result.earliest_expiration;
  version.rrsigs_made = result.rrsigs_made;
  version.nsec3_hashes = std::move(result.nsec3_hashes);
  version.visited_changes_only = result.visited_changes_only;
  return version;
}

SignedVersion ZoneSigner::sign_owned(zone::Zone unsigned_zone,
                                     const model::Policy& policy) {
  dnssec::KeySet keys =
      schedule_.update(unsigned_zone.origin(), policy, max_ttl(unsigned_zone));
  dnssec::SigningOptions options =
      dnssec::SigningOptions::from_policy(policy, clock_.now(), threads_);
  dnssec::SignedZone result =
      dnssec::sign_zone(std::move(unsigned_zone), keys, keys_, options);
  SignedVersion version;
  version.signed_zone = std::move(result.zone);
  version.refresh_due = result.refresh_due;
  version.earliest_expiration = result.earliest_expiration;
  version.rrsigs_made = result.rrsigs_made;
  version.nsec3_hashes = std::move(result.nsec3_hashes);
  return version;
}

UnixTime ZoneSigner::next_event_time(const model::Policy& policy,
                                     const SignedVersion& current) {
  const zone::Zone& zone = *current.unsigned_zone;
  UnixTime key_event =
      schedule_.next_event_time(zone.origin(), policy, max_ttl(zone));
  if (key_event == 0) {
    return current.refresh_due;
  }
  return std::min(key_event, current.refresh_due);
}

}  // namespace signet::kasp
