// The state a tenant's loop keeps for one zone between runs. Private to
// the service library.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kasp/zone_signer.h"
#include "model/policy.h"
#include "service/reconciler.h"
#include "state/serial.h"
#include "state/store.h"
#include "transfer/server.h"

namespace signet::service {

struct Reconciler::ZoneState {
  zone::Name origin;
  kasp::SignedVersion version;  // the published version
  uint32_t serial = 0;
  model::Policy policy;
  std::string policy_fingerprint;
  bool policy_known = false;  // false after restore() until a commit loads
  state::SerialPolicy serial_policy = state::SerialPolicy::kIncrement;
  std::vector<transfer::SecondaryPeer> secondaries;
  std::vector<std::shared_ptr<const zone::ZoneDiff>> journal;
  state::CommitInfo commit;
  // A commit for this zone was rejected after the published version, so
  // the next good commit is published with a new serial even when its data
  // equals the published version (a revert), and status names that commit.
  bool rejected_since_publish = false;
};

}  // namespace signet::service
