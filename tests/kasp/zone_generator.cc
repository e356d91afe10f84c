#include "zone_generator.h"

#include "dnssec/crypto.h"
#include "dnssec/rrsig.h"
#include "support.h"
#include "zone/rdata.h"

namespace signet::testing {

namespace {

const zone::Name kOrigin = *zone::Name::parse("example.");

zone::Name make_name(const std::string& text) {
  return *zone::Name::parse(text, kOrigin);
}

std::string rdata(zone::RrType type, const std::string& text) {
  std::string error;
  auto out = zone::parse_rdata(type, text, kOrigin, &error);
  if (!out) {
    throw std::runtime_error("bad test RDATA '" + text + "': " + error);
  }
  return *out;
}

int pick(std::mt19937& rng, int n) {
  return std::uniform_int_distribution<int>(0, n - 1)(rng);
}

std::string random_label(std::mt19937& rng) {
  static const char* const kWords[] = {"www", "mail", "a",   "b",  "c",
                                       "dev", "api",  "x",   "y",  "shop",
                                       "eu",  "us",   "old", "new"};
  return std::string(kWords[pick(rng, 14)]) + std::to_string(pick(rng, 40));
}

std::string random_owner(std::mt19937& rng) {
  std::string owner = random_label(rng);
  int depth = pick(rng, 4);  // deeper names create empty non-terminals
  for (int i = 0; i < depth; ++i) {
    owner += "." + random_label(rng);
  }
  if (pick(rng, 12) == 0) {
    owner = "*." + owner;
  }
  return owner;
}

void add_address_records(std::mt19937& rng, zone::Zone& z,
                         const zone::Name& owner) {
  uint32_t ttl = 300 * (1 + pick(rng, 4));
  switch (pick(rng, 5)) {
    case 0:
      z.add(
          owner, zone::rrtype::A, ttl,
          rdata(zone::rrtype::A, "192.0.2." + std::to_string(pick(rng, 250))));
      break;
    case 1:
      z.add(owner, zone::rrtype::AAAA, ttl,
            rdata(zone::rrtype::AAAA,
                  "2001:db8::" + std::to_string(1 + pick(rng, 999))));
      break;
    case 2:
      z.add(owner, zone::rrtype::TXT, ttl,
            rdata(zone::rrtype::TXT,
                  "\"v=" + std::to_string(pick(rng, 100000)) + "\""));
      break;
    case 3:
      z.add(owner, zone::rrtype::MX, ttl,
            rdata(zone::rrtype::MX,
                  std::to_string(pick(rng, 50)) + " mail.example."));
      break;
    default:
      if (z.find(owner) == nullptr) {
        z.add(owner, zone::rrtype::CNAME, ttl,
              rdata(zone::rrtype::CNAME, "www.example."));
      }
      break;
  }
}

void add_delegation(std::mt19937& rng, zone::Zone& z, bool finalized) {
  std::string label = "zone" + std::to_string(pick(rng, 1000));
  if (pick(rng, 3) == 0) {
    label += ".ent" + std::to_string(pick(rng, 5));
  }
  zone::Name owner = make_name(label);
  if (z.find(owner) != nullptr) {
    return;
  }
  zone::Name ns = make_name("ns." + label);
  std::vector<zone::Rr> rrs = {
      {owner, zone::rrtype::NS, 3600, rdata(zone::rrtype::NS, "ns." + label)},
      {ns, zone::rrtype::A, 3600, rdata(zone::rrtype::A, "192.0.2.53")},
  };
  if (pick(rng, 2) == 0) {
    rrs.push_back({owner, zone::rrtype::DS, 3600,
                   rdata(zone::rrtype::DS,
                         std::to_string(pick(rng, 65535)) +
                             " 13 2 "
                             "0123456789abcdef0123456789abcdef0123456789abcdef"
                             "0123456789abcdef")});
  }
  for (const zone::Rr& rr : rrs) {
    if (finalized) {
      z.insert(rr);
    } else {
      z.add(rr);
    }
  }
}

bool below_cut(const zone::Zone& z, const zone::Name& name) {
  for (zone::Name n = name; !(n == z.origin()); n = n.parent()) {
    const zone::Node* node = z.find(n);
    if (node != nullptr && node->find(zone::rrtype::NS) != nullptr) {
      return true;
    }
  }
  return false;
}

}  // namespace

zone::Zone generate_zone(std::mt19937& rng, int names) {
  zone::Zone z(kOrigin);
  z.add(kOrigin, zone::rrtype::SOA, 3600,
        rdata(zone::rrtype::SOA,
              "ns1.example. hostmaster.example. 1 7200 3600 1209600 300"));
  z.add(kOrigin, zone::rrtype::NS, 3600, rdata(zone::rrtype::NS, "ns1"));
  z.add(make_name("ns1"), zone::rrtype::A, 3600,
        rdata(zone::rrtype::A, "192.0.2.1"));
  z.add(make_name("www"), zone::rrtype::A, 300,
        rdata(zone::rrtype::A, "192.0.2.2"));
  z.add(make_name("mail"), zone::rrtype::A, 300,
        rdata(zone::rrtype::A, "192.0.2.3"));
  for (int i = 0; i < names; ++i) {
    if (pick(rng, 20) == 0) {
      add_delegation(rng, z, false);
    } else {
      add_address_records(rng, z, make_name(random_owner(rng)));
    }
  }
  z.finalize();
  // Drop data that generation put below a delegation by chance, and
  // CNAMEs that share a name with other data.
  std::vector<zone::Rr> drop;
  for (const zone::Node& node : z.nodes()) {
    bool cname_clash =
        node.find(zone::rrtype::CNAME) != nullptr && node.rrsets.size() > 1;
    bool occluded = !(node.name == kOrigin) &&
                    below_cut(z, node.name.parent()) &&
                    node.name.first_label() != "ns";
    for (const zone::Rrset& rrset : node.rrsets) {
      if (occluded || (cname_clash && rrset.type == zone::rrtype::CNAME)) {
        for (const std::string& r : rrset.rdatas) {
          drop.push_back({node.name, rrset.type, rrset.ttl, r});
        }
      }
    }
  }
  for (const zone::Rr& rr : drop) {
    z.remove(rr);
  }
  return z;
}

std::string random_edit(std::mt19937& rng, zone::Zone& z) {
  const auto& nodes = z.nodes();
  const zone::Node& node =
      nodes[1 + pick(rng, static_cast<int>(nodes.size()) - 1)];
  switch (pick(rng, 6)) {
    case 0: {
      zone::Name owner = make_name(random_owner(rng));
      if (below_cut(z, owner)) {
        return "skip";
      }
      const zone::Node* existing = z.find(owner);
      if (existing != nullptr && existing->find(zone::rrtype::CNAME)) {
        return "skip";
      }
      zone::Rr rr{owner, zone::rrtype::TXT, 300,
                  rdata(zone::rrtype::TXT,
                        "\"added " + std::to_string(pick(rng, 1000)) + "\"")};
      z.insert(rr);
      return "add TXT at " + owner.text();
    }
    case 1: {
      const zone::Rrset& rrset = node.rrsets.front();
      zone::Rr rr{node.name, rrset.type, rrset.ttl, rrset.rdatas.front()};
      std::string what = "remove " + zone::format_rr(rr);
      if (rrset.type == zone::rrtype::NS) {
        return "skip";
      }
      z.remove(rr);
      return what;
    }
    case 2: {
      zone::Rrset rrset = node.rrsets.back();
      rrset.ttl += 60;
      std::string what = "TTL of " + node.name.text();
      z.replace_rrset(node.name, rrset);
      return what;
    }
    case 3:
      add_delegation(rng, z, true);
      return "add delegation";
    case 4: {
      if (node.find(zone::rrtype::NS) == nullptr) {
        return "skip";
      }
      zone::Name owner = node.name;
      std::vector<zone::RrType> types;
      for (const zone::Rrset& r : node.rrsets) {
        types.push_back(r.type);
      }
      for (zone::RrType t : types) {
        z.remove_rrset(owner, t);
      }
      z.remove_rrset(make_name("ns." + owner.relative_text(kOrigin)),
                     zone::rrtype::A);
      return "remove delegation " + owner.text();
    }
    default: {
      if (node.find(zone::rrtype::NS) != nullptr ||
          node.name.first_label() == "ns") {
        return "skip";
      }
      zone::Name owner = node.name;
      std::vector<zone::RrType> types;
      for (const zone::Rrset& r : node.rrsets) {
        types.push_back(r.type);
      }
      for (zone::RrType t : types) {
        z.remove_rrset(owner, t);
      }
      return "remove name " + owner.text();
    }
  }
}

namespace {

// Splits RRSIG RDATA after the signer name.
size_t signature_offset(const std::string& rdata) {
  size_t pos = 18;
  while (pos < rdata.size() && rdata[pos] != 0) {
    pos += 1 + static_cast<unsigned char>(rdata[pos]);
  }
  return pos + 1;
}

}  // namespace

std::string verify_all_signatures(const zone::Zone& z) {
  const zone::Rrset* dnskeys = z.find(z.origin(), zone::rrtype::DNSKEY);
  if (dnskeys == nullptr) {
    return "no DNSKEY RRset";
  }
  for (const zone::Node& node : z.nodes()) {
    for (const zone::Rrset& sigs : node.rrsets) {
      if (sigs.type != zone::rrtype::RRSIG) {
        continue;
      }
      for (const std::string& sig : sigs.rdatas) {
        dnssec::RrsigFields fields;
        dnssec::parse_rrsig_fields(sig, fields);
        const zone::Rrset* covered = node.find(fields.type_covered);
        if (covered == nullptr) {
          return "RRSIG without RRset at " + node.name.text();
        }
        size_t offset = signature_offset(sig);
        std::string data = sig.substr(0, offset);
        dnssec::append_signed_records(node.name, *covered, fields.original_ttl,
                                      data);
        bool verified = false;
        for (const std::string& key : dnskeys->rdatas) {
          if (dnssec::key_tag(key) == fields.key_tag &&
              dnssec::verify_signature(fields.algorithm, key.substr(4), data,
                                       sig.substr(offset))) {
            verified = true;
          }
        }
        if (!verified) {
          return "bad signature over " + node.name.text() + " " +
                 zone::type_name(fields.type_covered);
        }
        if (sigs.ttl != covered->ttl) {
          return "RRSIG TTL differs from its RRset at " + node.name.text();
        }
      }
    }
  }
  return "";
}

std::string text_without_signatures(const zone::Zone& z) {
  std::string out;
  z.for_each_rr([&](const zone::Rr& rr) {
    zone::Rr copy = rr;
    if (rr.type == zone::rrtype::RRSIG) {
      copy.rdata = rr.rdata.substr(0, signature_offset(rr.rdata));
      copy.type = zone::rrtype::TXT;  // printable without the signature
      out += copy.owner.text() + " " + std::to_string(copy.ttl) + " RRSIG " +
             std::to_string(copy.rdata.size()) + " ";
      for (char c : copy.rdata) {
        out += std::to_string(static_cast<unsigned char>(c)) + ",";
      }
      out += "\n";
      return;
    }
    out += zone::format_rr(copy) + "\n";
  });
  return out;
}

}  // namespace signet::testing
