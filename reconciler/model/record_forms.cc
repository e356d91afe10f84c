#include "model/record_forms.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "model/tenant_files.h"

namespace signet::model {

namespace {

enum class Kind {
  kU8,
  kU16,
  kU32,
  kName,       // a domain name, relative to the zone unless absolute
  kString,     // one character-string, quoted on output
  kHex,        // hexadecimal octets
  kBase64,     // base64 octets
  kToken,      // a word without spaces, written as is
  kAlgorithm,  // DNSSEC algorithm number or mnemonic
};

struct FieldSpec {
  std::string_view key;
  Kind kind;
  const char* default_text = nullptr;  // nullptr: required
};

const std::map<std::string, std::vector<FieldSpec>, std::less<>>& specs() {
  static const auto* table =
      new std::map<std::string, std::vector<FieldSpec>, std::less<>>{
          {"A", {{"address", Kind::kToken}}},
          {"AAAA", {{"address", Kind::kToken}}},
          {"NS", {{"host", Kind::kName}}},
          {"CNAME", {{"target", Kind::kName}}},
          {"DNAME", {{"target", Kind::kName}}},
          {"PTR", {{"target", Kind::kName}}},
          {"MX", {{"preference", Kind::kU16}, {"exchange", Kind::kName}}},
          {"SRV",
           {{"priority", Kind::kU16},
            {"weight", Kind::kU16},
            {"port", Kind::kU16},
            {"target", Kind::kName}}},
          {"CAA",
           {{"flags", Kind::kU8, "0"},
            {"tag", Kind::kToken},
            {"value", Kind::kString}}},
          {"DS",
           {{"key_tag", Kind::kU16},
            {"algorithm", Kind::kAlgorithm},
            {"digest_type", Kind::kU8},
            {"digest", Kind::kHex}}},
          {"SSHFP",
           {{"algorithm", Kind::kU8},
            {"fingerprint_type", Kind::kU8},
            {"fingerprint", Kind::kHex}}},
          {"TLSA",
           {{"usage", Kind::kU8},
            {"selector", Kind::kU8},
            {"matching_type", Kind::kU8},
            {"data", Kind::kHex}}},
          {"NAPTR",
           {{"order", Kind::kU16},
            {"preference", Kind::kU16},
            {"flags", Kind::kString, ""},
            {"service", Kind::kString, ""},
            {"regexp", Kind::kString, ""},
            {"replacement", Kind::kName, "."}}},
          {"CERT",
           {{"type", Kind::kToken},
            {"key_tag", Kind::kU16},
            {"algorithm", Kind::kAlgorithm},
            {"certificate", Kind::kBase64}}},
          {"URI",
           {{"priority", Kind::kU16},
            {"weight", Kind::kU16},
            {"target", Kind::kString}}},
          // Forms with fields that are not plain RDATA fields.
          {"TXT", {{"text", Kind::kString}, {"strings", Kind::kString}}},
          {"SPF", {{"text", Kind::kString}, {"strings", Kind::kString}}},
          {"SVCB",
           {{"priority", Kind::kU16},
            {"target", Kind::kName, "."},
            {"params", Kind::kToken, ""}}},
          {"HTTPS",
           {{"priority", Kind::kU16},
            {"target", Kind::kName, "."},
            {"params", Kind::kToken, ""}}},
          {"LOC",
           {{"latitude", Kind::kToken},
            {"longitude", Kind::kToken},
            {"altitude", Kind::kToken, "0"},
            {"size", Kind::kToken, "1"},
            {"horizontal_precision", Kind::kToken, "10000"},
            {"vertical_precision", Kind::kToken, "10"}}},
      };
  return *table;
}

bool is_text_type(const std::string& type) {
  return type == "TXT" || type == "SPF";
}

std::string escape_octet(unsigned char c) {
  if (c == '"' || c == '\\') {
    return std::string("\\") + static_cast<char>(c);
  }
  if (c < 0x20 || c >= 0x7f) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\%03u", c);
    return buf;
  }
  return std::string(1, static_cast<char>(c));
}

bool valid_address(const std::string& type, const std::string& text) {
  unsigned char buf[16];
  int family = type == "A" ? AF_INET : AF_INET6;
  return inet_pton(family, text.c_str(), buf) == 1;
}

std::string address_error(const std::string& type, const std::string& text) {
  return type + " address '" + text + "' is not a valid " +
         (type == "A" ? "IPv4 address (write four numbers 0-255 separated "
                        "by dots, e.g. 192.0.2.1)"
                      : "IPv6 address (e.g. 2001:db8::1)");
}

bool all_of_class(const std::string& text, bool (*ok)(unsigned char)) {
  for (unsigned char c : text) {
    if (!ok(c)) {
      return false;
    }
  }
  return true;
}

bool is_hex(unsigned char c) {
  return std::isxdigit(c) != 0;
}
bool is_base64(unsigned char c) {
  return std::isalnum(c) != 0 || c == '+' || c == '/' || c == '=';
}

std::string strip_spaces(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n') {
      out.push_back(c);
    }
  }
  return out;
}

// Converts one mapping value of a structured form.
class StructuredValue {
 public:
  StructuredValue(YamlReader& reader, const std::string& type,
                  const Location& where)
      : reader_(reader), type_(type), where_(where) {}

  std::optional<RecordValue> convert(const YAML::Node& node) {
    const std::vector<FieldSpec>& fields = specs().find(type_)->second;
    std::vector<std::string_view> keys;
    for (const FieldSpec& f : fields) {
      keys.push_back(f.key);
    }
    size_t errors_before = reader_.diagnostics().error_count();
    for (const YamlEntry& e :
         reader_.entries(node, where_, "the " + type_ + " value", keys)) {
      entries_.emplace(e.key, e);
    }
    value_.location = where_;
    value_.structured = true;
    if (is_text_type(type_)) {
      convert_text();
    } else if (type_ == "SVCB" || type_ == "HTTPS") {
      convert_svcb(fields);
    } else if (type_ == "LOC") {
      convert_loc();
    } else {
      convert_fields(fields);
    }
    if (reader_.diagnostics().error_count() != errors_before) {
      return std::nullopt;
    }
    return value_;
  }

 private:
  const YamlEntry* find(std::string_view key) const {
    auto it = entries_.find(std::string(key));
    return it == entries_.end() ? nullptr : &it->second;
  }

  void missing(std::string_view key) {
    std::vector<std::string_view> names;
    for (const FieldSpec& f : specs().find(type_)->second) {
      names.push_back(f.key);
    }
    reader_.error(where_, type_ + " value is missing '" + std::string(key) +
                              "'; its fields are " + join_list(names));
  }

  void append(const std::string& text) {
    if (!value_.rdata.empty()) {
      value_.rdata.push_back(' ');
    }
    value_.rdata += text;
  }

  void convert_fields(const std::vector<FieldSpec>& fields) {
    for (const FieldSpec& f : fields) {
      const YamlEntry* e = find(f.key);
      if (e == nullptr) {
        if (f.default_text == nullptr) {
          missing(f.key);
          continue;
        }
        append(f.kind == Kind::kString
                   ? "\"" + std::string(f.default_text) + "\""
                   : f.default_text);
        continue;
      }
      if (std::optional<std::string> text = convert_field(f, *e)) {
        append(*text);
      }
    }
  }

  std::optional<std::string> convert_field(const FieldSpec& f,
                                           const YamlEntry& e) {
    std::string what = type_ + " " + std::string(f.key);
    switch (f.kind) {
      case Kind::kU8:
      case Kind::kU16:
      case Kind::kU32: {
        int64_t max = f.kind == Kind::kU8    ? 255
                      : f.kind == Kind::kU16 ? 65535
                                             : 4294967295;
        auto n = reader_.integer(e.value, e.location, what, 0, max);
        return n ? std::optional<std::string>(std::to_string(*n))
                 : std::nullopt;
      }
      case Kind::kAlgorithm:
        return algorithm(e, what);
      case Kind::kName: {
        auto s = reader_.text(e.value, e.location, what);
        if (s) {
          value_.names.push_back(NameField{*s, e.location});
        }
        return s;
      }
      case Kind::kString: {
        auto s = reader_.optional_text(e.value, e.location, what);
        if (!s) {
          return std::nullopt;
        }
        std::optional<std::string> quoted = quote_string(*s);
        if (!quoted) {
          reader_.error(e.location, what + " is " + std::to_string(s->size()) +
                                        " octets, over the limit of 255");
        }
        return quoted;
      }
      case Kind::kHex:
      case Kind::kBase64:
        return octets(f.kind, e, what);
      case Kind::kToken:
        return token(e, what);
    }
    return std::nullopt;
  }

  std::optional<std::string> algorithm(const YamlEntry& e,
                                       const std::string& what) {
    auto s = reader_.text(e.value, e.location, what);
    if (!s) {
      return std::nullopt;
    }
    std::optional<uint8_t> number = algorithm_from_name(*s);
    if (!number) {
      reader_.error(e.location,
                    what + " '" + *s +
                        "' is unknown; use a number from 0 to 255 or a "
                        "mnemonic such as ECDSAP256SHA256");
      return std::nullopt;
    }
    return std::to_string(*number);
  }

  std::optional<std::string> octets(Kind kind, const YamlEntry& e,
                                    const std::string& what) {
    auto s = reader_.text(e.value, e.location, what);
    if (!s) {
      return std::nullopt;
    }
    std::string compact = strip_spaces(*s);
    bool hex = kind == Kind::kHex;
    if (!all_of_class(compact, hex ? is_hex : is_base64) ||
        (hex && compact.size() % 2 != 0)) {
      reader_.error(e.location,
                    what + " '" + *s + "' is not valid " +
                        (hex ? "hexadecimal (an even number of digits 0-9, "
                               "a-f)"
                             : "base64"));
      return std::nullopt;
    }
    return compact;
  }

  std::optional<std::string> token(const YamlEntry& e,
                                   const std::string& what) {
    auto s = reader_.text(e.value, e.location, what);
    if (!s) {
      return std::nullopt;
    }
    if (s->find_first_of(" \t\"") != std::string::npos) {
      reader_.error(e.location, what + " '" + *s +
                                    "' must be one word without spaces or "
                                    "quotes");
      return std::nullopt;
    }
    if ((type_ == "A" || type_ == "AAAA") && !valid_address(type_, *s)) {
      reader_.error(e.location, address_error(type_, *s));
      return std::nullopt;
    }
    return s;
  }

  void convert_text() {
    const YamlEntry* text = find("text");
    const YamlEntry* strings = find("strings");
    if ((text == nullptr) == (strings == nullptr)) {
      reader_.error(where_,
                    type_ +
                        " value needs exactly one of 'text' (split into "
                        "255-octet strings for you) or 'strings' (a list of "
                        "strings of at most 255 octets each)");
      return;
    }
    if (text != nullptr) {
      if (auto s = reader_.optional_text(text->value, text->location,
                                         type_ + " text")) {
        append(quote_text(*s));
      }
      return;
    }
    if (strings->value.IsMap()) {
      reader_.error(strings->location,
                    type_ + " strings must be a list of strings");
      return;
    }
    for (auto& [node, where] :
         reader_.items(strings->value, strings->location)) {
      auto s = reader_.optional_text(node, where, type_ + " string");
      if (!s) {
        continue;
      }
      std::optional<std::string> quoted = quote_string(*s);
      if (!quoted) {
        reader_.error(where, type_ + " string is " + std::to_string(s->size()) +
                                 " octets, over the limit of 255; split it "
                                 "or use 'text', which splits for you");
        continue;
      }
      append(*quoted);
    }
  }

  void convert_svcb(const std::vector<FieldSpec>& fields) {
    convert_fields({fields[0], fields[1]});
    const YamlEntry* params = find("params");
    if (params == nullptr || params->value.IsNull()) {
      return;
    }
    for (const YamlEntry& p : reader_.free_entries(
             params->value, params->location, type_ + " params")) {
      std::string param = p.key;
      if (p.value.IsNull()) {
        append(param);
        continue;
      }
      std::string joined;
      for (auto& [text, where] :
           reader_.text_list(p.value, p.location, type_ + " " + p.key)) {
        if (!joined.empty()) {
          joined.push_back(',');
        }
        for (char c : text) {
          // Commas inside one value of a list are escaped (RFC 9460
          // appendix A.1).
          if (c == ',' && p.value.IsSequence()) {
            joined += "\\\\";
          }
          joined.push_back(c);
        }
      }
      append(param + "=" + quote_svc_value(joined));
    }
  }

  static std::string quote_svc_value(const std::string& text) {
    if (text.find_first_of(" \t\";") == std::string::npos && !text.empty()) {
      return text;
    }
    std::string out = "\"";
    for (char c : text) {
      if (c == '"') {
        out.push_back('\\');
      }
      out.push_back(c);
    }
    return out + "\"";
  }

  void convert_loc() {
    std::string out;
    std::optional<std::string> latitude = coordinate("latitude", 'N', 'S', 90);
    std::optional<std::string> longitude =
        coordinate("longitude", 'E', 'W', 180);
    if (!latitude || !longitude) {
      return;
    }
    append(*latitude);
    append(*longitude);
    struct Metric {
      std::string_view key;
      const char* default_text;
      double min;
      double max;
    };
    // RFC 1876 section 3 limits.
    const Metric metrics[] = {{"altitude", "0", -100000.0, 42849672.95},
                              {"size", "1", 0, 90000000.0},
                              {"horizontal_precision", "10000", 0, 90000000.0},
                              {"vertical_precision", "10", 0, 90000000.0}};
    for (const Metric& m : metrics) {
      const YamlEntry* e = find(m.key);
      if (e == nullptr) {
        append(std::string(m.default_text) + "m");
        continue;
      }
      std::string what = "LOC " + std::string(m.key);
      auto s = reader_.text(e->value, e->location, what);
      if (!s) {
        continue;
      }
      std::string number = *s;
      if (!number.empty() && number.back() == 'm') {
        number.pop_back();
      }
      char* end = nullptr;
      double v = std::strtod(number.c_str(), &end);
      if (number.empty() || *end != '\0' || v < m.min || v > m.max) {
        reader_.error(e->location, what + " '" + *s +
                                       "' is invalid; write meters from " +
                                       format_number(m.min) + " to " +
                                       format_number(m.max) + ", e.g. 10m");
        continue;
      }
      append(number + "m");
    }
  }

  static std::string format_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (s.back() == '0') {
      s.pop_back();
    }
    if (s.back() == '.') {
      s.pop_back();
    }
    return s;
  }

  // A latitude or longitude in decimal degrees (negative for S and W) or
  // already as "d m s H".
  std::optional<std::string> coordinate(std::string_view key, char positive,
                                        char negative, double limit) {
    const YamlEntry* e = find(key);
    if (e == nullptr) {
      missing(key);
      return std::nullopt;
    }
    std::string what = "LOC " + std::string(key);
    auto s = reader_.text(e->value, e->location, what);
    if (!s) {
      return std::nullopt;
    }
    char* end = nullptr;
    double degrees = std::strtod(s->c_str(), &end);
    if (end != s->c_str() && *end == '\0') {
      if (std::fabs(degrees) > limit) {
        reader_.error(e->location, what + " " + *s + " is out of range; use -" +
                                       format_number(limit) + " to " +
                                       format_number(limit) + " degrees");
        return std::nullopt;
      }
      char hemisphere = degrees < 0 ? negative : positive;
      double total = std::round(std::fabs(degrees) * 3600.0 * 1000.0) / 1000.0;
      int d = static_cast<int>(total / 3600);
      int m = static_cast<int>((total - d * 3600.0) / 60);
      double sec = total - d * 3600.0 - m * 60.0;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%d %d %.3f %c", d, m, sec, hemisphere);
      return std::string(buf);
    }
    char last = s->empty() ? '\0' : static_cast<char>(std::toupper(s->back()));
    if (last != positive && last != negative) {
      reader_.error(e->location,
                    what + " '" + *s +
                        "' is invalid; write decimal degrees (52.37) or "
                        "degrees, minutes, seconds and hemisphere (52 22 "
                        "23.0 " +
                        std::string(1, positive) + ")");
      return std::nullopt;
    }
    return s;
  }

  YamlReader& reader_;
  const std::string& type_;
  Location where_;
  std::map<std::string, YamlEntry> entries_;
  RecordValue value_;
};

}  // namespace

std::optional<RecordValue> convert_value(YamlReader& reader,
                                         const std::string& type,
                                         const YAML::Node& node,
                                         const Location& where) {
  if (node.IsMap()) {
    if (specs().find(type) == specs().end()) {
      reader.error(where, type +
                              " has no structured form; write its RDATA as "
                              "a string in presentation format");
      return std::nullopt;
    }
    return StructuredValue(reader, type, where).convert(node);
  }
  if (node.IsSequence()) {
    reader.error(where, type +
                            " value must be a string or a mapping, not a "
                            "list inside a list");
    return std::nullopt;
  }
  std::optional<std::string> text =
      is_text_type(type) ? reader.optional_text(node, where, type + " value")
                         : reader.text(node, where, type + " value");
  if (!text) {
    return std::nullopt;
  }
  RecordValue value;
  value.location = where;
  bool presentation =
      text->rfind("\\#", 0) == 0 || (!text->empty() && text->front() == '"');
  if (is_text_type(type) && !presentation) {
    value.rdata = quote_text(*text);
    return value;
  }
  if ((type == "A" || type == "AAAA") && !presentation &&
      !valid_address(type, *text)) {
    reader.error(where, address_error(type, *text));
    return std::nullopt;
  }
  value.rdata = *text;
  return value;
}

std::vector<std::string_view> structured_fields(const std::string& type) {
  std::vector<std::string_view> out;
  auto it = specs().find(type);
  if (it != specs().end()) {
    for (const FieldSpec& f : it->second) {
      out.push_back(f.key);
    }
  }
  return out;
}

std::string quote_text(std::string_view text) {
  if (text.empty()) {
    return "\"\"";
  }
  std::string out;
  for (size_t start = 0; start < text.size(); start += 255) {
    if (!out.empty()) {
      out.push_back(' ');
    }
    out.push_back('"');
    for (unsigned char c : text.substr(start, 255)) {
      out += escape_octet(c);
    }
    out.push_back('"');
  }
  return out;
}

std::optional<std::string> quote_string(std::string_view text) {
  if (text.size() > 255) {
    return std::nullopt;
  }
  return quote_text(text);
}

}  // namespace signet::model
