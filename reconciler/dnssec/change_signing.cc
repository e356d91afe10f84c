// Signing of a new version by visiting only the names that changed since
// the previous one and their NSEC or NSEC3 neighbours.
#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "dnssec/signing_steps.h"

namespace signet::dnssec {

namespace {

using namespace detail;

// Reads the NSEC3 chain's hashes from a signed zone, for a version
// restored from storage, which comes without them.
std::shared_ptr<const Nsec3Hashes> chain_hashes(const zone::Zone& zone) {
  std::vector<Node> nsec3_nodes;
  std::vector<NodeKind> kinds;
  for (const Node& node : zone.nodes()) {
    if (const Rrset* nsec3 = node.find(zone::rrtype::NSEC3)) {
      nsec3_nodes.push_back(Node{node.name, {*nsec3}});
      kinds.push_back(NodeKind::kNsec3);
    }
  }
  if (nsec3_nodes.empty()) {
    return nullptr;
  }
  return collect_nsec3_hashes(nsec3_nodes, kinds);
}

bool same_rrset(const Rrset* a, const Rrset* b) {
  if (a == nullptr || b == nullptr) {
    return a == b;
  }
  return *a == *b;
}

// Checks that the signatures of `rrsigs` come from exactly `signers`.
bool signed_by(const Rrset* rrsigs, const std::vector<KeyInfo>& signers) {
  if (rrsigs == nullptr || rrsigs->rdatas.size() != signers.size()) {
    return false;
  }
  for (const KeyInfo& key : signers) {
    bool found = false;
    for (const std::string& rdata : rrsigs->rdatas) {
      RrsigFields f;
      if (parse_rrsig_fields(rdata, f) && f.algorithm == key.algorithm &&
          f.key_tag == key.key_tag) {
        found = true;
      }
    }
    if (!found) {
      return false;
    }
  }
  return true;
}

// Returns the SOA RDATA and TTL without the serial, which changes with
// every version.
std::string soa_without_serial(const Rrset* soa) {
  if (soa == nullptr || soa->rdatas.size() != 1 ||
      soa->rdatas.front().size() < 20) {
    return {};
  }
  std::string out = soa->rdatas.front();
  out.replace(out.size() - 20, 4, 4, '\0');
  return out + std::to_string(soa->ttl);
}

bool is_cut(const Node& node, const Name& origin) {
  return node.find(zone::rrtype::DNAME) != nullptr ||
         (!(node.name == origin) && node.find(zone::rrtype::NS) != nullptr);
}

// Signs a new version by visiting only the names that changed since
// `previous` and their chain neighbours. Returns nullopt when the change
// needs the full walk (see sign_zone).
class ChangeSigner {
 public:
  ChangeSigner(const zone::Zone& input, const KeySet& keys, KeyStore& store,
               const SigningOptions& options, const PreviousSigning& previous)
      : input_(input),
        keys_(keys),
        options_(options),
        previous_(previous),
        origin_(input.origin()),
        signing_keys_(unique_signing_keys(keys)),
        worker_(signing_keys_, store, options, origin_, previous.output),
        previous_due_(previous.earliest_expiration - options.refresh) {}

  std::optional<SignedZone> sign() {
    if (!usable() || !find_changes()) {
      return std::nullopt;
    }
    out_ = std::make_shared<zone::Zone>(*previous_.output);
    place_data();
    bool denial_ok = options_.denial == model::Denial::kNsec ? relink_nsec()
                                                             : relink_nsec3();
    if (!denial_ok) {
      return std::nullopt;
    }
    SignedZone result;
    result.zone = out_;
    result.rrsigs_made = worker_.made;
    result.rrsigs_reused = worker_.reused;
    result.nsec3_hashes = hashes_;
    result.visited_changes_only = true;
    result.refresh_due =
        lost_earliest_ ? earliest_refresh(*out_) : previous_due_;
    result.refresh_due = std::min(result.refresh_due, worker_.refresh_due);
    result.earliest_expiration = expiration_of(result.refresh_due, options_);
    return result;
  }

 private:
  // Checks that the keys, signers, denial settings and SOA timers are
  // those of the previous signing and that no signature is due.
  bool usable() {
    const PreviousSigning& p = previous_;
    if (p.input == nullptr || p.output == nullptr ||
        !(p.input->origin() == origin_) || !(p.output->origin() == origin_) ||
        p.earliest_expiration == 0 || options_.now >= previous_due_) {
      return false;
    }
    const Node* old_apex = p.output->find(origin_);
    const Node* new_apex = input_.find(origin_);
    if (old_apex == nullptr || new_apex == nullptr ||
        new_apex->find(zone::rrtype::SOA) == nullptr ||
        is_cut(*new_apex, origin_) ||
        soa_without_serial(new_apex->find(zone::rrtype::SOA)) !=
            soa_without_serial(old_apex->find(zone::rrtype::SOA))) {
      return false;
    }
    Node keys{origin_, {}};
    add_key_rrsets(keys, keys_, options_);
    for (RrType type :
         {zone::rrtype::DNSKEY, zone::rrtype::CDS, zone::rrtype::CDNSKEY}) {
      if (!same_rrset(keys.find(type), old_apex->find(type))) {
        return false;
      }
    }
    if (!signed_by(old_apex->find_rrsig(zone::rrtype::SOA),
                   keys_.zone_signers) ||
        !signed_by(old_apex->find_rrsig(zone::rrtype::DNSKEY),
                   keys_.key_signers)) {
      return false;
    }
    denial_ttl_ = denial_ttl(*new_apex->find(zone::rrtype::SOA));
    if (options_.denial == model::Denial::kNsec) {
      return old_apex->find(zone::rrtype::NSEC) != nullptr &&
             old_apex->find(zone::rrtype::NSEC3PARAM) == nullptr;
    }
    const Rrset* param = old_apex->find(zone::rrtype::NSEC3PARAM);
    if (options_.nsec3.opt_out || param == nullptr ||
        param->rdatas !=
            std::vector<std::string>{nsec3param_rdata(options_.nsec3)}) {
      return false;
    }
    // A version restored from storage comes without its hashes.
    base_hashes_ = p.nsec3_hashes ? p.nsec3_hashes : chain_hashes(*p.output);
    return base_hashes_ != nullptr;
  }

  // Collects the names whose data differ; false when they are too many
  // or move a zone cut.
  bool find_changes() {
    auto a = previous_.input->nodes();
    auto b = input_.nodes();
    size_t limit = std::max<size_t>(64, b.size() / 64);
    size_t i = 0;
    size_t j = 0;
    while (i < a.size() || j < b.size()) {
      const Node* old_node = nullptr;
      const Node* new_node = nullptr;
      if (i < a.size() && j < b.size() &&
          previous_.input->shares_node(i, input_, j)) {
        ++i;
        ++j;
        continue;
      }
      if (j == b.size() || (i < a.size() && a[i].name < b[j].name)) {
        old_node = &a[i++];
      } else if (i == a.size() || b[j].name < a[i].name) {
        new_node = &b[j++];
      } else {
        old_node = &a[i++];
        new_node = &b[j++];
        if (old_node->rrsets == new_node->rrsets) {
          continue;
        }
      }
      const Name& name = old_node ? old_node->name : new_node->name;
      if ((old_node && is_cut(*old_node, origin_)) ||
          (new_node && is_cut(*new_node, origin_))) {
        return false;
      }
      if (name.is_subdomain_of(origin_)) {
        changed_.push_back(name);
      }
      if (changed_.size() > limit) {
        return false;
      }
    }
    return true;
  }

  // Returns the kind of a changed name, which is never a cut itself.
  NodeKind kind_of(const Name& name) const {
    for (Name p = name; !(p == origin_);) {
      p = p.parent();
      if (p == origin_) {
        break;
      }
      const Node* node = input_.find(p);
      if (node != nullptr && is_cut(*node, origin_)) {
        return NodeKind::kOccluded;
      }
    }
    return NodeKind::kAuthoritative;
  }

  // Returns the signed node's data as sign_zone prepares it, without
  // signatures and denial records.
  Node prepared(const Name& name) const {
    Node out{name, {}};
    const Node* node = input_.find(name);
    if (node == nullptr) {
      return out;
    }
    bool apex = name == origin_;
    for (const Rrset& rrset : node->rrsets) {
      if (is_denial_or_signature(rrset.type) ||
          (apex && is_replaced_at_apex(rrset.type))) {
        continue;
      }
      out.rrsets.push_back(rrset);
    }
    if (apex) {
      add_key_rrsets(out, keys_, options_);
      if (options_.denial == model::Denial::kNsec3) {
        insert_rrset(out, Rrset{zone::rrtype::NSEC3PARAM,
                                denial_ttl_,
                                {nsec3param_rdata(options_.nsec3)}});
      }
    }
    return out;
  }

  // Puts every changed name's new data into out_, unsigned for now.
  void place_data() {
    for (const Name& name : changed_) {
      Node node = prepared(name);
      NodeKind kind = kind_of(name);
      note_replaced(name);
      if (node.rrsets.empty()) {
        out_->put_node(Node{name, {}});
        continue;
      }
      pending_.emplace(name, Pending{std::move(node), kind});
    }
  }

  // Remembers when a signature that set the previous refresh time leaves.
  void note_replaced(const Name& name) {
    const Node* old_node = previous_.output->find(name);
    if (old_node == nullptr) {
      return;
    }
    for (const Rrset& rrset : old_node->rrsets) {
      if (rrset.type != zone::rrtype::RRSIG) {
        continue;
      }
      for (const std::string& rdata : rrset.rdatas) {
        RrsigFields f;
        if (parse_rrsig_fields(rdata, f) &&
            static_cast<UnixTime>(f.expiration) - options_.refresh <=
                previous_due_) {
          lost_earliest_ = true;
        }
      }
    }
  }

  // Signs `node` (data plus denial record) and puts it into out_.
  void finish(Node node, NodeKind kind) {
    note_replaced(node.name);
    if (kind != NodeKind::kOccluded) {
      const Node* prev_node = previous_.output->find(node.name);
      worker_.sign_one(node, kind, prev_node, keys_);
    }
    out_->put_node(std::move(node));
  }

  // Returns the data of an unchanged node of out_, without signatures and
  // denial records.
  static Node unsigned_copy(const Node& node) {
    Node out{node.name, {}};
    for (const Rrset& rrset : node.rrsets) {
      if (rrset.type != zone::rrtype::RRSIG &&
          rrset.type != zone::rrtype::NSEC) {
        out.rrsets.push_back(rrset);
      }
    }
    return out;
  }

  // NSEC

  bool in_nsec_chain(size_t index) const {
    const Node& node = out_->nodes()[index];
    auto it = pending_.find(node.name);
    if (it != pending_.end()) {
      return it->second.kind != NodeKind::kOccluded;
    }
    return node.find(zone::rrtype::NSEC) != nullptr;
  }

  size_t index_of(const Name& name) const {
    auto nodes = out_->nodes();
    return static_cast<size_t>(
        std::lower_bound(
            nodes.begin(), nodes.end(), name,
            [](const Node& n, const Name& key) { return n.name < key; }) -
        nodes.begin());
  }

  // Returns the chain member after (or before) `index`, wrapping around.
  // `index` may be the node count, the place after the last node.
  size_t chain_step(size_t index, bool forward) const {
    size_t n = out_->nodes().size();
    for (size_t step = 0; step < n; ++step) {
      index = forward ? (index + 1) % n : (index + n - 1) % n;
      if (in_nsec_chain(index)) {
        return index;
      }
    }
    return index;
  }

  bool relink_nsec() {
    // Pending nodes go in unsigned first, so the chain walks see them.
    for (auto& [name, pending] : pending_) {
      out_->put_node(Node{pending.node.name, pending.node.rrsets});
    }
    std::map<Name, NodeKind> relink;  // chain members whose NSEC may change
    for (const Name& name : changed_) {
      size_t at = index_of(name);
      bool present =
          at < out_->nodes().size() && out_->nodes()[at].name == name;
      if (present && in_nsec_chain(at)) {
        relink.emplace(name, NodeKind::kAuthoritative);
      }
      // The member before a changed name points at it or past it.
      relink.emplace(out_->nodes()[chain_step(at, false)].name,
                     NodeKind::kAuthoritative);
    }
    for (auto& [name, unused] : relink) {
      size_t at = index_of(name);
      const Node& current = out_->nodes()[at];
      auto pending = pending_.find(name);
      Node node = pending != pending_.end() ? pending->second.node
                                            : unsigned_copy(current);
      NodeKind kind = NodeKind::kAuthoritative;
      if (!(name == origin_) && node.find(zone::rrtype::NS) != nullptr) {
        kind = NodeKind::kDelegation;
      }
      std::vector<RrType> types;
      for (const Rrset& rrset : node.rrsets) {
        types.push_back(rrset.type);
      }
      types.push_back(zone::rrtype::NSEC);
      types.push_back(zone::rrtype::RRSIG);
      std::sort(types.begin(), types.end());
      types.erase(std::unique(types.begin(), types.end()), types.end());
      std::string rdata = out_->nodes()[chain_step(at, true)].name.wire();
      append_type_bitmap(types, rdata);
      insert_rrset(node, Rrset{zone::rrtype::NSEC, denial_ttl_, {rdata}});
      finish(std::move(node), kind);
    }
    // Changed names that left the chain or never joined it (occluded).
    for (auto& [name, pending] : pending_) {
      if (relink.count(name) == 0) {
        finish(pending.node, pending.kind);
      }
    }
    return true;
  }

  // NSEC3

  bool relink_nsec3() {
    // With room for added names, so an insertion does not move the list.
    auto hashes = std::make_shared<Nsec3Hashes>();
    hashes->reserve(base_hashes_->size() + changed_.size() + 16);
    hashes->assign(base_hashes_->begin(), base_hashes_->end());
    std::string salt = nsec3_salt(options_.nsec3);
    // Every changed name and its ancestors may enter or leave the chain,
    // the ancestors as empty non-terminals.
    std::set<Name> affected;
    for (const Name& name : changed_) {
      for (Name p = name;; p = p.parent()) {
        if (!affected.insert(p).second || p == origin_) {
          break;
        }
      }
    }
    for (auto& [name, pending] : pending_) {
      out_->put_node(Node{pending.node.name, pending.node.rrsets});
    }

    std::map<Nsec3Hash, std::vector<RrType>> rewrite;  // hash: bitmap types
    std::vector<Nsec3Hash> moved;  // hashes that joined or left
    for (const Name& name : affected) {
      if (!(name == origin_) && kind_of(name) == NodeKind::kOccluded) {
        continue;
      }
      Nsec3Hash hash =
          to_hash(nsec3_hash(name, salt, options_.nsec3.iterations));
      auto at = std::lower_bound(hashes->begin(), hashes->end(), hash);
      bool had = at != hashes->end() && *at == hash;
      std::optional<std::vector<RrType>> types = chain_types(name);
      if (types && !had) {
        hashes->insert(at, hash);
        moved.push_back(hash);
      } else if (!types && had) {
        hashes->erase(at);
        moved.push_back(hash);
        out_->put_node(Node{owner_of(hash), {}});
        note_replaced(owner_of(hash));
        continue;
      }
      if (types) {
        rewrite[hash] = *types;
      }
    }

    // The hash before each that joined or left now points elsewhere.
    for (const Nsec3Hash& hash : moved) {
      auto at = std::lower_bound(hashes->begin(), hashes->end(), hash);
      size_t index = static_cast<size_t>(at - hashes->begin());
      const Nsec3Hash& before =
          (*hashes)[(index + hashes->size() - 1) % hashes->size()];
      if (rewrite.count(before) == 0) {
        const Node* node = out_->find(owner_of(before));
        const Rrset* nsec3 = node ? node->find(zone::rrtype::NSEC3) : nullptr;
        if (nsec3 == nullptr) {
          return false;
        }
        rewrite[before] = bitmap_types(nsec3->rdatas.front());
      }
    }

    std::string header = nsec3param_rdata(options_.nsec3);
    for (auto& [hash, types] : rewrite) {
      auto at = std::lower_bound(hashes->begin(), hashes->end(), hash);
      size_t index = static_cast<size_t>(at - hashes->begin());
      const Nsec3Hash& next = (*hashes)[(index + 1) % hashes->size()];
      std::string rdata = header;
      rdata.push_back(static_cast<char>(next.size()));
      rdata.append(reinterpret_cast<const char*>(next.data()), next.size());
      append_type_bitmap(types, rdata);
      Name owner = owner_of(hash);
      if (input_.find(owner) != nullptr) {
        return false;  // an NSEC3 owner taken by a name: full walk reports it
      }
      finish(Node{owner, {Rrset{zone::rrtype::NSEC3, denial_ttl_, {rdata}}}},
             NodeKind::kNsec3);
    }
    for (auto& [name, pending] : pending_) {
      finish(pending.node, pending.kind);
    }
    hashes_ = std::move(hashes);
    return true;
  }

  static Nsec3Hash to_hash(const std::string& raw) {
    Nsec3Hash out{};
    if (raw.size() == out.size()) {
      std::memcpy(out.data(), raw.data(), out.size());
    }
    return out;
  }

  Name owner_of(const Nsec3Hash& hash) const {
    std::string_view raw(reinterpret_cast<const char*>(hash.data()),
                         hash.size());
    return *origin_.prepend(base32hex_encode(raw));
  }

  // The NSEC3 bitmap of `name` in the new version, or nullopt when the
  // name no longer exists, not even as an empty non-terminal.
  std::optional<std::vector<RrType>> chain_types(const Name& name) const {
    auto pending = pending_.find(name);
    const Node* node =
        pending != pending_.end() ? &pending->second.node : out_->find(name);
    if (node != nullptr && !node->rrsets.empty()) {
      std::vector<RrType> types;
      bool delegation =
          !(name == origin_) && node->find(zone::rrtype::NS) != nullptr;
      bool signed_data = false;
      for (const Rrset& rrset : node->rrsets) {
        if (rrset.type == zone::rrtype::RRSIG) {
          continue;
        }
        types.push_back(rrset.type);
        signed_data =
            signed_data || !delegation || rrset.type == zone::rrtype::DS;
      }
      if (signed_data) {
        types.push_back(zone::rrtype::RRSIG);
      }
      std::sort(types.begin(), types.end());
      types.erase(std::unique(types.begin(), types.end()), types.end());
      return types;
    }
    // An empty non-terminal exists while some name below it does.
    size_t at = index_of(name);
    auto nodes = out_->nodes();
    if (at < nodes.size() && nodes[at].name == name) {
      ++at;
    }
    if (at < nodes.size() && nodes[at].name.is_subdomain_of(name)) {
      return std::vector<RrType>{};
    }
    return std::nullopt;
  }

  // The types of an NSEC3 RDATA's bitmap.
  static std::vector<RrType> bitmap_types(const std::string& rdata) {
    std::vector<RrType> types;
    size_t at = nsec3_next_offset(rdata);
    if (at == std::string::npos) {
      return types;
    }
    at += sizeof(Nsec3Hash);
    while (at + 2 <= rdata.size()) {
      unsigned window = static_cast<unsigned char>(rdata[at]);
      size_t length = static_cast<unsigned char>(rdata[at + 1]);
      at += 2;
      for (size_t i = 0; i < length && at + i < rdata.size(); ++i) {
        unsigned bits = static_cast<unsigned char>(rdata[at + i]);
        for (unsigned b = 0; b < 8; ++b) {
          if (bits & (0x80u >> b)) {
            types.push_back(static_cast<RrType>(window * 256 + i * 8 + b));
          }
        }
      }
      at += length;
    }
    return types;
  }

  static UnixTime earliest_refresh_of(const Node& node, int64_t refresh,
                                      UnixTime earliest) {
    for (const Rrset& rrset : node.rrsets) {
      if (rrset.type != zone::rrtype::RRSIG) {
        continue;
      }
      for (const std::string& rdata : rrset.rdatas) {
        RrsigFields f;
        if (parse_rrsig_fields(rdata, f)) {
          earliest = std::min<UnixTime>(
              earliest, static_cast<UnixTime>(f.expiration) - refresh);
        }
      }
    }
    return earliest;
  }

  UnixTime earliest_refresh(const zone::Zone& zone) const {
    UnixTime earliest = std::numeric_limits<UnixTime>::max();
    for (const Node& node : zone.nodes()) {
      earliest = earliest_refresh_of(node, options_.refresh, earliest);
    }
    return earliest;
  }

  struct Pending {
    Node node;
    NodeKind kind;
  };

  const zone::Zone& input_;
  const KeySet& keys_;
  const SigningOptions& options_;
  const PreviousSigning& previous_;
  const Name& origin_;
  std::vector<const KeyInfo*> signing_keys_;
  Worker worker_;
  uint32_t denial_ttl_ = 0;
  std::vector<Name> changed_;  // canonical order
  std::map<Name, Pending> pending_;
  std::shared_ptr<zone::Zone> out_;
  std::shared_ptr<const Nsec3Hashes> base_hashes_;
  std::shared_ptr<const Nsec3Hashes> hashes_;
  bool lost_earliest_ = false;
  // When the previous version's first signature is due under the current
  // refresh setting, which may differ from the one it was signed under.
  UnixTime previous_due_ = 0;
};

}  // namespace

SignedZone sign_zone(const zone::Zone& input, const KeySet& keys,
                     KeyStore& store, const SigningOptions& options,
                     const PreviousSigning& previous) {
  if (!keys.zone_signers.empty() && !keys.key_signers.empty()) {
    ChangeSigner changes(input, keys, store, options, previous);
    if (std::optional<SignedZone> result = changes.sign()) {
      return std::move(*result);
    }
  }
  return sign_zone(input, keys, store, options, previous.output);
}

}  // namespace signet::dnssec
