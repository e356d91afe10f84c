// Comparisons between zone versions that decide whether to publish.
#pragma once

#include <memory>
#include <string>

#include "model/policy.h"
#include "model/zone_file.h"
#include "state/serial.h"
#include "zone/zone.h"

namespace signet::service {

// True when two finalized zones hold the same records, ignoring the SOA
// serial. Used to skip commits that do not change a zone's data.
bool same_data_ignoring_serial(const zone::Zone& a, const zone::Zone& b);

// The unsigned zone inside a signed one: every record except DNSKEY,
// RRSIG, NSEC, NSEC3, NSEC3PARAM, CDS and CDNSKEY, which the signer makes.
// Rebuilds the signer's input after a restart from the stored snapshot.
std::shared_ptr<zone::Zone> strip_dnssec(const zone::Zone& signed_zone);

// A text form of every field of `policy`, equal for equal policies.
std::string policy_fingerprint(const model::Policy& policy);

// The state layer's serial policy for a zone file's setting.
state::SerialPolicy serial_policy(model::SerialPolicy policy);

}  // namespace signet::service
