// An in-memory zone: nodes in canonical order, each with its RRsets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "zone/name.h"
#include "zone/rrset.h"

namespace signet::zone {

// The RRsets at one owner name, sorted by type code. RRSIG records form
// one RRset per covered type (sorted by that type), because RFC 4034
// section 3 gives each signature the TTL of the RRset it covers.
struct Node {
  Name name;
  std::vector<Rrset> rrsets;

  // The first RRset of `type`; for RRSIG, the signatures of the lowest
  // covered type. Returns nullptr when absent.
  const Rrset* find(RrType type) const;
  Rrset* find(RrType type);

  // The RRSIGs that cover `covered`, or nullptr.
  const Rrset* find_rrsig(RrType covered) const;
};

// A read-only view of a zone's nodes in canonical order, indexable and
// iterable like a vector of Node.
class NodeList {
 public:
  using Storage = std::vector<std::shared_ptr<Node>>;

  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Node;
    using difference_type = std::ptrdiff_t;
    using pointer = const Node*;
    using reference = const Node&;

    iterator() = default;
    explicit iterator(Storage::const_iterator it) : it_(it) {}

    reference operator*() const { return **it_; }
    pointer operator->() const { return it_->get(); }
    reference operator[](difference_type n) const { return *it_[n]; }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    iterator operator++(int) { return iterator(it_++); }
    iterator& operator--() {
      --it_;
      return *this;
    }
    iterator operator--(int) { return iterator(it_--); }
    iterator& operator+=(difference_type n) {
      it_ += n;
      return *this;
    }
    iterator& operator-=(difference_type n) {
      it_ -= n;
      return *this;
    }
    friend iterator operator+(iterator a, difference_type n) { return a += n; }
    friend iterator operator+(difference_type n, iterator a) { return a += n; }
    friend iterator operator-(iterator a, difference_type n) { return a -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) {
      return a.it_ - b.it_;
    }
    friend auto operator<=>(const iterator& a, const iterator& b) = default;

   private:
    Storage::const_iterator it_;
  };
  using const_iterator = iterator;

  explicit NodeList(const Storage& nodes) : nodes_(&nodes) {}

  iterator begin() const { return iterator(nodes_->begin()); }
  iterator end() const { return iterator(nodes_->end()); }
  size_t size() const { return nodes_->size(); }
  bool empty() const { return nodes_->empty(); }
  const Node& operator[](size_t i) const { return *(*nodes_)[i]; }
  const Node& front() const { return *nodes_->front(); }
  const Node& back() const { return *nodes_->back(); }

 private:
  const Storage* nodes_;
};

// A zone's data. Records are added in any order with add(); finalize()
// then sorts nodes into canonical order and merges duplicates. Lookups and
// iteration require a finalized zone. A finalized zone that is not modified
// again may be read from many threads.
//
// Copies share their nodes: copying a zone costs one reference per node,
// and a change to a copy replaces only the nodes it touches. Versions of a
// large zone that differ in a few names thus cost little more than one.
class Zone {
 public:
  explicit Zone(Name origin) : origin_(std::move(origin)) {}

  // A copy keeps room for a few more nodes, as copies are made to be
  // changed: adding a name to a full copy of a large zone would move all
  // its nodes to a buffer twice the size.
  Zone(const Zone& other);
  Zone& operator=(const Zone& other);
  Zone(Zone&&) noexcept = default;
  Zone& operator=(Zone&&) noexcept = default;

  const Name& origin() const { return origin_; }

  // Appends one record. Records of the same owner and type must agree on
  // the TTL; add() keeps the first TTL seen and finalize() reports the
  // rest. Invalidates finalization unless the owner sorts after every
  // node added so far and is new.
  void add(const Name& owner, RrType type, uint32_t ttl, std::string rdata);
  void add(const Rr& rr) { add(rr.owner, rr.type, rr.ttl, rr.rdata); }

  // Notice of a record that finalize() merged away.
  struct Merge {
    Name owner;
    RrType type;
    uint32_t dropped_ttl;  // TTL of the dropped record
    bool duplicate;        // identical RDATA, as opposed to a TTL conflict
  };

  // Sorts nodes, merges nodes with the same name, sorts RDATA and drops
  // duplicates. Returns what was merged so callers can report it.
  std::vector<Merge> finalize();
  bool finalized() const { return finalized_; }

  // Lookup in a finalized zone. Returns nullptr when absent.
  const Node* find(const Name& name) const;
  const Rrset* find(const Name& name, RrType type) const;

  // Removes one record; returns false when it was not present. Keeps the
  // zone finalized. Empty RRsets and nodes are erased.
  bool remove(const Rr& rr);

  // Removes a whole RRset (for RRSIG, the signatures of every covered
  // type); returns false when absent.
  bool remove_rrset(const Name& owner, RrType type);

  // Inserts one record into a finalized zone, keeping it finalized.
  // Returns false when an identical record was already present. A TTL
  // different from the existing RRset's replaces it for the whole RRset.
  bool insert(const Rr& rr);

  // Replaces (or with empty rdatas, removes) the RRset at owner/type.
  void replace_rrset(const Name& owner, Rrset rrset);

  // Nodes in canonical order (finalized zone only).
  NodeList nodes() const { return NodeList(nodes_); }

  // Replaces all nodes; `nodes` must be in canonical order, one per name.
  void set_nodes(std::vector<Node> nodes);

  // Checks whether the node at `i` is the very same object as `other`'s
  // node at `j`, which is so when both zones got it from a common copy. Nodes
  // that are not shared may still be equal.
  bool shares_node(size_t i, const Zone& other, size_t j) const {
    return nodes_[i] == other.nodes_[j];
  }

  // Moves the nodes out in canonical order and leaves the zone empty.
  // Nodes another zone shares are copied.
  std::vector<Node> release_nodes();

  // Inserts `node`, or replaces the node of the same name, keeping the
  // zone finalized. A node without RRsets removes the name.
  void put_node(Node node);

  // Replaces every node equal to the node of the same name in `other` by
  // that one, so that the two zones share it. Both must be finalized.
  // Returns how many nodes this zone shares with `other` afterwards.
  size_t share_nodes_with(const Zone& other);

  // The apex SOA RRset, or nullptr.
  const Rrset* soa() const;

  // SOA serial; 0 when there is no SOA.
  uint32_t serial() const;

  // Rewrites the serial in the apex SOA. No-op without an SOA.
  void set_serial(uint32_t serial);

  size_t rr_count() const;

  // Calls `fn` for every record in canonical order, apex SOA first.
  void for_each_rr(const std::function<void(const Rr&)>& fn) const;

 private:
  Node* find_mutable(const Name& name);
  // Returns the node at `i`, first copied if another zone shares it.
  Node& writable(size_t i);
  // Returns the node named `owner`, created empty when absent.
  Node& node_for(const Name& owner);
  size_t lower_bound(const Name& name) const;

  Name origin_;
  NodeList::Storage nodes_;
  std::vector<Merge> ttl_conflicts_;  // reported by the next finalize()
  bool finalized_ = true;
};

}  // namespace signet::zone
