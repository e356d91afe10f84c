// Authenticated denial of existence: NSEC (RFC 4034) and NSEC3 (RFC 5155).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/policy.h"
#include "zone/zone.h"

namespace signet::dnssec {

// Treatment of a node of a zone being signed.
enum class NodeKind : uint8_t {
  kAuthoritative,  // signed and chained
  kDelegation,     // NS below the apex: only DS and NSEC are signed
  kOccluded,       // below a delegation or DNAME: neither signed nor chained
  kNsec3,          // an NSEC3 owner added by the signer
};

// Appends the RFC 4034 section 4.1.2 type bitmap of `types` (sorted,
// without duplicates) to `out`.
void append_type_bitmap(const std::vector<zone::RrType>& types,
                        std::string& out);

// Adds an NSEC RRset with `ttl` to every node that is not occluded, each
// pointing to the next such node and wrapping to the apex. `nodes` is in
// canonical order with the apex first.
void add_nsec_chain(std::vector<zone::Node>& nodes,
                    const std::vector<NodeKind>& kinds, uint32_t ttl);

// Builds the NSEC3 chain for `nodes` (canonical order, apex first): one
// NSEC3 node per authoritative name, delegation and empty non-terminal
// (RFC 5155 section 7.1), leaving out insecure delegations, and the empty
// non-terminals above only them, when `params.opt_out` is set. Returns the
// NSEC3 nodes sorted in canonical order. `threads` threads share the
// hashing. Throws std::runtime_error on a hash collision or an invalid
// salt.
std::vector<zone::Node> build_nsec3_chain(const std::vector<zone::Node>& nodes,
                                          const std::vector<NodeKind>& kinds,
                                          const zone::Name& origin,
                                          const model::Nsec3Params& params,
                                          uint32_t ttl, unsigned threads = 1);

// NSEC3PARAM RDATA for `params` (hash SHA-1, flags 0).
std::string nsec3param_rdata(const model::Nsec3Params& params);

// Decodes a salt written in hex ("" or "-" for none).
std::string nsec3_salt(const model::Nsec3Params& params);

}  // namespace signet::dnssec
