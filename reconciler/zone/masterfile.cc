#include "zone/masterfile.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string_view>
#include <system_error>

#include "base/file.h"
#include "zone/masterfile_lexer.h"
#include "zone/rdata.h"

namespace signet::zone {

namespace {

namespace fs = std::filesystem;

// RFC 2181 section 8: a TTL is an unsigned 31-bit number.
constexpr uint64_t kMaxTtl = 2147483647;

// Nesting limit for $INCLUDE, well above what real zones use.
constexpr int kMaxIncludeDepth = 16;

std::string rrset_key(const Name& owner, RrType type) {
  std::string key = owner.wire();
  key.push_back(static_cast<char>(type >> 8));
  key.push_back(static_cast<char>(type & 0xff));
  return key;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// Parses a TTL in seconds or with BIND-style units ("1h30m", "2d"), as
// named and knotd accept. Returns nullopt when malformed or over 32 bits.
std::optional<uint64_t> parse_ttl_value(std::string_view text) {
  uint64_t total = 0;
  uint64_t number = 0;
  bool has_digit = false;
  bool has_unit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      number = number * 10 + static_cast<uint64_t>(c - '0');
      if (number > 0xffffffffULL) {
        return std::nullopt;
      }
      has_digit = true;
      continue;
    }
    uint64_t unit = 0;
    switch (c | 0x20) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 604800;
        break;
      default:
        return std::nullopt;
    }
    if (!has_digit) {
      return std::nullopt;
    }
    total += number * unit;
    number = 0;
    has_digit = false;
    has_unit = true;
  }
  if (has_digit) {
    total += number;
  } else if (!has_unit) {
    return std::nullopt;
  }
  if (total > 0xffffffffULL) {
    return std::nullopt;
  }
  return total;
}

// The class of a record, from its mnemonic or RFC 3597 "CLASSnnn" form.
std::optional<uint16_t> parse_class(std::string_view text) {
  if (iequals(text, "IN"))
    return 1;
  if (iequals(text, "CS"))
    return 2;
  if (iequals(text, "CH"))
    return 3;
  if (iequals(text, "HS"))
    return 4;
  if (iequals(text, "NONE"))
    return 254;
  if (iequals(text, "ANY"))
    return 255;
  if (text.size() > 5 && iequals(text.substr(0, 5), "CLASS")) {
    unsigned value = 0;
    for (char c : text.substr(5)) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > 65535) {
        return std::nullopt;
      }
    }
    return static_cast<uint16_t>(value);
  }
  return std::nullopt;
}

uint64_t hash_record(const Name& owner, RrType type, const std::string& rdata) {
  std::hash<std::string_view> h;
  uint64_t value = h(owner.wire());
  value = value * 1000003u ^ type;
  value = value * 1000003u ^ h(rdata);
  return value;
}

}  // namespace

void MasterFileLocations::note(const Name& owner, RrType type,
                               const model::Location& location) {
  auto file = std::find(files_.begin(), files_.end(), location.file);
  if (file == files_.end()) {
    file = files_.insert(files_.end(), location.file);
  }
  positions_.try_emplace(rrset_key(owner, type),
                         Position{static_cast<uint32_t>(file - files_.begin()),
                                  static_cast<uint32_t>(location.line),
                                  static_cast<uint32_t>(location.column), 0});
}

model::Location MasterFileLocations::find(const Name& owner,
                                          RrType type) const {
  auto it = positions_.find(rrset_key(owner, type));
  if (it == positions_.end()) {
    // Missing data, such as an absent SOA, is reported against the file.
    return files_.empty() ? model::Location{} : model::Location{files_[0]};
  }
  const Position& p = it->second;
  return {files_[p.file], static_cast<int>(p.line), static_cast<int>(p.column)};
}

SourceMap MasterFileLocations::as_source_map() const {
  return [this](const Name& owner, RrType type) { return find(owner, type); };
}

// Turns the entries of one master file (and the files it includes) into
// records of a Zone, reporting every problem on the way.
class MasterFileReader {
 public:
  MasterFileReader(Zone& zone, const MasterFileOptions& options,
                   model::Diagnostics& diagnostics)
      : zone_(zone), options_(options), diagnostics_(diagnostics) {}

  void read_text(std::string_view text, const std::string& path,
                 const Name& origin);
  void read_top_level(std::string_view text, const std::string& path,
                      const Name& origin);
  void report_duplicates(const std::vector<Zone::Merge>& merges);
  MasterFileLocations& locations() { return locations_; }

 private:
  struct FileState {
    uint32_t file_index = 0;
    Name origin;
    std::optional<Name> last_owner;
  };
  struct RecordPosition {
    uint64_t hash;
    uint32_t file;
    uint32_t line;
    uint32_t column;
    uint32_t order;
  };

  void read_entry(const Entry& entry, FileState& state);
  void read_directive(const Entry& entry, FileState& state);
  void read_include(const Entry& entry, FileState& state);
  void read_record(const Entry& entry, FileState& state);
  std::optional<uint32_t> parse_ttl(const Token& token, FileState& state);
  void add_record(const Name& owner, RrType type, uint32_t ttl,
                  std::string rdata, const Token& at, FileState& state);

  model::Location location(const FileState& state, const Token& token) const {
    return {files_[state.file_index], static_cast<int>(token.line),
            static_cast<int>(token.column)};
  }
  void error(const FileState& state, const Token& token, std::string message) {
    diagnostics_.error(location(state, token), std::move(message));
  }

  Zone& zone_;
  const MasterFileOptions& options_;
  model::Diagnostics& diagnostics_;
  MasterFileLocations locations_;
  std::vector<std::string> files_;
  std::vector<std::string> include_stack_;  // canonical paths being read
  std::optional<uint32_t> default_ttl_;     // from $TTL
  std::optional<uint32_t> last_ttl_;        // last TTL written on a record
  std::vector<RecordPosition> records_;     // for finding duplicates
};

void MasterFileReader::read_text(std::string_view text, const std::string& path,
                                 const Name& origin) {
  FileState state;
  state.file_index = static_cast<uint32_t>(files_.size());
  state.origin = origin;
  files_.push_back(path);
  if (locations_.files_.size() < files_.size()) {
    locations_.files_.resize(files_.size());
  }
  locations_.files_[state.file_index] = path;
  if (records_.empty()) {
    locations_.positions_.reserve(text.size() / 48);
    records_.reserve(text.size() / 32);
  }

  Lexer lexer(text);
  Entry entry;
  while (lexer.next(entry)) {
    if (!entry.error.empty()) {
      error(state, entry.error_at, entry.error);
      continue;
    }
    read_entry(entry, state);
  }
}

void MasterFileReader::read_top_level(std::string_view text,
                                      const std::string& path,
                                      const Name& origin) {
  // The top-level file joins the include stack so including it is a loop.
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  include_stack_.push_back(ec ? path : canonical.string());
  read_text(text, path, origin);
  include_stack_.pop_back();
}

void MasterFileReader::read_entry(const Entry& entry, FileState& state) {
  if (!entry.owner_omitted && !entry.tokens.empty() &&
      entry.tokens[0].text[0] == '$' && !entry.tokens[0].quoted) {
    read_directive(entry, state);
  } else {
    read_record(entry, state);
  }
}

void MasterFileReader::read_directive(const Entry& entry, FileState& state) {
  const Token& keyword = entry.tokens[0];
  auto expect_args = [&](size_t min, size_t max) {
    size_t args = entry.tokens.size() - 1;
    if (args < min || args > max) {
      error(state, keyword,
            std::string(keyword.text) + " takes " + std::to_string(min) +
                (min == max ? "" : " or " + std::to_string(max)) + " argument" +
                (max > 1 ? "s" : "") + ", found " + std::to_string(args));
      return false;
    }
    return true;
  };

  if (iequals(keyword.text, "$ORIGIN")) {
    if (!expect_args(1, 1)) {
      return;
    }
    std::string why;
    auto name = Name::parse(entry.tokens[1].text, state.origin, &why);
    if (!name) {
      error(state, entry.tokens[1],
            "invalid $ORIGIN '" + std::string(entry.tokens[1].text) +
                "': " + why);
      return;
    }
    state.origin = *name;
  } else if (iequals(keyword.text, "$TTL")) {
    if (!expect_args(1, 1)) {
      return;
    }
    if (auto ttl = parse_ttl(entry.tokens[1], state)) {
      default_ttl_ = ttl;
    }
  } else if (iequals(keyword.text, "$INCLUDE")) {
    if (expect_args(1, 2)) {
      read_include(entry, state);
    }
  } else {
    error(state, keyword,
          "unknown directive '" + std::string(keyword.text) +
              "'; master files support $ORIGIN, $TTL and $INCLUDE "
              "(expand $GENERATE ranges into records)");
  }
}

void MasterFileReader::read_include(const Entry& entry, FileState& state) {
  const Token& file_token = entry.tokens[1];
  if (!options_.allow_include) {
    error(state, entry.tokens[0],
          "$INCLUDE is not allowed here; put the records in this file");
    return;
  }
  if (include_stack_.size() >= kMaxIncludeDepth) {
    error(state, file_token,
          "$INCLUDE nested more than " + std::to_string(kMaxIncludeDepth) +
              " deep");
    return;
  }
  Name origin = state.origin;
  if (entry.tokens.size() == 3) {
    std::string why;
    auto name = Name::parse(entry.tokens[2].text, state.origin, &why);
    if (!name) {
      error(state, entry.tokens[2],
            "invalid $INCLUDE origin '" + std::string(entry.tokens[2].text) +
                "': " + why);
      return;
    }
    origin = *name;
  }

  // Relative paths are taken from the folder of the including file.
  std::string_view raw = file_token.text;
  if (file_token.quoted) {
    raw = raw.substr(1, raw.size() - 2);
  }
  fs::path target(raw);
  if (target.is_relative()) {
    target = fs::path(files_[state.file_index]).parent_path() / target;
  }
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(target, ec);
  std::string key = ec ? target.string() : canonical.string();
  if (std::find(include_stack_.begin(), include_stack_.end(), key) !=
      include_stack_.end()) {
    error(state, file_token,
          "$INCLUDE of '" + std::string(raw) +
              "' forms a loop: that file is already being read");
    return;
  }

  std::string text;
  try {
    text = read_file(target);
  } catch (const std::system_error& e) {
    error(state, file_token,
          "cannot read $INCLUDE file '" + std::string(raw) +
              "': " + e.code().message());
    return;
  }
  include_stack_.push_back(key);
  read_text(text, target.string(), origin);
  include_stack_.pop_back();
}

std::optional<uint32_t> MasterFileReader::parse_ttl(const Token& token,
                                                    FileState& state) {
  auto value = parse_ttl_value(token.text);
  if (!value) {
    error(state, token,
          "invalid TTL '" + std::string(token.text) +
              "'; write seconds (3600) or units (1h30m)");
    return std::nullopt;
  }
  if (*value > kMaxTtl) {
    error(state, token,
          "TTL " + std::to_string(*value) +
              " is over the maximum 2147483647 (RFC 2181 section 8)");
    return std::nullopt;
  }
  return static_cast<uint32_t>(*value);
}

void MasterFileReader::read_record(const Entry& entry, FileState& state) {
  size_t i = 0;
  std::optional<Name> owner;
  const Token& first = entry.tokens[0];
  if (entry.owner_omitted) {
    if (!state.last_owner) {
      error(state, first,
            "record has no owner name and no earlier record to take it "
            "from; write the owner at the start of the line");
      return;
    }
    owner = state.last_owner;
  } else {
    std::string why;
    owner = Name::parse(first.text, state.origin, &why);
    if (!owner) {
      error(state, first,
            "invalid owner name '" + std::string(first.text) + "': " + why);
      return;
    }
    state.last_owner = owner;
    i = 1;
  }

  // RFC 1035 section 5.1: TTL and class are optional, in either order.
  std::optional<uint32_t> ttl;
  bool has_class = false;
  for (; i < entry.tokens.size(); ++i) {
    const Token& token = entry.tokens[i];
    if (token.quoted) {
      break;
    }
    if (token.text[0] >= '0' && token.text[0] <= '9') {
      if (ttl) {
        error(state, token, "record has two TTLs; remove one");
        return;
      }
      ttl = parse_ttl(token, state);
      if (!ttl) {
        return;
      }
      continue;
    }
    auto cls = parse_class(token.text);
    if (!cls) {
      break;
    }
    if (has_class) {
      error(state, token, "record has two classes; remove one");
      return;
    }
    has_class = true;
    if (*cls != kClassIn) {
      error(state, token,
            "class " + std::string(token.text) +
                " is not supported; Signet serves class IN zones only");
      return;
    }
  }

  if (i == entry.tokens.size()) {
    error(state, entry.tokens.back(),
          "record has no type; write it after the owner, TTL and class");
    return;
  }
  const Token& type_token = entry.tokens[i];
  auto type = type_from_name(type_token.text);
  if (!type || type_token.quoted) {
    error(state, type_token,
          "unknown record type '" + std::string(type_token.text) +
              "'; write a known mnemonic or TYPEnnn with RFC 3597 "
              "\\# RDATA");
    return;
  }
  if (is_meta_type(*type)) {
    error(state, type_token,
          "type " + std::string(type_token.text) +
              " is a query or meta type and cannot appear in a zone");
    return;
  }

  if (!ttl) {
    ttl = default_ttl_ ? default_ttl_ : last_ttl_;
    if (!ttl) {
      ttl = options_.default_ttl;
    }
    if (!ttl) {
      error(state, type_token,
            "record has no TTL and no $TTL line precedes it; add $TTL at "
            "the top of the file or a TTL to this record");
      return;
    }
  } else {
    last_ttl_ = ttl;
  }

  ++i;
  if (i == entry.tokens.size()) {
    error(state, type_token,
          "record of type " + type_name(*type) +
              " has no RDATA; write its data after the type");
    return;
  }
  std::string rdata_text;
  for (size_t k = i; k < entry.tokens.size(); ++k) {
    if (k > i) {
      rdata_text.push_back(' ');
    }
    rdata_text += entry.tokens[k].text;
  }
  std::string why;
  auto rdata = parse_rdata(*type, rdata_text, state.origin, &why);
  if (!rdata) {
    error(state, entry.tokens[i], why);
    return;
  }
  add_record(*owner, *type, *ttl, std::move(*rdata), first, state);
}

void MasterFileReader::add_record(const Name& owner, RrType type, uint32_t ttl,
                                  std::string rdata, const Token& at,
                                  FileState& state) {
  auto [it, inserted] = locations_.positions_.try_emplace(
      rrset_key(owner, type),
      MasterFileLocations::Position{state.file_index, at.line, at.column, ttl});
  // RRSIGs covering different types have their own TTLs (RFC 4034
  // section 3) but share one RRset in Zone, so they are not compared.
  if (!inserted && it->second.ttl != ttl && type != rrtype::RRSIG) {
    const auto& first = it->second;
    error(state, at,
          "TTL " + std::to_string(ttl) + " of this " + owner.text() + " " +
              type_name(type) + " record differs from TTL " +
              std::to_string(first.ttl) + " of the same RRset at " +
              files_[first.file] + ":" + std::to_string(first.line) +
              "; give every record of an RRset the same TTL (RFC 2181 "
              "section 5.2)");
    return;
  }
  records_.push_back(RecordPosition{hash_record(owner, type, rdata),
                                    state.file_index, at.line, at.column,
                                    static_cast<uint32_t>(records_.size())});
  zone_.add(owner, type, ttl, std::move(rdata));
}

void MasterFileReader::report_duplicates(
    const std::vector<Zone::Merge>& merges) {
  bool any = std::any_of(merges.begin(), merges.end(),
                         [](const Zone::Merge& m) { return m.duplicate; });
  if (!any) {
    return;
  }
  std::sort(records_.begin(), records_.end(),
            [](const RecordPosition& a, const RecordPosition& b) {
              return a.hash != b.hash ? a.hash < b.hash : a.order < b.order;
            });
  for (size_t i = 1; i < records_.size(); ++i) {
    const RecordPosition& first = records_[i - 1];
    const RecordPosition& again = records_[i];
    if (again.hash != first.hash) {
      continue;
    }
    size_t k = i - 1;
    while (k > 0 && records_[k - 1].hash == again.hash) {
      --k;
    }
    const RecordPosition& original = records_[k];
    diagnostics_.warning(
        {files_[again.file], static_cast<int>(again.line),
         static_cast<int>(again.column)},
        "duplicate record, identical to the one at " + files_[original.file] +
            ":" + std::to_string(original.line) +
            "; it is ignored (RFC 2181 section 5), remove one of them");
  }
}

std::optional<Zone> read_master_file(const std::string& path,
                                     const Name& origin,
                                     model::Diagnostics& diagnostics) {
  return read_master_file(path, origin, MasterFileOptions{}, diagnostics);
}

std::optional<Zone> read_master_file(const std::string& path,
                                     const Name& origin,
                                     const MasterFileOptions& options,
                                     model::Diagnostics& diagnostics) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::system_error& e) {
    diagnostics.error({path, 0, 0},
                      "cannot read master file: " + e.code().message());
    return std::nullopt;
  }
  return parse_master_text(text, path, origin, options, diagnostics);
}

std::optional<Zone> parse_master_text(const std::string& text,
                                      const std::string& path_for_messages,
                                      const Name& origin,
                                      model::Diagnostics& diagnostics) {
  return parse_master_text(text, path_for_messages, origin, MasterFileOptions{},
                           diagnostics);
}

std::optional<Zone> parse_master_text(const std::string& text,
                                      const std::string& path_for_messages,
                                      const Name& origin,
                                      const MasterFileOptions& options,
                                      model::Diagnostics& diagnostics) {
  Zone zone(origin);
  size_t errors_before = diagnostics.error_count();
  MasterFileReader reader(zone, options, diagnostics);
  reader.read_top_level(text, path_for_messages, origin);
  reader.report_duplicates(zone.finalize());
  if (options.locations != nullptr) {
    *options.locations = std::move(reader.locations());
  }
  if (diagnostics.error_count() > errors_before && !options.keep_partial_zone) {
    return std::nullopt;
  }
  return zone;
}

std::string write_master_file(const Zone& zone) {
  std::string out = "$ORIGIN " + zone.origin().text() + "\n";
  zone.for_each_rr([&out](const Rr& rr) {
    out += format_rr(rr);
    out.push_back('\n');
  });
  return out;
}

}  // namespace signet::zone
