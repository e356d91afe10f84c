#include "dnssec/zone_signing.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "dnssec/signing_steps.h"

namespace signet::dnssec {

namespace detail {

bool is_denial_or_signature(RrType type) {
  return type == zone::rrtype::RRSIG || type == zone::rrtype::NSEC ||
         type == zone::rrtype::NSEC3 || type == zone::rrtype::NSEC3PARAM;
}

bool is_replaced_at_apex(RrType type) {
  return type == zone::rrtype::DNSKEY || type == zone::rrtype::CDS ||
         type == zone::rrtype::CDNSKEY || type == zone::rrtype::ZONEMD;
}

bool is_key_type(RrType type) {
  return type == zone::rrtype::DNSKEY || type == zone::rrtype::CDS ||
         type == zone::rrtype::CDNSKEY;
}

void insert_rrset(Node& node, Rrset rrset) {
  auto it =
      std::lower_bound(node.rrsets.begin(), node.rrsets.end(), rrset.type,
                       [](const Rrset& r, RrType t) { return r.type < t; });
  node.rrsets.insert(it, std::move(rrset));
}

uint32_t denial_ttl(const Rrset& soa) {
  const std::string& rdata = soa.rdatas.front();
  uint32_t minimum = 0;
  for (size_t i = rdata.size() - 4; i < rdata.size(); ++i) {
    minimum = (minimum << 8) | static_cast<unsigned char>(rdata[i]);
  }
  return std::min(soa.ttl, minimum);
}

void add_key_rrsets(Node& apex, const KeySet& keys, const SigningOptions& o) {
  Rrset dnskey{zone::rrtype::DNSKEY, o.dnskey_ttl, {}};
  for (const KeyInfo& key : keys.dnskeys) {
    dnskey.rdatas.push_back(key.dnskey_rdata());
  }
  Rrset cds{zone::rrtype::CDS, o.dnskey_ttl, {}};
  Rrset cdnskey{zone::rrtype::CDNSKEY, o.dnskey_ttl, {}};
  for (const KeyInfo& key : keys.cds) {
    cds.rdatas.push_back(
        ds_rdata(apex.name, key.dnskey_rdata(), kDigestSha256));
    cdnskey.rdatas.push_back(key.dnskey_rdata());
  }
  for (Rrset* r : {&dnskey, &cds, &cdnskey}) {
    if (r->rdatas.empty()) {
      continue;
    }
    std::sort(r->rdatas.begin(), r->rdatas.end());
    r->rdatas.erase(std::unique(r->rdatas.begin(), r->rdatas.end()),
                    r->rdatas.end());
    insert_rrset(apex, std::move(*r));
  }
}

std::vector<const KeyInfo*> unique_signing_keys(const KeySet& keys) {
  std::vector<const KeyInfo*> out;
  for (const auto* list : {&keys.key_signers, &keys.zone_signers}) {
    for (const KeyInfo& key : *list) {
      bool seen = std::any_of(out.begin(), out.end(), [&](const KeyInfo* k) {
        return k->id == key.id;
      });
      if (!seen) {
        out.push_back(&key);
      }
    }
  }
  return out;
}

size_t nsec3_next_offset(const std::string& rdata) {
  if (rdata.size() < 5) {
    return std::string::npos;
  }
  size_t at = 5 + static_cast<unsigned char>(rdata[4]);
  if (at + 1 + sizeof(Nsec3Hash) > rdata.size() ||
      static_cast<unsigned char>(rdata[at]) != sizeof(Nsec3Hash)) {
    return std::string::npos;
  }
  return at + 1;
}

std::shared_ptr<const Nsec3Hashes> collect_nsec3_hashes(
    const std::vector<Node>& nodes, const std::vector<NodeKind>& kinds) {
  auto out = std::make_shared<Nsec3Hashes>();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (kinds[i] != NodeKind::kNsec3) {
      continue;
    }
    const Rrset* nsec3 = nodes[i].find(zone::rrtype::NSEC3);
    size_t at =
        nsec3 ? nsec3_next_offset(nsec3->rdatas.front()) : std::string::npos;
    if (at == std::string::npos) {
      return nullptr;
    }
    Nsec3Hash hash;
    std::memcpy(hash.data(), nsec3->rdatas.front().data() + at, hash.size());
    out->push_back(hash);
  }
  std::sort(out->begin(), out->end());
  return out;
}

}  // namespace detail

namespace {

using namespace detail;

constexpr size_t kNodesPerChunk = 64;

struct Layout {
  std::vector<Node> nodes;
  std::vector<NodeKind> kinds;
};

// Copies the input without old DNSSEC records and classifies each node.
// Given nodes that are not const, moves their RRsets instead of copying.
template <typename Nodes>
Layout prepare_nodes(const Name& origin, Nodes&& nodes, const KeySet& keys,
                     const SigningOptions& o) {
  Layout out;
  out.nodes.reserve(nodes.size());
  out.kinds.reserve(nodes.size());
  std::optional<Name> cut;  // deepest delegation or DNAME owner seen
  for (auto& node : nodes) {
    constexpr bool kCopy =
        std::is_const_v<std::remove_reference_t<decltype(node)>>;
    if (!node.name.is_subdomain_of(origin)) {
      continue;
    }
    bool apex = node.name == origin;
    Node copy;
    if constexpr (kCopy) {
      copy.name = node.name;
    } else {
      copy.name = std::move(node.name);
    }
    copy.rrsets.reserve(node.rrsets.size() + 2);
    for (auto& rrset : node.rrsets) {
      if (is_denial_or_signature(rrset.type) ||
          (apex && is_replaced_at_apex(rrset.type))) {
        continue;
      }
      if constexpr (kCopy) {
        copy.rrsets.push_back(rrset);
      } else {
        copy.rrsets.push_back(std::move(rrset));
      }
    }
    if (apex) {
      add_key_rrsets(copy, keys, o);
    }
    if (copy.rrsets.empty()) {
      continue;
    }
    const Name& name = copy.name;
    NodeKind kind = NodeKind::kAuthoritative;
    if (cut && name.is_subdomain_of(*cut) && !(name == *cut)) {
      kind = NodeKind::kOccluded;
    } else {
      cut.reset();
      if (!apex && copy.find(zone::rrtype::NS) != nullptr) {
        kind = NodeKind::kDelegation;
        cut = name;
      } else if (copy.find(zone::rrtype::DNAME) != nullptr) {
        cut = name;
      }
    }
    out.nodes.push_back(std::move(copy));
    out.kinds.push_back(kind);
  }
  if (out.nodes.empty() || !(out.nodes.front().name == origin) ||
      out.nodes.front().find(zone::rrtype::SOA) == nullptr) {
    throw std::runtime_error("zone " + origin.text() +
                             " has no SOA record at its origin");
  }
  return out;
}

// Merges the sorted NSEC3 nodes into the sorted zone nodes.
void merge_nsec3_nodes(Layout& layout, std::vector<Node> nsec3_nodes) {
  Layout merged;
  size_t total = layout.nodes.size() + nsec3_nodes.size();
  merged.nodes.reserve(total);
  merged.kinds.reserve(total);
  size_t i = 0;
  size_t j = 0;
  while (i < layout.nodes.size() || j < nsec3_nodes.size()) {
    bool take_zone =
        j == nsec3_nodes.size() ||
        (i < layout.nodes.size() && layout.nodes[i].name < nsec3_nodes[j].name);
    if (take_zone) {
      merged.nodes.push_back(std::move(layout.nodes[i]));
      merged.kinds.push_back(layout.kinds[i]);
      ++i;
    } else if (i < layout.nodes.size() &&
               layout.nodes[i].name == nsec3_nodes[j].name) {
      throw std::runtime_error("NSEC3 owner " + nsec3_nodes[j].name.text() +
                               " is already a name in the zone");
    } else {
      merged.nodes.push_back(std::move(nsec3_nodes[j]));
      merged.kinds.push_back(NodeKind::kNsec3);
      ++j;
    }
  }
  layout = std::move(merged);
}

void add_denial(Layout& layout, const Name& origin, const SigningOptions& o) {
  uint32_t ttl = denial_ttl(*layout.nodes.front().find(zone::rrtype::SOA));
  if (o.denial == model::Denial::kNsec) {
    add_nsec_chain(layout.nodes, layout.kinds, ttl);
    return;
  }
  insert_rrset(
      layout.nodes.front(),
      Rrset{zone::rrtype::NSEC3PARAM, ttl, {nsec3param_rdata(o.nsec3)}});
  std::vector<Node> chain = build_nsec3_chain(layout.nodes, layout.kinds,
                                              origin, o.nsec3, ttl, o.threads);
  merge_nsec3_nodes(layout, std::move(chain));
}

void sign_nodes(Layout& layout, const KeySet& keys, KeyStore& store,
                const SigningOptions& o, const Name& origin,
                const zone::Zone* previous, SignedZone& result) {
  std::vector<const KeyInfo*> signing_keys = unique_signing_keys(keys);
  size_t chunks = (layout.nodes.size() + kNodesPerChunk - 1) / kNodesPerChunk;
  unsigned threads = std::max(1u, o.threads);
  threads = static_cast<unsigned>(std::min<size_t>(threads, chunks));
  std::atomic<size_t> next_chunk{0};
  std::mutex mutex;
  std::exception_ptr error;
  result.refresh_due = std::numeric_limits<UnixTime>::max();

  auto run = [&]() {
    Worker worker(signing_keys, store, o, origin, previous);
    try {
      for (size_t c = next_chunk++; c < chunks; c = next_chunk++) {
        size_t begin = c * kNodesPerChunk;
        size_t end = std::min(begin + kNodesPerChunk, layout.nodes.size());
        worker.sign_range(layout.nodes, layout.kinds, begin, end, keys);
      }
    } catch (...) {
      next_chunk = chunks;
      std::lock_guard lock(mutex);
      error = std::current_exception();
    }
    std::lock_guard lock(mutex);
    result.rrsigs_made += worker.made;
    result.rrsigs_reused += worker.reused;
    result.refresh_due = std::min(result.refresh_due, worker.refresh_due);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(run);
  }
  run();
  for (std::thread& t : pool) {
    t.join();
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

uint64_t fnv1a(std::string_view data, uint64_t hash) {
  for (char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

SigningOptions SigningOptions::from_policy(const model::Policy& policy,
                                           UnixTime now, unsigned threads) {
  SigningOptions o;
  o.now = now;
  o.validity = policy.signature_validity;
  o.refresh = policy.signature_refresh;
  o.jitter = policy.signature_jitter;
  o.inception_offset = policy.inception_offset;
  o.dnskey_ttl = policy.dnskey_ttl;
  o.denial = policy.denial;
  o.nsec3 = policy.nsec3;
  o.threads = threads;
  return o;
}

uint32_t rrsig_expiration(const Name& owner, RrType type,
                          const SigningOptions& o) {
  // Keep at least one second between the refresh point and the earliest
  // jittered expiration, so a fresh signature is never due at once.
  int64_t jitter = std::min(o.jitter, o.validity - o.refresh - 1);
  int64_t offset = 0;
  if (jitter > 0) {
    char type_bytes[2] = {static_cast<char>(type >> 8),
                          static_cast<char>(type & 0xff)};
    uint64_t h = fnv1a(owner.wire(), 14695981039346656037ull);
    h = fnv1a(std::string_view(type_bytes, 2), h);
    offset = static_cast<int64_t>(h % static_cast<uint64_t>(jitter + 1));
  }
  return static_cast<uint32_t>(o.now + o.validity - offset);
}

namespace {

SignedZone sign_layout(Layout layout, const Name& origin, const KeySet& keys,
                       KeyStore& store, const SigningOptions& options,
                       const zone::Zone* previous) {
  add_denial(layout, origin, options);

  SignedZone result;
  sign_nodes(layout, keys, store, options, origin, previous, result);
  if (options.denial == model::Denial::kNsec3) {
    result.nsec3_hashes = collect_nsec3_hashes(layout.nodes, layout.kinds);
  }
  result.earliest_expiration = expiration_of(result.refresh_due, options);
  result.zone = std::make_shared<zone::Zone>(origin);
  result.zone->set_nodes(std::move(layout.nodes));
  return result;
}

void require_signers(const Name& origin, const KeySet& keys) {
  if (keys.zone_signers.empty() || keys.key_signers.empty()) {
    throw std::runtime_error("zone " + origin.text() +
                             " has no active signing key");
  }
}

}  // namespace

SignedZone sign_zone(const zone::Zone& input, const KeySet& keys,
                     KeyStore& store, const SigningOptions& options,
                     const zone::Zone* previous) {
  require_signers(input.origin(), keys);
  return sign_layout(
      prepare_nodes(input.origin(), input.nodes(), keys, options),
      input.origin(), keys, store, options, previous);
}

SignedZone sign_zone(zone::Zone&& input, const KeySet& keys, KeyStore& store,
                     const SigningOptions& options) {
  Name origin = input.origin();
  require_signers(origin, keys);
  Layout layout;
  {
    std::vector<Node> nodes = input.release_nodes();
    layout = prepare_nodes(origin, nodes, keys, options);
  }
  return sign_layout(std::move(layout), origin, keys, store, options, nullptr);
}

}  // namespace signet::dnssec
