#include "dnssec/denial.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <thread>

#include "dnssec/crypto.h"

namespace signet::dnssec {

namespace {

constexpr uint8_t kNsec3Sha1 = 1;
constexpr uint8_t kNsec3OptOut = 1;
// Names below which hashing on more threads is not worth starting them.
constexpr size_t kEntriesPerThread = 4096;

std::vector<zone::RrType> node_types(const zone::Node& node) {
  std::vector<zone::RrType> types;
  types.reserve(node.rrsets.size() + 2);
  for (const zone::Rrset& rrset : node.rrsets) {
    types.push_back(rrset.type);
  }
  return types;
}

void insert_type(std::vector<zone::RrType>& types, zone::RrType type) {
  auto it = std::lower_bound(types.begin(), types.end(), type);
  if (it == types.end() || *it != type) {
    types.insert(it, type);
  }
}

void insert_rrset(zone::Node& node, zone::Rrset rrset) {
  auto it = std::lower_bound(
      node.rrsets.begin(), node.rrsets.end(), rrset.type,
      [](const zone::Rrset& r, zone::RrType t) { return r.type < t; });
  node.rrsets.insert(it, std::move(rrset));
}

// True when the node contains a record that gets a signature.
bool has_signed_rrset(const zone::Node& node, NodeKind kind) {
  if (kind == NodeKind::kDelegation) {
    return node.find(zone::rrtype::DS) != nullptr;
  }
  return kind == NodeKind::kAuthoritative && !node.rrsets.empty();
}

struct ChainEntry {
  const zone::Name* name;  // hashed into `hash` once all are collected
  std::vector<zone::RrType> types;
  std::string hash;
};

// Hashes every entry's name, spread over `threads` threads.
void hash_entries(std::vector<ChainEntry>& entries, const std::string& salt,
                  uint16_t iterations, unsigned threads) {
  auto hash_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      entries[i].hash = nsec3_hash(*entries[i].name, salt, iterations);
    }
  };
  size_t count = entries.size();
  threads = static_cast<unsigned>(
      std::clamp<size_t>(count / kEntriesPerThread, 1, std::max(1u, threads)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(hash_range, count * t / threads,
                      count * (t + 1) / threads);
  }
  hash_range(0, count / threads);
  for (std::thread& t : pool) {
    t.join();
  }
}

}  // namespace

void append_type_bitmap(const std::vector<zone::RrType>& types,
                        std::string& out) {
  size_t i = 0;
  while (i < types.size()) {
    uint8_t window = static_cast<uint8_t>(types[i] >> 8);
    uint8_t bitmap[32] = {};
    size_t length = 0;
    for (; i < types.size() && (types[i] >> 8) == window; ++i) {
      uint8_t low = static_cast<uint8_t>(types[i] & 0xff);
      bitmap[low / 8] |= static_cast<uint8_t>(0x80 >> (low % 8));
      length = low / 8 + 1;
    }
    out.push_back(static_cast<char>(window));
    out.push_back(static_cast<char>(length));
    out.append(reinterpret_cast<const char*>(bitmap), length);
  }
}

void add_nsec_chain(std::vector<zone::Node>& nodes,
                    const std::vector<NodeKind>& kinds, uint32_t ttl) {
  size_t first = nodes.size();
  size_t previous = nodes.size();
  auto link = [&](size_t from, const zone::Name& next) {
    std::vector<zone::RrType> types = node_types(nodes[from]);
    insert_type(types, zone::rrtype::NSEC);
    insert_type(types, zone::rrtype::RRSIG);
    std::string rdata = next.wire();
    append_type_bitmap(types, rdata);
    insert_rrset(nodes[from], zone::Rrset{zone::rrtype::NSEC, ttl, {rdata}});
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (kinds[i] == NodeKind::kOccluded) {
      continue;
    }
    if (first == nodes.size()) {
      first = i;
    }
    if (previous != nodes.size()) {
      link(previous, nodes[i].name);
    }
    previous = i;
  }
  if (previous != nodes.size()) {
    link(previous, nodes[first].name);
  }
}

std::string nsec3_salt(const model::Nsec3Params& params) {
  const std::string& hex = params.salt_hex;
  if (hex.empty() || hex == "-") {
    return {};
  }
  if (hex.size() % 2 != 0 || hex.size() > 510) {
    throw std::runtime_error("NSEC3 salt '" + hex +
                             "' must be an even number of hex digits, at "
                             "most 255 octets");
  }
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) {
      throw std::runtime_error("NSEC3 salt '" + hex + "' is not hexadecimal");
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::string nsec3param_rdata(const model::Nsec3Params& params) {
  std::string salt = nsec3_salt(params);
  std::string out;
  out.push_back(static_cast<char>(kNsec3Sha1));
  out.push_back('\0');
  out.push_back(static_cast<char>(params.iterations >> 8));
  out.push_back(static_cast<char>(params.iterations & 0xff));
  out.push_back(static_cast<char>(salt.size()));
  return out + salt;
}

std::vector<zone::Node> build_nsec3_chain(const std::vector<zone::Node>& nodes,
                                          const std::vector<NodeKind>& kinds,
                                          const zone::Name& origin,
                                          const model::Nsec3Params& params,
                                          uint32_t ttl, unsigned threads) {
  std::string salt = nsec3_salt(params);
  std::vector<ChainEntry> entries;
  entries.reserve(nodes.size());
  std::vector<zone::Name> empty_non_terminals;

  // Ancestors present as nodes are exactly the names on the path from the
  // apex to the previous node, because canonical order is depth first.
  std::vector<zone::Name> path;
  std::vector<std::pair<zone::Name, bool>> open;  // ENT name, needed
  for (size_t i = 0; i < nodes.size(); ++i) {
    const zone::Name& name = nodes[i].name;
    if (kinds[i] == NodeKind::kOccluded) {
      continue;
    }
    bool insecure = kinds[i] == NodeKind::kDelegation &&
                    nodes[i].find(zone::rrtype::DS) == nullptr;
    bool in_chain = !(params.opt_out && insecure);

    while (!path.empty() && !name.is_subdomain_of(path.back())) {
      path.pop_back();
    }
    while (!open.empty() && !name.is_subdomain_of(open.back().first)) {
      if (open.back().second) {
        empty_non_terminals.push_back(open.back().first);
      }
      open.pop_back();
    }
    // Names between the deepest existing ancestor and `name` are empty
    // non-terminals not seen before unless already open.
    const zone::Name* deepest = path.empty() ? nullptr : &path.back();
    if (!open.empty() &&
        (deepest == nullptr || open.back().first.is_subdomain_of(*deepest))) {
      deepest = &open.back().first;
    }
    std::vector<zone::Name> missing;
    if (!(name == origin)) {
      for (zone::Name p = name.parent();
           !(p == origin) && (deepest == nullptr || !(p == *deepest));
           p = p.parent()) {
        missing.push_back(p);
      }
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      open.emplace_back(*it, false);
    }
    if (in_chain) {
      for (auto& o : open) {
        o.second = true;
      }
      std::vector<zone::RrType> types = node_types(nodes[i]);
      if (has_signed_rrset(nodes[i], kinds[i])) {
        insert_type(types, zone::rrtype::RRSIG);
      }
      entries.push_back(ChainEntry{&name, std::move(types), {}});
    }
    path.push_back(name);
  }
  for (auto& o : open) {
    if (o.second) {
      empty_non_terminals.push_back(o.first);
    }
  }
  for (const zone::Name& ent : empty_non_terminals) {
    entries.push_back(ChainEntry{&ent, {}, {}});
  }
  hash_entries(entries, salt, params.iterations, threads);

  std::sort(
      entries.begin(), entries.end(),
      [](const ChainEntry& a, const ChainEntry& b) { return a.hash < b.hash; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].hash == entries[i - 1].hash) {
      throw std::runtime_error("NSEC3 hash collision in zone " + origin.text() +
                               "; choose another salt");
    }
  }

  std::string header;
  header.push_back(static_cast<char>(kNsec3Sha1));
  header.push_back(static_cast<char>(params.opt_out ? kNsec3OptOut : 0));
  header.push_back(static_cast<char>(params.iterations >> 8));
  header.push_back(static_cast<char>(params.iterations & 0xff));
  header.push_back(static_cast<char>(salt.size()));
  header += salt;

  std::vector<zone::Node> out;
  out.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const ChainEntry& next = entries[(i + 1) % entries.size()];
    std::string rdata = header;
    rdata.push_back(static_cast<char>(next.hash.size()));
    rdata += next.hash;
    append_type_bitmap(entries[i].types, rdata);
    auto owner = origin.prepend(base32hex_encode(entries[i].hash));
    if (!owner) {
      throw std::runtime_error("zone name " + origin.text() +
                               " is too long for NSEC3 owner names");
    }
    out.push_back(zone::Node{std::move(*owner),
                             {zone::Rrset{zone::rrtype::NSEC3, ttl, {rdata}}}});
  }
  // Base32hex keeps the hash order, and all owners share one parent, so
  // the nodes are already in canonical order.
  return out;
}

}  // namespace signet::dnssec
