#include "zone/diff.h"

#include <algorithm>

namespace signet::zone {

namespace {

void emit_all(const Node& node, const Rrset& r, std::vector<Rr>& out) {
  for (const std::string& d : r.rdatas) {
    out.push_back(Rr{node.name, r.type, r.ttl, d});
  }
}

void emit_node(const Node& node, std::vector<Rr>& out) {
  for (const Rrset& r : node.rrsets) {
    emit_all(node, r, out);
  }
}

// Both RRsets exist: emit the records only in one or the other. A TTL
// change replaces the whole RRset.
void diff_rrset(const Node& node_from, const Rrset& a, const Node& node_to,
                const Rrset& b, ZoneDiff& out) {
  if (a.ttl != b.ttl) {
    emit_all(node_from, a, out.removed);
    emit_all(node_to, b, out.added);
    return;
  }
  auto ia = a.rdatas.begin();
  auto ib = b.rdatas.begin();
  while (ia != a.rdatas.end() || ib != b.rdatas.end()) {
    if (ib == b.rdatas.end() ||
        (ia != a.rdatas.end() &&
         std::lexicographical_compare(ia->begin(), ia->end(), ib->begin(),
                                      ib->end(), [](char x, char y) {
                                        return static_cast<unsigned char>(x) <
                                               static_cast<unsigned char>(y);
                                      }))) {
      out.removed.push_back(Rr{node_from.name, a.type, a.ttl, *ia++});
    } else if (ia == a.rdatas.end() || *ib != *ia) {
      out.added.push_back(Rr{node_to.name, b.type, b.ttl, *ib++});
    } else {
      ++ia;
      ++ib;
    }
  }
}

void diff_node(const Node& a, const Node& b, ZoneDiff& out) {
  auto ia = a.rrsets.begin();
  auto ib = b.rrsets.begin();
  while (ia != a.rrsets.end() || ib != b.rrsets.end()) {
    if (ib == b.rrsets.end() ||
        (ia != a.rrsets.end() && rrset_order(*ia) < rrset_order(*ib))) {
      emit_all(a, *ia++, out.removed);
    } else if (ia == a.rrsets.end() || rrset_order(*ib) < rrset_order(*ia)) {
      emit_all(b, *ib++, out.added);
    } else {
      if (ia->type != rrtype::SOA) {
        diff_rrset(a, *ia, b, *ib, out);
      }
      ++ia;
      ++ib;
    }
  }
}

}  // namespace

ZoneDiff diff_zones(const Zone& from, const Zone& to) {
  ZoneDiff out;
  out.from_serial = from.serial();
  out.to_serial = to.serial();
  // The SOAs lead each list, as IXFR wants them.
  if (const Rrset* soa = from.soa()) {
    out.removed.push_back(
        Rr{from.origin(), rrtype::SOA, soa->ttl, soa->rdatas.front()});
  }
  if (const Rrset* soa = to.soa()) {
    out.added.push_back(
        Rr{to.origin(), rrtype::SOA, soa->ttl, soa->rdatas.front()});
  }
  const auto& na = from.nodes();
  const auto& nb = to.nodes();
  size_t i = 0;
  size_t j = 0;
  while (i < na.size() || j < nb.size()) {
    if (j == nb.size() || (i < na.size() && na[i].name < nb[j].name)) {
      emit_node(na[i++], out.removed);
    } else if (i == na.size() || nb[j].name < na[i].name) {
      emit_node(nb[j++], out.added);
    } else if (from.shares_node(i, to, j)) {
      ++i;  // a node both versions share is unchanged
      ++j;
    } else {
      diff_node(na[i++], nb[j++], out);
    }
  }
  // emit_node above also emits apex SOAs of zones that only one side has
  // at that node; drop SOAs beyond the leading ones.
  auto not_extra_soa = [](std::vector<Rr>& v) {
    if (v.size() > 1) {
      v.erase(std::remove_if(v.begin() + 1, v.end(),
                             [](const Rr& r) { return r.type == rrtype::SOA; }),
              v.end());
    }
  };
  not_extra_soa(out.removed);
  not_extra_soa(out.added);
  return out;
}

bool apply_diff(Zone& zone, const ZoneDiff& diff) {
  for (const Rr& rr : diff.removed) {
    if (rr.type == rrtype::SOA) {
      continue;
    }
    if (!zone.remove(rr)) {
      return false;
    }
  }
  for (const Rr& rr : diff.added) {
    if (rr.type == rrtype::SOA) {
      zone.replace_rrset(rr.owner, Rrset{rr.type, rr.ttl, {rr.rdata}});
      continue;
    }
    if (!zone.insert(rr)) {
      return false;
    }
  }
  return true;
}

}  // namespace signet::zone
