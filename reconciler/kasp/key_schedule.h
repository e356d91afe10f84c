// Key lifecycle under a policy: first keys, rollovers and their timing.
#pragma once

#include <cstdint>
#include <vector>

#include "base/clock.h"
#include "dnssec/key_store.h"
#include "dnssec/zone_signing.h"
#include "model/policy.h"
#include "zone/name.h"

namespace signet::kasp {

// Drives each key of a zone through the RFC 7583 states with the injected
// clock. ZSKs roll by pre-publication (section 3.2). KSKs and CSKs roll by
// double-DS (section 3.3.2), with the new DNSKEY pre-published too. The new
// key's CDS/CDNSKEY appear next to the old key's. The new key signs once
// its DNSKEY has propagated and the parent was seen serving its DS
// (mark_ds_published), and then the old key retires.
class KeySchedule {
 public:
  KeySchedule(dnssec::KeyStore& store, const Clock& clock);

  // Creates keys when the zone has none for a policy key, starts the
  // rollovers that are due, stores every timing change, and returns the
  // keys in use now. `max_ttl` is the largest TTL in the zone, which old
  // signatures may stay cached for.
  dnssec::KeySet update(const zone::Name& zone, const model::Policy& policy,
                        uint32_t max_ttl);

  // The earliest time after now at which update() would change the key
  // set; 0 when nothing is scheduled (a KSK rollover waiting for the DS).
  UnixTime next_event_time(const zone::Name& zone, const model::Policy& policy,
                           uint32_t max_ttl);

  // Records that the parent serves (or no longer serves) the DS of the
  // key with `key_tag`, as seen at `when`. Returns false when the zone has
  // no such key.
  bool mark_ds_published(const zone::Name& zone, uint16_t key_tag,
                         UnixTime when);
  bool mark_ds_removed(const zone::Name& zone, uint16_t key_tag, UnixTime when);

  // The key set in use at `now` from stored keys alone.
  static dnssec::KeySet key_set(const std::vector<dnssec::KeyInfo>& keys,
                                const model::Policy& policy, UnixTime now);

 private:
  dnssec::KeyStore& store_;
  const Clock& clock_;
};

}  // namespace signet::kasp
