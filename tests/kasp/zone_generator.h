// Random zones and edits for the incremental signing tests.
#pragma once

#include <random>
#include <string>

#include "zone/zone.h"

namespace signet::testing {

// Builds a finalized zone "example." with `names` owner names: A, AAAA,
// TXT, MX and CNAME records, delegations with and without DS (with glue),
// multi-label names that create empty non-terminals, and wildcards.
zone::Zone generate_zone(std::mt19937& rng, int names);

// Applies one random change to `zone`: adds or removes a record, changes a
// TTL, adds or removes a delegation, or removes a whole name. Returns a
// description for test messages.
std::string random_edit(std::mt19937& rng, zone::Zone& zone);

// Checks every RRSIG of a signed zone against its RRset and DNSKEY.
// Returns "" when all verify, else the first failure.
std::string verify_all_signatures(const zone::Zone& zone);

// `zone` as text with the signature octets cut from every RRSIG, so that
// zones signed with a randomized algorithm can be compared.
std::string text_without_signatures(const zone::Zone& zone);

}  // namespace signet::testing
