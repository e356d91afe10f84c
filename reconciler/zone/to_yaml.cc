#include "zone/to_yaml.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "zone/rdata.h"

namespace signet::zone {

namespace {

bool is_signer_type(RrType type) {
  return type == rrtype::RRSIG || type == rrtype::NSEC ||
         type == rrtype::NSEC3 || type == rrtype::NSEC3PARAM ||
         type == rrtype::DNSKEY;
}

bool plain_safe(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') {
    return false;
  }
  static const char* const kReserved[] = {"null", "Null",  "NULL", "~",
                                          "true", "false", "yes",  "no",
                                          "on",   "off",   "True", "False"};
  for (const char* word : kReserved) {
    if (s == word) {
      return false;
    }
  }
  char first = s.front();
  bool first_ok = std::isalnum(static_cast<unsigned char>(first)) ||
                  first == '.' || first == '_' || first == '/' || first == '+';
  if (!first_ok) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    bool ok = std::isalnum(c) ||
              std::string_view("._-/+=:@, ").find(static_cast<char>(c)) !=
                  std::string_view::npos;
    if (!ok) {
      return false;
    }
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) {
      return false;
    }
  }
  return true;
}

// A YAML scalar for `s`: plain when unambiguous, double-quoted otherwise.
// `s` must be printable ASCII; other bytes are escaped as \xNN, which YAML
// reads back as a code point, so callers avoid passing them.
std::string yaml_scalar(std::string_view s) {
  if (plain_safe(s)) {
    return std::string(s);
  }
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

// TXT RDATA as one text when the loader's 255-octet splitting gives the
// same strings back and the text is printable ASCII; nullopt otherwise.
std::optional<std::string> txt_as_text(std::string_view rdata) {
  std::string text;
  size_t pos = 0;
  while (pos < rdata.size()) {
    size_t length = static_cast<unsigned char>(rdata[pos]);
    if (pos + 1 + length > rdata.size()) {
      return std::nullopt;
    }
    bool last = pos + 1 + length == rdata.size();
    if (!last && length != 255) {
      return std::nullopt;
    }
    if (last && length == 0 && pos != 0) {
      return std::nullopt;
    }
    text.append(rdata.substr(pos + 1, length));
    pos += 1 + length;
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f) {
      return std::nullopt;
    }
  }
  // A text starting with '"' or "\#" would be read as presentation format.
  if ((!text.empty() && text.front() == '"') || text.rfind("\\#", 0) == 0) {
    return std::nullopt;
  }
  return text;
}

std::string value_text(RrType type, const std::string& rdata) {
  if (type == rrtype::TXT) {
    if (std::optional<std::string> text = txt_as_text(rdata)) {
      return yaml_scalar(*text);
    }
  }
  return yaml_scalar(format_rdata(type, rdata));
}

uint32_t most_common_ttl(const Zone& zone) {
  std::map<uint32_t, size_t> counts;
  for (const Node& node : zone.nodes()) {
    for (const Rrset& rrset : node.rrsets) {
      if (rrset.type != rrtype::SOA) {
        counts[rrset.ttl] += rrset.rdatas.size();
      }
    }
  }
  uint32_t best = 3600;
  size_t best_count = 0;
  for (const auto& [ttl, count] : counts) {
    if (count > best_count) {
      best = ttl;
      best_count = count;
    }
  }
  return best;
}

void write_soa(std::ostringstream& out, const Zone& zone,
               const YamlOptions& options, uint32_t default_ttl) {
  const Rrset* soa = zone.soa();
  if (soa == nullptr || soa->rdatas.empty()) {
    return;
  }
  std::istringstream fields(format_rdata(rrtype::SOA, soa->rdatas.front()));
  std::string mname, rname, serial, refresh, retry, expire, minimum;
  fields >> mname >> rname >> serial >> refresh >> retry >> expire >> minimum;
  out << "soa:\n";
  out << "  primary: " << yaml_scalar(mname) << "\n";
  out << "  contact: " << yaml_scalar(rname) << "\n";
  if (soa->ttl != default_ttl) {
    out << "  ttl: " << soa->ttl << "\n";
  }
  out << "  refresh: " << refresh << "\n";
  out << "  retry: " << retry << "\n";
  out << "  expire: " << expire << "\n";
  out << "  minimum: " << minimum << "\n";
  out << "  serial: " << model::serial_policy_name(options.serial) << "\n";
}

void write_rrset(std::ostringstream& out, const Rrset& rrset,
                 uint32_t default_ttl) {
  std::string type = type_name(rrset.type);
  out << "    " << yaml_scalar(type) << ":";
  std::string indent = "      ";
  if (rrset.ttl != default_ttl) {
    out << "\n      ttl: " << rrset.ttl << "\n      value";
    out << (rrset.rdatas.size() == 1 ? ":" : "s:");
    indent = "        ";
  }
  if (rrset.rdatas.size() == 1) {
    out << " " << value_text(rrset.type, rrset.rdatas.front()) << "\n";
    return;
  }
  out << "\n";
  for (const std::string& rdata : rrset.rdatas) {
    out << indent << "- " << value_text(rrset.type, rdata) << "\n";
  }
}

}  // namespace

std::string zone_to_yaml(const Zone& zone, const YamlOptions& options) {
  uint32_t default_ttl =
      options.default_ttl != 0 ? options.default_ttl : most_common_ttl(zone);
  std::ostringstream out;
  std::string origin = zone.origin().text();
  if (origin.size() > 1) {
    origin.pop_back();
  }
  out << "zone: " << yaml_scalar(origin) << "\n";
  out << "policy: " << yaml_scalar(options.policy) << "\n";
  out << "ttl: " << default_ttl << "\n";
  write_soa(out, zone, options, default_ttl);
  if (!options.secondaries.empty()) {
    out << "secondaries:\n";
    for (const std::string& name : options.secondaries) {
      out << "  - " << yaml_scalar(name) << "\n";
    }
  }
  out << "records:\n";
  for (const Node& node : zone.nodes()) {
    bool header_written = false;
    for (const Rrset& rrset : node.rrsets) {
      bool apex_soa = rrset.type == rrtype::SOA && node.name == zone.origin();
      if (apex_soa || (options.drop_dnssec && is_signer_type(rrset.type)) ||
          rrset.rdatas.empty()) {
        continue;
      }
      if (!header_written) {
        out << "  " << yaml_scalar(node.name.relative_text(zone.origin()))
            << ":\n";
        header_written = true;
      }
      write_rrset(out, rrset, default_ttl);
    }
  }
  return out.str();
}

}  // namespace signet::zone
