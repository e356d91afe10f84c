// Signing of a whole zone: DNSKEY, CDS/CDNSKEY, NSEC or NSEC3, RRSIGs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/clock.h"
#include "dnssec/key_store.h"
#include "model/policy.h"
#include "zone/zone.h"

namespace signet::dnssec {

// The keys in use at one moment, as the key schedule decides.
struct KeySet {
  std::vector<KeyInfo> dnskeys;       // published in the DNSKEY RRset
  std::vector<KeyInfo> cds;           // published as CDS and CDNSKEY
  std::vector<KeyInfo> key_signers;   // sign DNSKEY, CDS and CDNSKEY
  std::vector<KeyInfo> zone_signers;  // sign every other RRset
};

// Signature timing and denial settings, from the policy, and the time.
struct SigningOptions {
  UnixTime now = 0;
  int64_t validity = 14 * 86400;  // expiration - inception, before jitter
  int64_t refresh = 5 * 86400;    // re-sign when this close to expiration
  int64_t jitter = 12 * 3600;     // expiration moves back by up to this
  int64_t inception_offset = 3600;
  uint32_t dnskey_ttl = 3600;
  model::Denial denial = model::Denial::kNsec3;
  model::Nsec3Params nsec3;
  unsigned threads = 1;

  // Takes the signature and denial settings from `policy`.
  static SigningOptions from_policy(const model::Policy& policy, UnixTime now,
                                    unsigned threads);
};

// A raw SHA-1 NSEC3 hash; byte order is the order of the NSEC3 chain.
using Nsec3Hash = std::array<unsigned char, 20>;

// The NSEC3 hashes of a signed zone, sorted. Kept with each version so that
// the next signing finds chain neighbours without visiting every name.
using Nsec3Hashes = std::vector<Nsec3Hash>;

struct SignedZone {
  std::shared_ptr<zone::Zone> zone;
  UnixTime refresh_due = 0;          // earliest expiration minus refresh
  UnixTime earliest_expiration = 0;  // of all signatures in the zone
  size_t rrsigs_made = 0;
  size_t rrsigs_reused = 0;
  // The NSEC3 chain's hashes; null for NSEC zones.
  std::shared_ptr<const Nsec3Hashes> nsec3_hashes;
  // Whether only the changed names and their chain neighbours were
  // visited, rather than every name.
  bool visited_changes_only = false;
};

// An earlier signing that a new one may build on.
struct PreviousSigning {
  const zone::Zone* input = nullptr;   // the unsigned zone it signed
  const zone::Zone* output = nullptr;  // the signed zone it made
  // When the first signature of `output` expires; 0 when unknown, which
  // means the full walk.
  UnixTime earliest_expiration = 0;
  std::shared_ptr<const Nsec3Hashes> nsec3_hashes;
};

// Signs `input` (finalized). RRSIG, NSEC, NSEC3 and NSEC3PARAM records in
// the input are dropped, the apex DNSKEY, CDS and CDNSKEY RRsets are
// replaced by those of `keys`, and an apex ZONEMD is dropped. With `previous`
// (an earlier output of this function), a signature is copied instead of
// created when its RRset, key and covered fields are unchanged and it is not
// due for refresh. The result then equals a full signing at the same time.
// Throws std::runtime_error when the zone has no SOA at its origin, no signing
// key, or signing fails.
SignedZone sign_zone(const zone::Zone& input, const KeySet& keys,
                     KeyStore& store, const SigningOptions& options,
                     const zone::Zone* previous = nullptr);

// Signs as above without a previous version, for an input the caller
// gives up. Its records move into the signed zone instead of being
// copied, so the two are never held at once. Leaves `input` empty.
SignedZone sign_zone(zone::Zone&& input, const KeySet& keys, KeyStore& store,
                     const SigningOptions& options);

// Signs as above with previous.output, with the same result. When no
// signature is due, the keys, signers and denial settings are those of
// `previous` and few names changed, it visits only the changed names and
// their NSEC/NSEC3 neighbours, and the result shares every other node
// with previous.output. Changes that move a zone cut (NS below the apex
// or DNAME added or removed) and NSEC3 opt-out always take the full walk.
SignedZone sign_zone(const zone::Zone& input, const KeySet& keys,
                     KeyStore& store, const SigningOptions& options,
                     const PreviousSigning& previous);

// The expiration the signer gives the RRset at `owner`/`type` when signing
// at `options.now`: validity minus a jitter derived from owner and type, so
// that any two signings at the same time agree.
uint32_t rrsig_expiration(const zone::Name& owner, zone::RrType type,
                          const SigningOptions& options);

}  // namespace signet::dnssec
