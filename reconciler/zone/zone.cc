#include "zone/zone.h"

#include <algorithm>
#include <cassert>

namespace signet::zone {

namespace {

bool node_less(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) {
  return a->name < b->name;
}

// Lexicographic on octets, which for RDATA is RFC 4034 section 6.3 order.
bool rdata_less(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
      });
}

uint32_t set_key(RrType type, std::string_view first_rdata) {
  return rrset_order(type, first_rdata);
}

uint32_t set_key(const Rrset& r) {
  return rrset_order(r);
}

bool set_less(const Rrset& a, const Rrset& b) {
  return set_key(a) < set_key(b);
}

std::vector<Rrset>::iterator find_set(std::vector<Rrset>& rrsets,
                                      uint32_t key) {
  return std::lower_bound(
      rrsets.begin(), rrsets.end(), key,
      [](const Rrset& r, uint32_t k) { return set_key(r) < k; });
}

bool is_set(std::vector<Rrset>::iterator it, std::vector<Rrset>& rrsets,
            uint32_t key) {
  return it != rrsets.end() && set_key(*it) == key;
}

}  // namespace

const Rrset* Node::find(RrType type) const {
  for (const Rrset& r : rrsets) {
    if (r.type == type) {
      return &r;
    }
  }
  return nullptr;
}

Rrset* Node::find(RrType type) {
  for (Rrset& r : rrsets) {
    if (r.type == type) {
      return &r;
    }
  }
  return nullptr;
}

const Rrset* Node::find_rrsig(RrType covered) const {
  for (const Rrset& r : rrsets) {
    if (r.type == rrtype::RRSIG && !r.rdatas.empty() &&
        rrsig_covered(r.rdatas[0]) == covered) {
      return &r;
    }
  }
  return nullptr;
}

Node& Zone::writable(size_t i) {
  std::shared_ptr<Node>& slot = nodes_[i];
  if (slot.use_count() != 1) {
    slot = std::make_shared<Node>(*slot);
  }
  return *slot;
}

size_t Zone::lower_bound(const Name& name) const {
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), name,
                             [](const std::shared_ptr<Node>& n,
                                const Name& key) { return n->name < key; });
  return static_cast<size_t>(it - nodes_.begin());
}

void Zone::add(const Name& owner, RrType type, uint32_t ttl,
               std::string rdata) {
  if (nodes_.empty() || nodes_.back()->name < owner) {
    nodes_.push_back(std::make_shared<Node>(Node{owner, {}}));
  } else if (!(nodes_.back()->name == owner)) {
    nodes_.push_back(std::make_shared<Node>(Node{owner, {}}));
    finalized_ = false;
  }
  Node& node = writable(nodes_.size() - 1);
  uint32_t key = set_key(type, rdata);
  // Records of one RRset usually arrive together, so check the last first.
  Rrset* rrset = nullptr;
  if (!node.rrsets.empty() && set_key(node.rrsets.back()) == key) {
    rrset = &node.rrsets.back();
  } else {
    for (Rrset& r : node.rrsets) {
      if (set_key(r) == key) {
        rrset = &r;
        break;
      }
    }
  }
  if (rrset == nullptr) {
    if (!node.rrsets.empty() && set_key(node.rrsets.back()) > key) {
      finalized_ = false;
    }
    node.rrsets.push_back(Rrset{type, ttl, {}});
    rrset = &node.rrsets.back();
  } else if (rrset->ttl != ttl) {
    // Keep the first TTL and let finalize() report the conflict.
    ttl_conflicts_.push_back(Merge{owner, type, ttl, false});
  }
  if (!rrset->rdatas.empty() && !rdata_less(rrset->rdatas.back(), rdata)) {
    finalized_ = false;
  }
  rrset->rdatas.push_back(std::move(rdata));
}

std::vector<Zone::Merge> Zone::finalize() {
  std::vector<Merge> merges = std::move(ttl_conflicts_);
  ttl_conflicts_.clear();
  if (finalized_) {
    return merges;
  }
  std::stable_sort(nodes_.begin(), nodes_.end(), node_less);

  // Merge runs of nodes with the same name into the first of each run.
  NodeList::Storage merged;
  merged.reserve(nodes_.size());
  for (size_t n = 0; n < nodes_.size(); ++n) {
    Node& node = writable(n);
    if (!merged.empty() && merged.back()->name == node.name) {
      Node& into = *merged.back();
      for (Rrset& r : node.rrsets) {
        Rrset* existing = nullptr;
        for (Rrset& candidate : into.rrsets) {
          if (set_key(candidate) == set_key(r)) {
            existing = &candidate;
          }
        }
        if (existing == nullptr) {
          into.rrsets.push_back(std::move(r));
          continue;
        }
        if (existing->ttl != r.ttl) {
          merges.push_back(Merge{node.name, r.type, r.ttl, false});
        }
        for (std::string& d : r.rdatas) {
          existing->rdatas.push_back(std::move(d));
        }
      }
    } else {
      merged.push_back(std::move(nodes_[n]));
    }
  }
  nodes_ = std::move(merged);

  for (size_t n = 0; n < nodes_.size(); ++n) {
    Node& node = writable(n);
    std::stable_sort(node.rrsets.begin(), node.rrsets.end(), set_less);
    // Equal RRsets can sit side by side after the node merge above.
    for (size_t i = 1; i < node.rrsets.size();) {
      if (set_key(node.rrsets[i]) == set_key(node.rrsets[i - 1])) {
        auto& into = node.rrsets[i - 1].rdatas;
        for (auto& d : node.rrsets[i].rdatas) {
          into.push_back(std::move(d));
        }
        node.rrsets.erase(node.rrsets.begin() + static_cast<long>(i));
      } else {
        ++i;
      }
    }
    for (Rrset& r : node.rrsets) {
      std::sort(r.rdatas.begin(), r.rdatas.end(), rdata_less);
      auto last = std::unique(r.rdatas.begin(), r.rdatas.end());
      for (auto it = last; it != r.rdatas.end(); ++it) {
        merges.push_back(Merge{node.name, r.type, r.ttl, true});
      }
      r.rdatas.erase(last, r.rdatas.end());
    }
  }
  finalized_ = true;
  return merges;
}

const Node* Zone::find(const Name& name) const {
  assert(finalized_);
  size_t i = lower_bound(name);
  if (i == nodes_.size() || !(nodes_[i]->name == name)) {
    return nullptr;
  }
  return nodes_[i].get();
}

Node* Zone::find_mutable(const Name& name) {
  assert(finalized_);
  size_t i = lower_bound(name);
  if (i == nodes_.size() || !(nodes_[i]->name == name)) {
    return nullptr;
  }
  return &writable(i);
}

void Zone::set_nodes(std::vector<Node> nodes) {
  nodes_.clear();
  nodes_.reserve(nodes.size());
  for (Node& node : nodes) {
    nodes_.push_back(std::make_shared<Node>(std::move(node)));
  }
  finalized_ = true;
}

std::vector<Node> Zone::release_nodes() {
  std::vector<Node> out;
  out.reserve(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    out.push_back(std::move(writable(i)));
  }
  nodes_.clear();
  return out;
}

Zone::Zone(const Zone& other)
    : origin_(other.origin_),
      ttl_conflicts_(other.ttl_conflicts_),
      finalized_(other.finalized_) {
  nodes_.reserve(other.nodes_.size() + other.nodes_.size() / 64 + 16);
  nodes_.assign(other.nodes_.begin(), other.nodes_.end());
}

Zone& Zone::operator=(const Zone& other) {
  if (this != &other) {
    *this = Zone(other);
  }
  return *this;
}

void Zone::put_node(Node node) {
  assert(finalized_);
  size_t i = lower_bound(node.name);
  bool present = i < nodes_.size() && nodes_[i]->name == node.name;
  if (node.rrsets.empty()) {
    if (present) {
      nodes_.erase(nodes_.begin() + static_cast<long>(i));
    }
    return;
  }
  auto shared = std::make_shared<Node>(std::move(node));
  if (present) {
    nodes_[i] = std::move(shared);
  } else {
    nodes_.insert(nodes_.begin() + static_cast<long>(i), std::move(shared));
  }
}

const Rrset* Zone::find(const Name& name, RrType type) const {
  const Node* node = find(name);
  return node == nullptr ? nullptr : node->find(type);
}

size_t Zone::share_nodes_with(const Zone& other) {
  assert(finalized_);
  assert(other.finalized_);
  size_t shared = 0;
  size_t j = 0;
  for (std::shared_ptr<Node>& mine : nodes_) {
    // Zones from a common copy line up, so try the next node first.
    if (j < other.nodes_.size() && other.nodes_[j] == mine) {
      ++shared;
      ++j;
      continue;
    }
    while (j < other.nodes_.size() && other.nodes_[j]->name < mine->name) {
      ++j;
    }
    if (j == other.nodes_.size()) {
      break;
    }
    const std::shared_ptr<Node>& theirs = other.nodes_[j];
    if (mine == theirs) {
      ++shared;
      continue;
    }
    if (theirs->name == mine->name && theirs->rrsets == mine->rrsets) {
      mine = theirs;
      ++shared;
    }
  }
  return shared;
}

bool Zone::remove(const Rr& rr) {
  Node* node = find_mutable(rr.owner);
  if (node == nullptr) {
    return false;
  }
  auto set = find_set(node->rrsets, set_key(rr.type, rr.rdata));
  if (!is_set(set, node->rrsets, set_key(rr.type, rr.rdata))) {
    return false;
  }
  auto& rdatas = set->rdatas;
  auto it =
      std::lower_bound(rdatas.begin(), rdatas.end(), rr.rdata, rdata_less);
  if (it == rdatas.end() || *it != rr.rdata) {
    return false;
  }
  rdatas.erase(it);
  if (rdatas.empty()) {
    node->rrsets.erase(set);
    if (node->rrsets.empty()) {
      nodes_.erase(nodes_.begin() + static_cast<long>(lower_bound(rr.owner)));
    }
  }
  return true;
}

bool Zone::remove_rrset(const Name& owner, RrType type) {
  Node* node = find_mutable(owner);
  if (node == nullptr) {
    return false;
  }
  // For RRSIG this removes the signatures of every covered type.
  auto& rrsets = node->rrsets;
  auto last = std::remove_if(rrsets.begin(), rrsets.end(),
                             [type](const Rrset& r) { return r.type == type; });
  if (last == rrsets.end()) {
    return false;
  }
  rrsets.erase(last, rrsets.end());
  if (rrsets.empty()) {
    nodes_.erase(nodes_.begin() + static_cast<long>(lower_bound(owner)));
  }
  return true;
}

Node& Zone::node_for(const Name& owner) {
  assert(finalized_);
  size_t i = lower_bound(owner);
  if (i == nodes_.size() || !(nodes_[i]->name == owner)) {
    nodes_.insert(nodes_.begin() + static_cast<long>(i),
                  std::make_shared<Node>(Node{owner, {}}));
  }
  return writable(i);
}

bool Zone::insert(const Rr& rr) {
  Node* it = &node_for(rr.owner);
  uint32_t key = set_key(rr.type, rr.rdata);
  auto set = find_set(it->rrsets, key);
  if (!is_set(set, it->rrsets, key)) {
    it->rrsets.insert(set, Rrset{rr.type, rr.ttl, {rr.rdata}});
    return true;
  }
  set->ttl = rr.ttl;
  auto pos = std::lower_bound(set->rdatas.begin(), set->rdatas.end(), rr.rdata,
                              rdata_less);
  if (pos != set->rdatas.end() && *pos == rr.rdata) {
    return false;
  }
  set->rdatas.insert(pos, rr.rdata);
  return true;
}

void Zone::replace_rrset(const Name& owner, Rrset rrset) {
  assert(finalized_);
  if (rrset.rdatas.empty()) {
    remove_rrset(owner, rrset.type);
    return;
  }
  std::sort(rrset.rdatas.begin(), rrset.rdatas.end(), rdata_less);
  rrset.rdatas.erase(std::unique(rrset.rdatas.begin(), rrset.rdatas.end()),
                     rrset.rdatas.end());
  Node* it = &node_for(owner);
  uint32_t key = set_key(rrset);
  auto set = find_set(it->rrsets, key);
  if (!is_set(set, it->rrsets, key)) {
    it->rrsets.insert(set, std::move(rrset));
  } else {
    *set = std::move(rrset);
  }
}

const Rrset* Zone::soa() const {
  return find(origin_, rrtype::SOA);
}

uint32_t Zone::serial() const {
  const Rrset* soa_set = soa();
  if (soa_set == nullptr || soa_set->rdatas.empty()) {
    return 0;
  }
  // The serial is the first of the five 32-bit fields after two names.
  const std::string& rd = soa_set->rdatas.front();
  if (rd.size() < 20) {
    return 0;
  }
  size_t pos = rd.size() - 20;
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<uint8_t>(rd[pos + i]);
  }
  return v;
}

void Zone::set_serial(uint32_t serial) {
  Node* apex = find_mutable(origin_);
  Rrset* soa_set = apex == nullptr ? nullptr : apex->find(rrtype::SOA);
  if (soa_set == nullptr || soa_set->rdatas.empty()) {
    return;
  }
  std::string& rd = soa_set->rdatas.front();
  if (rd.size() < 20) {
    return;
  }
  size_t pos = rd.size() - 20;
  for (size_t i = 0; i < 4; ++i) {
    rd[pos + i] = static_cast<char>((serial >> (24 - 8 * i)) & 0xff);
  }
}

size_t Zone::rr_count() const {
  size_t count = 0;
  for (const Node& node : nodes()) {
    for (const Rrset& r : node.rrsets) {
      count += r.rdatas.size();
    }
  }
  return count;
}

void Zone::for_each_rr(const std::function<void(const Rr&)>& fn) const {
  const Rrset* soa_set = soa();
  if (soa_set != nullptr) {
    for (const std::string& d : soa_set->rdatas) {
      fn(Rr{origin_, rrtype::SOA, soa_set->ttl, d});
    }
  }
  for (const Node& node : nodes()) {
    for (const Rrset& r : node.rrsets) {
      if (r.type == rrtype::SOA && node.name == origin_) {
        continue;
      }
      for (const std::string& d : r.rdatas) {
        fn(Rr{node.name, r.type, r.ttl, d});
      }
    }
  }
}

}  // namespace signet::zone
