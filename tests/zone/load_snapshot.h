// Text forms of loaded zones and diagnostics, for tests that compare a
// load with a cache to one without it.
#pragma once

#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/zone_file.h"
#include "zone/build.h"
#include "zone/load.h"

namespace signet::zone::test {

inline std::string hex(const std::string& octets) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : octets) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Every diagnostic as "file:line:col: severity: message", sorted.
inline std::vector<std::string> sorted_texts(model::Diagnostics diagnostics) {
  diagnostics.sort();
  std::vector<std::string> out;
  for (const model::Diagnostic& d : diagnostics.all()) {
    out.push_back(d.text());
  }
  return out;
}

// The parsed file as lines: its settings and every record value, each
// with its position.
inline void append_file(const model::ZoneFile& file,
                        std::vector<std::string>& out) {
  out.push_back("file " + file.path + " zone " + file.zone + " at " +
                file.zone_location.text() + " policy " + file.policy + " at " +
                file.policy_location.text() + " ttl " +
                std::to_string(file.ttl) + " at " + file.ttl_location.text());
  out.push_back("soa " + file.soa.primary + " " + file.soa.contact + " at " +
                file.soa.location.text());
  for (const model::Reference& ref : file.secondaries) {
    out.push_back("secondary " + ref.name + " at " + ref.location.text());
  }
  for (const model::OwnerRecords& owner : file.records) {
    out.push_back("owner " + owner.owner + " at " + owner.location.text());
    for (const model::RecordSet& set : owner.rrsets) {
      out.push_back(
          "  " + set.type + " at " + set.location.text() + " ttl " +
          (set.ttl ? std::to_string(*set.ttl) : std::string("default")) +
          " at " + set.ttl_location.text());
      for (const model::RecordValue& value : set.values) {
        std::string line = "    " + value.rdata + " at " +
                           value.location.text() +
                           (value.structured ? " structured" : "");
        for (const model::NameField& name : value.names) {
          line += " name " + name.text + " at " + name.location.text();
        }
        out.push_back(line);
      }
    }
  }
}

// The zone's records, each with the position RecordLocations gives its
// RRset and owner.
inline void append_zone(const LoadedZone& loaded,
                        std::vector<std::string>& out) {
  const Zone& zone = loaded.zone;
  out.push_back("zone " + zone.origin().text() + " finalized " +
                (zone.finalized() ? "yes" : "no"));
  for (const Node& node : zone.nodes()) {
    out.push_back("node " + node.name.text() + " at " +
                  loaded.locations->find(node.name, 0).text());
    for (const Rrset& rrset : node.rrsets) {
      std::string line = "  " + type_name(rrset.type) + " " +
                         std::to_string(rrset.ttl) + " at " +
                         loaded.locations->find(node.name, rrset.type).text();
      for (const std::string& rdata : rrset.rdatas) {
        line += " " + hex(rdata);
      }
      out.push_back(line);
    }
  }
}

inline std::vector<std::string> snapshot(const LoadedZone& loaded) {
  std::vector<std::string> out;
  append_file(*loaded.file, out);
  append_zone(loaded, out);
  return out;
}

inline std::vector<std::string> snapshot(const LoadedTenant& tenant) {
  std::vector<std::string> out;
  for (const LoadedZone& loaded : tenant.zones) {
    std::vector<std::string> zone = snapshot(loaded);
    out.insert(out.end(), zone.begin(), zone.end());
  }
  for (const auto& [name, policy] : tenant.policies) {
    out.push_back("policy " + name + " cds " + (policy.cds ? "yes" : "no"));
  }
  for (const model::Secondary& secondary : tenant.secondaries) {
    out.push_back("secondary " + secondary.name + " at " +
                  secondary.location.text());
  }
  return out;
}

}  // namespace signet::zone::test
