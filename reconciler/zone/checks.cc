#include "zone/checks.h"

#include <string_view>
#include <unordered_set>

#include "zone/rdata.h"

namespace signet::zone {

namespace {

// Reads the uncompressed name that starts RDATA at `offset`. RDATA here
// is canonical wire format, so names are never compressed.
std::optional<Name> name_at(const std::string& rdata, size_t offset) {
  size_t pos = offset;
  while (pos < rdata.size()) {
    auto length = static_cast<uint8_t>(rdata[pos]);
    if (length == 0) {
      return Name::from_canonical_wire(rdata.substr(offset, pos + 1 - offset));
    }
    if (length > 63) {
      return std::nullopt;
    }
    pos += 1 + length;
  }
  return std::nullopt;
}

// The name an NS, MX or SRV record points to, or nullopt for other types.
std::optional<Name> target_of(RrType type, const std::string& rdata) {
  switch (type) {
    case rrtype::NS:
      return name_at(rdata, 0);
    case rrtype::MX:
      return name_at(rdata, 2);
    case rrtype::SRV:
      return name_at(rdata, 6);
    default:
      return std::nullopt;
  }
}

bool is_dnssec_type(RrType type) {
  return type == rrtype::RRSIG || type == rrtype::NSEC;
}

bool is_address_type(RrType type) {
  return type == rrtype::A || type == rrtype::AAAA;
}

// Types that may sit at a delegation point besides NS: the DS records and
// the DNSSEC records the parent signs there, and address records that are
// glue for an NS target equal to the delegated name.
bool allowed_at_delegation(RrType type) {
  return type == rrtype::NS || type == rrtype::DS || is_dnssec_type(type) ||
         is_address_type(type);
}

class ZoneChecker {
 public:
  ZoneChecker(const Zone& zone, const SourceMap& where, model::Diagnostics& out)
      : zone_(zone), where_(where), out_(out) {}

  void run();

 private:
  void collect_ns_targets();
  void check_apex();
  void check_node(const Node& node);
  void check_out_of_zone(const Node& node);
  void check_below_cut(const Node& node);
  void check_cname(const Node& node);
  void check_dname(const Node& node);
  void check_delegation(const Node& node);
  void check_misplaced(const Node& node);
  void check_wildcard(const Node& node);
  void check_targets(const Node& node);
  void check_sizes(const Node& node);

  model::Location at(const Name& owner, RrType type) const {
    return where_ ? where_(owner, type) : model::Location{};
  }
  void error(const Name& owner, RrType type, std::string message) {
    out_.error(at(owner, type), std::move(message));
  }
  void warning(const Name& owner, RrType type, std::string message) {
    out_.warning(at(owner, type), std::move(message));
  }

  const Zone& zone_;
  const SourceMap& where_;
  model::Diagnostics& out_;
  // The closest delegation point or DNAME owner above the current node,
  // valid while nodes below it are visited (canonical order keeps a
  // subtree together right after its top).
  std::optional<Name> cut_;
  RrType cut_type_ = 0;
  std::unordered_set<Name, NameHash> ns_targets_;  // of every NS record
};

void ZoneChecker::run() {
  collect_ns_targets();
  check_apex();
  for (const Node& node : zone_.nodes()) {
    check_node(node);
  }
}

void ZoneChecker::collect_ns_targets() {
  for (const Node& node : zone_.nodes()) {
    const Rrset* ns = node.find(rrtype::NS);
    if (ns == nullptr) {
      continue;
    }
    for (const std::string& rdata : ns->rdatas) {
      if (auto target = target_of(rrtype::NS, rdata)) {
        ns_targets_.insert(*target);
      }
    }
  }
}

void ZoneChecker::check_apex() {
  const Name& origin = zone_.origin();
  const Node* apex = zone_.find(origin);
  const Rrset* soa = apex ? apex->find(rrtype::SOA) : nullptr;
  if (soa == nullptr) {
    error(origin, rrtype::SOA,
          "zone " + origin.text() +
              " has no SOA record at its apex; add one (RFC 1035 section "
              "5.2)");
  } else if (soa->rdatas.size() > 1) {
    error(origin, rrtype::SOA,
          "zone " + origin.text() + " has " +
              std::to_string(soa->rdatas.size()) +
              " SOA records at its apex; keep exactly one (RFC 1035 section "
              "5.2)");
  }
  if (apex == nullptr || apex->find(rrtype::NS) == nullptr) {
    error(origin, rrtype::NS,
          "zone " + origin.text() +
              " has no NS records at its apex; add the zone's name servers "
              "(RFC 1034 section 4.2.1)");
  }
  if (apex != nullptr && apex->find(rrtype::DS) != nullptr) {
    error(origin, rrtype::DS,
          "DS records at the apex " + origin.text() +
              " belong in the parent zone; remove them here (RFC 4034 "
              "section 5)");
  }
}

void ZoneChecker::check_node(const Node& node) {
  check_sizes(node);
  if (!node.name.is_subdomain_of(zone_.origin())) {
    check_out_of_zone(node);
    return;
  }
  if (cut_ && node.name.is_subdomain_of(*cut_) && !(node.name == *cut_)) {
    check_below_cut(node);
    return;
  }
  cut_.reset();

  check_cname(node);
  check_dname(node);
  check_misplaced(node);
  check_wildcard(node);
  check_targets(node);
  if (!(node.name == zone_.origin()) && node.find(rrtype::NS) != nullptr) {
    check_delegation(node);
    cut_ = node.name;
    cut_type_ = rrtype::NS;
  } else if (node.find(rrtype::DNAME) != nullptr) {
    cut_ = node.name;
    cut_type_ = rrtype::DNAME;
  }
}

// The largest RDATA served: RDLENGTH is 16 bits (RFC 1035 section 3.2.1),
// and a transfer message also carries a header, the question and a TSIG
// record, so 1 KiB of the 65535-octet message stays free for those.
constexpr size_t kMaxRdata = 65535 - 1024;

void ZoneChecker::check_sizes(const Node& node) {
  for (const Rrset& rrset : node.rrsets) {
    for (const std::string& rdata : rrset.rdatas) {
      if (rdata.size() > kMaxRdata) {
        error(node.name, rrset.type,
              type_name(rrset.type) + " record at " + node.name.text() +
                  " has " + std::to_string(rdata.size()) +
                  " octets of RDATA, over the limit of " +
                  std::to_string(kMaxRdata) +
                  " that fits in one DNS message; split the data across "
                  "several records");
      }
    }
  }
}

void ZoneChecker::check_out_of_zone(const Node& node) {
  for (const Rrset& rrset : node.rrsets) {
    error(node.name, rrset.type,
          "out-of-zone record: " + node.name.text() + " " +
              type_name(rrset.type) + " is not in zone " +
              zone_.origin().text() +
              "; remove it or move it to the zone it belongs to");
  }
}

void ZoneChecker::check_below_cut(const Node& node) {
  for (const Rrset& rrset : node.rrsets) {
    if (cut_type_ == rrtype::NS && is_address_type(rrset.type)) {
      if (ns_targets_.count(node.name) == 0) {
        error(node.name, rrset.type,
              node.name.text() + " " + type_name(rrset.type) +
                  " is below the delegation " + cut_->text() +
                  " and is occluded: no NS record names it, so it is not "
                  "glue; remove it or move it to the child zone (RFC 1034 "
                  "section 4.2.1)");
      }
      continue;
    }
    if (cut_type_ == rrtype::NS) {
      error(node.name, rrset.type,
            node.name.text() + " " + type_name(rrset.type) +
                " is below the delegation " + cut_->text() +
                " and is occluded: only glue address records (A, AAAA) "
                "may be there; move it to the child zone (RFC 1034 section "
                "4.2.1)");
    } else {
      error(node.name, rrset.type,
            node.name.text() + " " + type_name(rrset.type) +
                " is below the DNAME at " + cut_->text() +
                " and is occluded: resolvers never see it; remove it or the "
                "DNAME (RFC 6672 section 2.4)");
    }
  }
}

void ZoneChecker::check_cname(const Node& node) {
  const Rrset* cname = node.find(rrtype::CNAME);
  if (cname == nullptr) {
    return;
  }
  if (node.name == zone_.origin()) {
    error(node.name, rrtype::CNAME,
          "CNAME at the zone apex " + node.name.text() +
              " is not allowed: the apex holds SOA and NS, and a CNAME must "
              "be alone at its name; use A/AAAA records or an SVCB/HTTPS "
              "alias instead (RFC 1034 section 3.6.2, RFC 2181 section 10.1)");
    return;
  }
  if (cname->rdatas.size() > 1) {
    error(node.name, rrtype::CNAME,
          node.name.text() + " has " + std::to_string(cname->rdatas.size()) +
              " CNAME records; a name has at most one (RFC 2181 section "
              "10.1)");
  }
  std::string others;
  for (const Rrset& rrset : node.rrsets) {
    // A DNAME beside the CNAME is reported by check_dname.
    if (rrset.type != rrtype::CNAME && rrset.type != rrtype::DNAME &&
        !is_dnssec_type(rrset.type)) {
      others += (others.empty() ? "" : ", ") + type_name(rrset.type);
    }
  }
  if (!others.empty()) {
    error(node.name, rrtype::CNAME,
          "CNAME at " + node.name.text() + " shares its name with " + others +
              "; a CNAME must be the only data at its name, so remove the "
              "CNAME or the other records (RFC 1034 section 3.6.2, RFC 2181 "
              "section 10.1)");
  }
}

void ZoneChecker::check_dname(const Node& node) {
  const Rrset* dname = node.find(rrtype::DNAME);
  if (dname == nullptr) {
    return;
  }
  if (dname->rdatas.size() > 1) {
    error(node.name, rrtype::DNAME,
          node.name.text() + " has " + std::to_string(dname->rdatas.size()) +
              " DNAME records; a name has at most one (RFC 6672 section "
              "2.4)");
  }
  if (node.find(rrtype::CNAME) != nullptr) {
    error(node.name, rrtype::DNAME,
          "DNAME and CNAME at the same name " + node.name.text() +
              " are not allowed; keep one of them (RFC 2181 section 10.1, RFC "
              "6672 section 2.4)");
  }
  if (node.find(rrtype::NS) != nullptr && !(node.name == zone_.origin())) {
    error(node.name, rrtype::DNAME,
          "DNAME at the delegation point " + node.name.text() +
              " is not allowed; put it in the child zone (RFC 6672 section "
              "2.4)");
  }
}

void ZoneChecker::check_misplaced(const Node& node) {
  bool apex = node.name == zone_.origin();
  if (!apex && node.find(rrtype::SOA) != nullptr) {
    error(node.name, rrtype::SOA,
          "SOA record at " + node.name.text() + ", below the apex " +
              zone_.origin().text() +
              "; an SOA belongs only at the zone apex, so remove it or make " +
              node.name.text() + " a zone of its own (RFC 1035 section 5.2)");
  }
  bool delegation = !apex && node.find(rrtype::NS) != nullptr;
  if (!apex && !delegation && !node.name.is_wildcard() &&
      node.find(rrtype::DS) != nullptr) {
    error(node.name, rrtype::DS,
          "DS at " + node.name.text() +
              ", which has no NS records; DS records belong only at a "
              "delegation point, so add the delegation's NS records or "
              "remove the DS (RFC 4034 section 5)");
  }
  if (!delegation) {
    return;
  }
  for (const Rrset& rrset : node.rrsets) {
    // CNAME, DNAME and SOA here have messages of their own.
    if (!allowed_at_delegation(rrset.type) && rrset.type != rrtype::CNAME &&
        rrset.type != rrtype::DNAME && rrset.type != rrtype::SOA) {
      error(node.name, rrset.type,
            node.name.text() + " " + type_name(rrset.type) +
                " is at the delegation point " + node.name.text() +
                " and is occluded: only NS, DS and glue belong there; move "
                "it to the child zone (RFC 1034 section 4.2.1)");
    }
  }
}

void ZoneChecker::check_wildcard(const Node& node) {
  if (!node.name.is_wildcard()) {
    return;
  }
  if (node.find(rrtype::NS) != nullptr) {
    error(node.name, rrtype::NS,
          "NS records at the wildcard name " + node.name.text() +
              " have undefined semantics; delegate explicit names instead "
              "(RFC 4592 section 4.2)");
  }
  if (node.find(rrtype::DS) != nullptr) {
    error(node.name, rrtype::DS,
          "DS records at the wildcard name " + node.name.text() +
              " have no meaning; remove them (RFC 4592 section 4.6)");
  }
}

void ZoneChecker::check_delegation(const Node& node) {
  const Rrset* ns = node.find(rrtype::NS);
  for (const std::string& rdata : ns->rdatas) {
    auto target = target_of(rrtype::NS, rdata);
    if (!target || !target->is_subdomain_of(node.name)) {
      continue;
    }
    const Node* glue = zone_.find(*target);
    if (glue == nullptr || (glue->find(rrtype::A) == nullptr &&
                            glue->find(rrtype::AAAA) == nullptr)) {
      error(node.name, rrtype::NS,
            "name server " + target->text() + " of the delegation " +
                node.name.text() +
                " is inside the delegated zone but has no glue; add A or "
                "AAAA records for " +
                target->text() + " (RFC 1034 section 4.2.1)");
    }
  }
}

void ZoneChecker::check_targets(const Node& node) {
  for (const Rrset& rrset : node.rrsets) {
    if (rrset.type != rrtype::NS && rrset.type != rrtype::MX &&
        rrset.type != rrtype::SRV) {
      continue;
    }
    for (const std::string& rdata : rrset.rdatas) {
      auto target = target_of(rrset.type, rdata);
      if (!target || !target->is_subdomain_of(zone_.origin())) {
        continue;
      }
      if (zone_.find(*target, rrtype::CNAME) != nullptr) {
        warning(node.name, rrset.type,
                type_name(rrset.type) + " target " + target->text() + " of " +
                    node.name.text() +
                    " is a CNAME; point it at the canonical name instead "
                    "(RFC 2181 section 10.3)");
      }
    }
  }
}

}  // namespace

void check_zone(const Zone& zone, const SourceMap& where,
                model::Diagnostics& out) {
  ZoneChecker(zone, where, out).run();
}

void report_merges(const Zone& zone, const std::vector<Zone::Merge>& merges,
                   const SourceMap& where, model::Diagnostics& out) {
  for (const Zone::Merge& merge : merges) {
    model::Location location =
        where ? where(merge.owner, merge.type) : model::Location{};
    std::string rrset = merge.owner.text() + " " + type_name(merge.type);
    if (merge.duplicate) {
      out.warning(location, "duplicate record in " + rrset +
                                " is ignored (RFC 2181 section 5); remove "
                                "the repeated record");
      continue;
    }
    const Rrset* kept = zone.find(merge.owner, merge.type);
    std::string kept_ttl = kept ? std::to_string(kept->ttl) : "another TTL";
    out.error(location, "records of " + rrset + " have TTLs " + kept_ttl +
                            " and " + std::to_string(merge.dropped_ttl) +
                            "; give every record of an RRset the same TTL "
                            "(RFC 2181 section 5.2)");
  }
}

}  // namespace signet::zone
