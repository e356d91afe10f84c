#include "dnssec/zone_signing.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "dnssec/crypto.h"
#include "dnssec/denial.h"
#include "dnssec/rrsig.h"

namespace signet::dnssec {

namespace {

using zone::Name;
using zone::Node;
using zone::Rrset;
using zone::RrType;

constexpr size_t kNodesPerChunk = 64;

bool is_denial_or_signature(RrType type) {
  return type == zone::rrtype::RRSIG || type == zone::rrtype::NSEC ||
         type == zone::rrtype::NSEC3 || type == zone::rrtype::NSEC3PARAM;
}

// Records the signer drops from the apex and replaces. NOTE: ZONEMD is
// dropped, not recomputed: its digest covers the signatures, so any one
// copied from the input would be stale (RFC 8976 section 3).
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

// RFC 9077: NSEC and NSEC3 TTL is the lesser of the SOA TTL and minimum.
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

struct Layout {
  std::vector<Node> nodes;
  std::vector<NodeKind> kinds;
};

// Copies the input without old DNSSEC records and classifies each node.
Layout prepare_nodes(const zone::Zone& input, const KeySet& keys,
                     const SigningOptions& o) {
  const Name& origin = input.origin();
  Layout out;
  out.nodes.reserve(input.nodes().size());
  out.kinds.reserve(input.nodes().size());
  std::optional<Name> cut;  // deepest delegation or DNAME owner seen
  for (const Node& node : input.nodes()) {
    if (!node.name.is_subdomain_of(origin)) {
      continue;
    }
    bool apex = node.name == origin;
    Node copy{node.name, {}};
    copy.rrsets.reserve(node.rrsets.size() + 2);
    for (const Rrset& rrset : node.rrsets) {
      if (is_denial_or_signature(rrset.type) ||
          (apex && is_replaced_at_apex(rrset.type))) {
        continue;
      }
      copy.rrsets.push_back(rrset);
    }
    if (apex) {
      add_key_rrsets(copy, keys, o);
    }
    if (copy.rrsets.empty()) {
      continue;
    }
    NodeKind kind = NodeKind::kAuthoritative;
    if (cut && node.name.is_subdomain_of(*cut) && !(node.name == *cut)) {
      kind = NodeKind::kOccluded;
    } else {
      cut.reset();
      if (!apex && copy.find(zone::rrtype::NS) != nullptr) {
        kind = NodeKind::kDelegation;
        cut = node.name;
      } else if (copy.find(zone::rrtype::DNAME) != nullptr) {
        cut = node.name;
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
  std::vector<Node> chain =
      build_nsec3_chain(layout.nodes, layout.kinds, origin, o.nsec3, ttl);
  merge_nsec3_nodes(layout, std::move(chain));
}

// All keys that sign, each once, so workers can index their signers.
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

// Signs nodes chunk by chunk; one per thread.
class Worker {
 public:
  Worker(const std::vector<const KeyInfo*>& keys, KeyStore& store,
         const SigningOptions& options, const Name& origin,
         const zone::Zone* previous)
      : keys_(keys),
        store_(store),
        options_(options),
        origin_(origin),
        previous_(previous),
        signers_(keys.size()) {}

  void sign_range(std::vector<Node>& nodes, const std::vector<NodeKind>& kinds,
                  size_t begin, size_t end, const KeySet& set) {
    size_t cursor = 0;
    if (previous_ != nullptr) {
      const auto& prev = previous_->nodes();
      cursor = std::lower_bound(prev.begin(), prev.end(), nodes[begin].name,
                                [](const Node& n, const Name& name) {
                                  return n.name < name;
                                }) -
               prev.begin();
    }
    for (size_t i = begin; i < end; ++i) {
      if (kinds[i] == NodeKind::kOccluded) {
        continue;
      }
      const Node* prev_node = nullptr;
      if (previous_ != nullptr) {
        const auto& prev = previous_->nodes();
        while (cursor < prev.size() && prev[cursor].name < nodes[i].name) {
          ++cursor;
        }
        if (cursor < prev.size() && prev[cursor].name == nodes[i].name) {
          prev_node = &prev[cursor];
        }
      }
      sign_node(nodes[i], kinds[i], prev_node, set);
    }
  }

  size_t made = 0;
  size_t reused = 0;
  UnixTime refresh_due = std::numeric_limits<UnixTime>::max();

 private:
  void sign_node(Node& node, NodeKind kind, const Node* prev_node,
                 const KeySet& set) {
    rrsig_sets_.clear();
    bool apex = node.name == origin_;
    for (const Rrset& rrset : node.rrsets) {
      if (kind == NodeKind::kDelegation && rrset.type != zone::rrtype::DS &&
          rrset.type != zone::rrtype::NSEC) {
        continue;
      }
      const auto& signing =
          apex && is_key_type(rrset.type) ? set.key_signers : set.zone_signers;
      if (signing.empty()) {
        continue;
      }
      const Rrset* prev_rrset =
          prev_node ? prev_node->find(rrset.type) : nullptr;
      const Rrset* prev_rrsigs =
          prev_node ? prev_node->find_rrsig(rrset.type) : nullptr;
      bool unchanged = prev_rrset != nullptr && prev_rrsigs != nullptr &&
                       prev_rrset->ttl == rrset.ttl &&
                       prev_rrset->rdatas == rrset.rdatas;
      RrsigFields fields;
      fields.type_covered = rrset.type;
      fields.labels = rrsig_labels(node.name);
      fields.original_ttl = rrset.ttl;
      fields.expiration = rrsig_expiration(node.name, rrset.type, options_);
      fields.inception =
          static_cast<uint32_t>(options_.now - options_.inception_offset);
      // RFC 4034 section 3: an RRSIG has the TTL of the RRset it covers.
      Rrset rrsigs{zone::rrtype::RRSIG, rrset.ttl, {}};
      for (const KeyInfo& key : signing) {
        fields.algorithm = key.algorithm;
        fields.key_tag = key.key_tag;
        const std::string* kept =
            unchanged ? reusable(*prev_rrsigs, fields) : nullptr;
        if (kept != nullptr) {
          rrsigs.rdatas.push_back(*kept);
          note_expiration(rrsig_expiration_of(*kept));
          ++reused;
        } else {
          rrsigs.rdatas.push_back(make_rrsig(node.name, rrset, fields, key));
          note_expiration(fields.expiration);
          ++made;
        }
      }
      std::sort(rrsigs.rdatas.begin(), rrsigs.rdatas.end());
      rrsig_sets_.push_back(std::move(rrsigs));
    }
    // One RRSIG RRset per covered type, placed by zone::rrset_order.
    for (Rrset& rrsigs : rrsig_sets_) {
      uint32_t order = zone::rrset_order(rrsigs);
      auto it = std::lower_bound(
          node.rrsets.begin(), node.rrsets.end(), order,
          [](const Rrset& r, uint32_t o) { return zone::rrset_order(r) < o; });
      node.rrsets.insert(it, std::move(rrsigs));
    }
  }

  // A previous signature that matches `fields` except the times and is not
  // due for refresh.
  const std::string* reusable(const Rrset& prev_rrsigs,
                              const RrsigFields& fields) const {
    for (const std::string& rdata : prev_rrsigs.rdatas) {
      RrsigFields old;
      if (!parse_rrsig_fields(rdata, old) ||
          old.type_covered != fields.type_covered ||
          old.algorithm != fields.algorithm || old.key_tag != fields.key_tag ||
          old.labels != fields.labels ||
          old.original_ttl != fields.original_ttl) {
        continue;
      }
      if (static_cast<int64_t>(old.inception) <= options_.now &&
          static_cast<int64_t>(old.expiration) - options_.refresh >
              options_.now) {
        return &rdata;
      }
    }
    return nullptr;
  }

  static uint32_t rrsig_expiration_of(const std::string& rdata) {
    RrsigFields f;
    parse_rrsig_fields(rdata, f);
    return f.expiration;
  }

  void note_expiration(uint32_t expiration) {
    refresh_due = std::min<UnixTime>(
        refresh_due, static_cast<UnixTime>(expiration) - options_.refresh);
  }

  std::string make_rrsig(const Name& owner, const Rrset& rrset,
                         const RrsigFields& fields, const KeyInfo& key) {
    data_.clear();
    append_rrsig_header(fields, origin_, data_);
    size_t header_size = data_.size();
    append_signed_records(owner, rrset, fields.original_ttl, data_);
    signer_for(key).sign(data_, signature_);
    std::string rdata;
    rdata.reserve(header_size + signature_.size());
    rdata.append(data_, 0, header_size);
    rdata += signature_;
    return rdata;
  }

  Signer& signer_for(const KeyInfo& key) {
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i]->id == key.id) {
        if (!signers_[i]) {
          signers_[i] = store_.signer(key);
        }
        return *signers_[i];
      }
    }
    throw std::logic_error("signing key missing from the worker");
  }

  const std::vector<const KeyInfo*>& keys_;
  KeyStore& store_;
  const SigningOptions& options_;
  const Name& origin_;
  const zone::Zone* previous_;
  std::vector<std::unique_ptr<Signer>> signers_;
  std::vector<Rrset> rrsig_sets_;
  std::string data_;
  std::string signature_;
};

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

SignedZone sign_zone(const zone::Zone& input, const KeySet& keys,
                     KeyStore& store, const SigningOptions& options,
                     const zone::Zone* previous) {
  const Name& origin = input.origin();
  if (keys.zone_signers.empty() || keys.key_signers.empty()) {
    throw std::runtime_error("zone " + origin.text() +
                             " has no active signing key");
  }
  Layout layout = prepare_nodes(input, keys, options);
  add_denial(layout, origin, options);

  SignedZone result;
  sign_nodes(layout, keys, store, options, origin, previous, result);
  result.zone = std::make_shared<zone::Zone>(origin);
  result.zone->set_nodes(std::move(layout.nodes));
  return result;
}

}  // namespace signet::dnssec
