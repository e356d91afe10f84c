#include "model/zone_file.h"

#include <algorithm>
#include <set>

#include "model/record_forms.h"
#include "model/yaml_reader.h"

namespace signet::model {

namespace {

const std::vector<std::string_view> kZoneKeys = {
    "zone", "policy", "ttl", "soa", "secondaries", "records"};
const std::vector<std::string_view> kSoaKeys = {
    "primary", "mname", "contact", "rname",   "ttl",
    "refresh", "retry", "expire",  "minimum", "serial"};
const std::vector<std::string_view> kRrsetKeys = {"ttl", "value", "values"};
const std::vector<std::string_view> kSerialPolicies = {"increment", "unixtime",
                                                       "dateserial"};

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::toupper(c));
  });
  return s;
}

class ZoneFileParser {
 public:
  ZoneFileParser(const std::string& path, Diagnostics& diagnostics)
      : reader_(path, diagnostics) {}

  std::optional<ZoneFile> parse(const std::string& text) {
    std::optional<YAML::Node> root = reader_.load(text);
    if (!root) {
      return std::nullopt;
    }
    ZoneFile file;
    file.path = reader_.path();
    Location start{reader_.path(), 1, 1};
    file.zone_location = start;
    file.soa.location = start;
    file.ttl_location = start;
    file.policy_location = start;
    std::vector<YamlEntry> entries =
        reader_.entries(*root, start, "the zone file", kZoneKeys);
    bool has_zone = false;
    for (const YamlEntry& e : entries) {
      if (e.key == "zone") {
        if (auto s = reader_.text(e.value, e.location, "zone")) {
          file.zone = *s;
          file.zone_location = e.location;
          has_zone = true;
        }
      }
    }
    if (!has_zone) {
      if (root->IsMap() &&
          std::none_of(entries.begin(), entries.end(),
                       [](const YamlEntry& e) { return e.key == "zone"; })) {
        reader_.error(start,
                      "the zone file has no 'zone:' key; add the zone's name, "
                      "e.g. 'zone: example.com'");
      }
      return std::nullopt;
    }
    for (const YamlEntry& e : entries) {
      parse_top(e, file);
    }
    return file;
  }

 private:
  void parse_top(const YamlEntry& e, ZoneFile& file) {
    if (e.key == "policy") {
      if (auto s = reader_.text(e.value, e.location, "policy")) {
        file.policy = *s;
        file.policy_location = e.location;
      }
    } else if (e.key == "ttl") {
      file.ttl_location = e.location;
      if (auto ttl = reader_.duration(e.value, e.location, "ttl", 0, kMaxTtl)) {
        file.ttl = static_cast<uint32_t>(*ttl);
      }
    } else if (e.key == "soa") {
      file.soa.location = e.key_location;
      parse_soa(e, file.soa);
    } else if (e.key == "secondaries") {
      parse_secondaries(e, file);
    } else if (e.key == "records") {
      parse_records(e, file);
    }
  }

  void parse_soa(const YamlEntry& soa_entry, SoaSettings& soa) {
    bool has_primary = false;
    bool has_contact = false;
    for (const YamlEntry& e : reader_.entries(
             soa_entry.value, soa_entry.location, "soa", kSoaKeys)) {
      if (e.key == "primary" || e.key == "mname") {
        if (has_primary) {
          reader_.error(e.key_location,
                        "soa has both 'primary' and 'mname'; keep one");
          continue;
        }
        has_primary = true;
        if (auto s = reader_.text(e.value, e.location, "soa " + e.key)) {
          soa.primary = *s;
          soa.primary_location = e.location;
        }
      } else if (e.key == "contact" || e.key == "rname") {
        if (has_contact) {
          reader_.error(e.key_location,
                        "soa has both 'contact' and 'rname'; keep one");
          continue;
        }
        has_contact = true;
        if (auto s = reader_.text(e.value, e.location, "soa " + e.key)) {
          soa.contact = contact_to_rname(*s);
          soa.contact_location = e.location;
        }
      } else if (e.key == "serial") {
        parse_serial(e, soa);
      } else {
        std::optional<int64_t> value =
            reader_.duration(e.value, e.location, "soa " + e.key, 0, kMaxTtl);
        if (!value) {
          continue;
        }
        auto seconds = static_cast<uint32_t>(*value);
        if (e.key == "ttl") {
          soa.ttl = seconds;
        } else if (e.key == "refresh") {
          soa.refresh = seconds;
        } else if (e.key == "retry") {
          soa.retry = seconds;
        } else if (e.key == "expire") {
          soa.expire = seconds;
        } else {
          soa.minimum = seconds;
        }
      }
    }
    if (soa.expire <= soa.refresh) {
      reader_.warning(soa_entry.key_location,
                      "soa expire (" + std::to_string(soa.expire) +
                          ") is not above refresh (" +
                          std::to_string(soa.refresh) +
                          "), so secondaries may drop the zone between "
                          "refreshes; raise expire");
    }
  }

  void parse_serial(const YamlEntry& e, SoaSettings& soa) {
    std::optional<std::string> s =
        reader_.text(e.value, e.location, "soa serial");
    if (!s) {
      return;
    }
    if (!s->empty() && std::all_of(s->begin(), s->end(), ::isdigit)) {
      reader_.error(e.location,
                    "soa serial '" + *s +
                        "' is a number, but Signet assigns serials itself; "
                        "write how to pick them: increment, unixtime or "
                        "dateserial");
      return;
    }
    if (*s == "increment") {
      soa.serial = SerialPolicy::kIncrement;
    } else if (*s == "unixtime") {
      soa.serial = SerialPolicy::kUnixtime;
    } else if (*s == "dateserial") {
      soa.serial = SerialPolicy::kDateserial;
    } else {
      std::string message = "soa serial '" + *s + "' is unknown;";
      std::string suggestion = closest_match(*s, kSerialPolicies);
      if (!suggestion.empty()) {
        message += " did you mean '" + suggestion + "'?";
      }
      reader_.error(e.location,
                    message + " use increment, unixtime or dateserial");
    }
  }

  void parse_secondaries(const YamlEntry& e, ZoneFile& file) {
    std::set<std::string> seen;
    for (auto& [name, where] :
         reader_.text_list(e.value, e.location, "secondary name")) {
      if (!seen.insert(name).second) {
        reader_.error(where,
                      "secondary '" + name + "' is listed twice; remove one");
        continue;
      }
      file.secondaries.push_back(Reference{name, where});
    }
  }

  void parse_records(const YamlEntry& e, ZoneFile& file) {
    for (const YamlEntry& owner :
         reader_.free_entries(e.value, e.location, "records")) {
      OwnerRecords records;
      records.owner = owner.key;
      records.location = owner.key_location;
      std::string what = "the records of '" + owner.key + "'";
      if (owner.value.IsNull()) {
        reader_.error(owner.key_location,
                      "owner '" + owner.key +
                          "' has no records; add types such as 'A:' below "
                          "it or remove it");
        continue;
      }
      for (const YamlEntry& type :
           reader_.free_entries(owner.value, owner.location, what)) {
        if (std::optional<RecordSet> set = parse_rrset(type)) {
          records.rrsets.push_back(std::move(*set));
        }
      }
      file.records.push_back(std::move(records));
    }
  }

  // A type's value: a value, a list of values, or a mapping with ttl and
  // value or values.
  std::optional<RecordSet> parse_rrset(const YamlEntry& e) {
    RecordSet set;
    set.type = upper(e.key);
    set.location = e.key_location;
    if (e.value.IsNull()) {
      reader_.error(e.key_location, set.type +
                                        " has no value; write the record "
                                        "data after '" +
                                        e.key + ":'");
      return std::nullopt;
    }
    if (e.value.IsMap() && is_rrset_wrapper(set.type, e.value)) {
      parse_wrapper(e, set);
    } else {
      add_values(set, e.value, e.location);
    }
    if (set.values.empty()) {
      return std::nullopt;
    }
    return set;
  }

  bool is_rrset_wrapper(const std::string& type, const YAML::Node& map) {
    bool has_ttl = static_cast<bool>(map["ttl"]);
    bool has_values = static_cast<bool>(map["values"]);
    bool has_value = static_cast<bool>(map["value"]);
    if (has_ttl || has_values) {
      return true;
    }
    // CAA's own field is called "value" (RFC 8659).
    return has_value && (type != "CAA" || !map["tag"]);
  }

  void parse_wrapper(const YamlEntry& e, RecordSet& set) {
    bool has_data = false;
    for (const YamlEntry& f : reader_.entries(
             e.value, e.location, "the " + set.type + " records", kRrsetKeys)) {
      if (f.key == "ttl") {
        set.ttl_location = f.location;
        if (auto ttl =
                reader_.duration(f.value, f.location, "ttl", 0, kMaxTtl)) {
          set.ttl = static_cast<uint32_t>(*ttl);
        }
        continue;
      }
      if (has_data) {
        reader_.error(f.key_location,
                      set.type + " has both 'value' and 'values'; keep one");
        continue;
      }
      has_data = true;
      if (f.key == "value" && f.value.IsSequence()) {
        reader_.error(f.location, "'value' holds one record but " + set.type +
                                      " has a list here; rename the key to "
                                      "'values'");
        continue;
      }
      add_values(set, f.value, f.location);
    }
    if (!has_data) {
      reader_.error(e.key_location,
                    set.type +
                        " has no 'value' or 'values'; add the record "
                        "data");
    }
  }

  void add_values(RecordSet& set, const YAML::Node& node,
                  const Location& where) {
    if (node.IsSequence() && node.size() == 0) {
      reader_.error(where, set.type +
                               " has an empty list; add a value or "
                               "remove the type");
      return;
    }
    for (auto& [item, item_location] : reader_.items(node, where)) {
      if (std::optional<RecordValue> value =
              convert_value(reader_, set.type, item, item_location)) {
        set.values.push_back(std::move(*value));
      }
    }
  }

  YamlReader reader_;
};

}  // namespace

const char* serial_policy_name(SerialPolicy policy) {
  switch (policy) {
    case SerialPolicy::kUnixtime:
      return "unixtime";
    case SerialPolicy::kDateserial:
      return "dateserial";
    case SerialPolicy::kIncrement:
      break;
  }
  return "increment";
}

std::optional<ZoneFile> parse_zone_file(const std::string& path,
                                        const std::string& text,
                                        Diagnostics& diagnostics) {
  return ZoneFileParser(path, diagnostics).parse(text);
}

std::string contact_to_rname(const std::string& contact) {
  size_t at = contact.rfind('@');
  if (at == std::string::npos) {
    return contact;
  }
  // The local part becomes one label, so its dots must be escaped.
  std::string out;
  for (char c : contact.substr(0, at)) {
    if (c == '.' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  std::string domain = contact.substr(at + 1);
  out += "." + domain;
  if (domain.empty() || domain.back() != '.') {
    out.push_back('.');
  }
  return out;
}

}  // namespace signet::model
