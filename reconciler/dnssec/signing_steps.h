// Steps of zone signing shared by the full walk (zone_signing.cc) and the
// signing of changes alone (change_signing.cc). Internal to dnssec/.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dnssec/crypto.h"
#include "dnssec/denial.h"
#include "dnssec/rrsig.h"
#include "dnssec/zone_signing.h"

namespace signet::dnssec::detail {

using zone::Name;
using zone::Node;
using zone::Rrset;
using zone::RrType;

// Checks for RRSIG, NSEC, NSEC3 and NSEC3PARAM, which the input loses.
bool is_denial_or_signature(RrType type);

// Records the signer drops from the apex and replaces. NOTE: ZONEMD is
// dropped, not recomputed: its digest covers the signatures, so any one
// copied from the input would be stale (RFC 8976 section 3).
bool is_replaced_at_apex(RrType type);

// Checks for DNSKEY, CDS and CDNSKEY, which the key-signing keys sign.
bool is_key_type(RrType type);

// Inserts `rrset` before the first RRset of a higher type.
void insert_rrset(Node& node, Rrset rrset);

// Returns the NSEC and NSEC3 TTL: the lesser of the SOA TTL and minimum
// (RFC 9077).
uint32_t denial_ttl(const Rrset& soa);

// Adds the DNSKEY, CDS and CDNSKEY RRsets of `keys` to the apex node.
void add_key_rrsets(Node& apex, const KeySet& keys, const SigningOptions& o);

// Returns the expiration of the signature that sets `refresh_due`.
inline UnixTime expiration_of(UnixTime refresh_due, const SigningOptions& o) {
  return refresh_due == std::numeric_limits<UnixTime>::max()
             ? refresh_due
             : refresh_due + o.refresh;
}

// Returns all keys that sign, each once, so workers can index their
// signers.
std::vector<const KeyInfo*> unique_signing_keys(const KeySet& keys);

// Returns the offset of the next hashed owner field in NSEC3 RDATA (RFC 5155
// section 3.2), or npos when the RDATA is too short or its hash is not SHA-1.
size_t nsec3_next_offset(const std::string& rdata);

// Returns the chain's hashes, read from the next-owner fields of the nodes of
// kind kNsec3: every hash is the next of exactly one NSEC3 record. Null
// when an NSEC3 record does not decode.
std::shared_ptr<const Nsec3Hashes> collect_nsec3_hashes(
    const std::vector<Node>& nodes, const std::vector<NodeKind>& kinds);

// Signs nodes, chunk by chunk in the full walk or one at a time; one per
// thread.
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

  // Signs one node on its own, reusing `prev_node`'s signatures.
  void sign_one(Node& node, NodeKind kind, const Node* prev_node,
                const KeySet& set) {
    sign_node(node, kind, prev_node, set);
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

}  // namespace signet::dnssec::detail
