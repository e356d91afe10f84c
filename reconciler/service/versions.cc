#include "service/versions.h"

#include <fmt/format.h>

namespace signet::service {
namespace {

// The SOA RDATA ends with serial, refresh, retry, expire and minimum, each
// four octets (RFC 1035 section 3.3.13).
constexpr size_t kSoaSerialFromEnd = 20;

std::string soa_without_serial(const std::string& rdata) {
  std::string out = rdata;
  if (out.size() >= kSoaSerialFromEnd) {
    size_t at = out.size() - kSoaSerialFromEnd;
    out.replace(at, 4, 4, '\0');
  }
  return out;
}

bool same_rrset(const zone::Rrset& a, const zone::Rrset& b) {
  if (a.type != b.type || a.ttl != b.ttl) {
    return false;
  }
  if (a.type != zone::rrtype::SOA) {
    return a.rdatas == b.rdatas;
  }
  if (a.rdatas.size() != 1 || b.rdatas.size() != 1) {
    return a.rdatas == b.rdatas;
  }
  return soa_without_serial(a.rdatas[0]) == soa_without_serial(b.rdatas[0]);
}

bool is_dnssec_type(zone::RrType type) {
  switch (type) {
    case zone::rrtype::DNSKEY:
    case zone::rrtype::RRSIG:
    case zone::rrtype::NSEC:
    case zone::rrtype::NSEC3:
    case zone::rrtype::NSEC3PARAM:
    case zone::rrtype::CDS:
    case zone::rrtype::CDNSKEY:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool same_data_ignoring_serial(const zone::Zone& a, const zone::Zone& b) {
  if (!(a.origin() == b.origin()) || a.nodes().size() != b.nodes().size()) {
    return false;
  }
  for (size_t i = 0; i < a.nodes().size(); ++i) {
    if (a.shares_node(i, b, i)) {
      continue;
    }
    const zone::Node& x = a.nodes()[i];
    const zone::Node& y = b.nodes()[i];
    if (!(x.name == y.name) || x.rrsets.size() != y.rrsets.size()) {
      return false;
    }
    for (size_t j = 0; j < x.rrsets.size(); ++j) {
      if (!same_rrset(x.rrsets[j], y.rrsets[j])) {
        return false;
      }
    }
  }
  return true;
}

std::shared_ptr<zone::Zone> strip_dnssec(const zone::Zone& signed_zone) {
  auto out = std::make_shared<zone::Zone>(signed_zone.origin());
  std::vector<zone::Node> nodes;
  for (const zone::Node& node : signed_zone.nodes()) {
    zone::Node copy{node.name, {}};
    for (const zone::Rrset& rrset : node.rrsets) {
      if (!is_dnssec_type(rrset.type)) {
        copy.rrsets.push_back(rrset);
      }
    }
    // NSEC3 owners and names left with nothing but signer data drop out.
    if (!copy.rrsets.empty()) {
      nodes.push_back(std::move(copy));
    }
  }
  out->set_nodes(std::move(nodes));
  return out;
}

std::string policy_fingerprint(const model::Policy& p) {
  std::string out = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", p.name,
      static_cast<int>(p.denial), p.nsec3.iterations, p.nsec3.salt_hex,
      p.nsec3.opt_out, p.signature_validity, p.signature_refresh,
      p.signature_jitter, p.inception_offset, p.dnskey_ttl, p.ds_ttl,
      p.publish_safety, p.retire_safety, p.propagation_delay, p.cds);
  for (const model::KeySpec& key : p.keys) {
    out += fmt::format("|{}/{}/{}/{}", static_cast<int>(key.role),
                       key.algorithm, key.bits, key.lifetime);
  }
  return out;
}

state::SerialPolicy serial_policy(model::SerialPolicy policy) {
  switch (policy) {
    case model::SerialPolicy::kUnixtime:
      return state::SerialPolicy::kUnixTime;
    case model::SerialPolicy::kDateserial:
      return state::SerialPolicy::kDateSerial;
    case model::SerialPolicy::kIncrement:
      break;
  }
  return state::SerialPolicy::kIncrement;
}

}  // namespace signet::service
