#include "zone/masterfile.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "base/file.h"
#include "base/text.h"
#include "zone/masterfile_lexer.h"
#include "zone/rdata.h"

namespace signet::zone {

namespace {

namespace fs = std::filesystem;

// RFC 2181 section 8: a TTL is an unsigned 31-bit number.
constexpr uint64_t kMaxTtl = 2147483647;

// Nesting limit for $INCLUDE against runaway recursion; an arbitrary
// choice, not a limit from RFC 1035.
constexpr int kMaxIncludeDepth = 16;

// A 64-bit hash of owner and type. Two RRsets colliding would only make a
// message point at the wrong line.
uint64_t rrset_hash(const Name& owner, RrType type) {
  uint64_t value = std::hash<std::string>()(owner.wire());
  return (value * 1000003u) ^ type;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// Parses a TTL in seconds or with BIND-style units ("1h30m", "2d"). Returns
// nullopt when malformed or over 32 bits.
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
    std::optional<int64_t> unit = duration_unit_seconds(c);
    if (!unit) {
      return std::nullopt;
    }
    if (!has_digit) {
      return std::nullopt;
    }
    total += number * static_cast<uint64_t>(*unit);
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

// Parses a decimal number no greater than `max`, or returns nullopt.
std::optional<uint32_t> parse_number(std::string_view text, uint32_t max) {
  if (text.empty() || text.size() > 10) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

void append_u16(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

// Parses the RDATA of the most common types without ldns, giving the
// same canonical wire form as parse_rdata (names lower-cased, as RFC 4034
// section 6.2 requires for these types). Returns nullopt for any other
// type or any input it does not accept, so parse_rdata handles it and
// words the error.
std::optional<std::string> parse_common_rdata(RrType type,
                                              const std::vector<Token>& tokens,
                                              size_t first,
                                              const Name& origin) {
  size_t count = tokens.size() - first;
  auto text = [&](size_t i) { return tokens[first + i].text; };
  for (size_t i = 0; i < count; ++i) {
    if (tokens[first + i].quoted) {
      return std::nullopt;
    }
  }
  auto name_wire = [&](std::string_view name) -> std::optional<std::string> {
    auto parsed = Name::parse(name, origin);
    return parsed ? std::optional<std::string>(parsed->wire()) : std::nullopt;
  };
  switch (type) {
    case rrtype::A: {
      unsigned char address[4];
      std::string copy(text(0));
      if (count != 1 || inet_pton(AF_INET, copy.c_str(), address) != 1) {
        return std::nullopt;
      }
      return std::string(reinterpret_cast<char*>(address), 4);
    }
    case rrtype::AAAA: {
      unsigned char address[16];
      std::string copy(text(0));
      if (count != 1 || inet_pton(AF_INET6, copy.c_str(), address) != 1) {
        return std::nullopt;
      }
      return std::string(reinterpret_cast<char*>(address), 16);
    }
    case rrtype::NS:
    case rrtype::CNAME:
    case rrtype::PTR:
    case rrtype::DNAME:
      return count == 1 ? name_wire(text(0)) : std::nullopt;
    case rrtype::MX: {
      auto preference =
          count == 2 ? parse_number(text(0), 65535) : std::nullopt;
      auto exchange = preference ? name_wire(text(1)) : std::nullopt;
      if (!exchange) {
        return std::nullopt;
      }
      std::string out;
      append_u16(out, *preference);
      return out + *exchange;
    }
    case rrtype::SRV: {
      if (count != 4) {
        return std::nullopt;
      }
      std::string out;
      for (size_t i = 0; i < 3; ++i) {
        auto number = parse_number(text(i), 65535);
        if (!number) {
          return std::nullopt;
        }
        append_u16(out, *number);
      }
      auto target = name_wire(text(3));
      return target ? std::optional<std::string>(out + *target) : std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

uint64_t hash_record(const Name& owner, RrType type, const std::string& rdata) {
  std::hash<std::string_view> h;
  uint64_t value = h(owner.wire());
  value = value * 1000003u ^ type;
  value = value * 1000003u ^ h(rdata);
  return value;
}

}  // namespace

uint32_t MasterFileLocations::file_index(const std::string& file) {
  auto it = std::find(files_.begin(), files_.end(), file);
  if (it == files_.end()) {
    it = files_.insert(files_.end(), file);
  }
  return static_cast<uint32_t>(it - files_.begin());
}

model::Location MasterFileLocations::location_of(
    const Position& position) const {
  return {files_[position.file], static_cast<int>(position.line),
          static_cast<int>(position.column)};
}

void MasterFileLocations::note(const Name& owner, RrType type,
                               const model::Location& location) {
  positions_.push_back(Position{rrset_hash(owner, type),
                                file_index(location.file),
                                static_cast<uint32_t>(location.line),
                                static_cast<uint32_t>(location.column),
                                static_cast<uint32_t>(positions_.size())});
  sorted_ = false;
}

model::Location MasterFileLocations::find(const Name& owner,
                                          RrType type) const {
  auto by_key = [](const Position& a, const Position& b) {
    return a.key != b.key ? a.key < b.key : a.order < b.order;
  };
  if (!sorted_) {
    std::sort(positions_.begin(), positions_.end(), by_key);
    sorted_ = true;
  }
  Position wanted{rrset_hash(owner, type), 0, 0, 0, 0};
  auto it =
      std::lower_bound(positions_.begin(), positions_.end(), wanted, by_key);
  if (it == positions_.end() || it->key != wanted.key) {
    // Missing data, such as an absent SOA, is reported against the file.
    return files_.empty() ? model::Location{} : model::Location{files_[0]};
  }
  return location_of(*it);
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
  void report_merges(const std::vector<Zone::Merge>& merges);
  MasterFileLocations& locations() { return locations_; }

 private:
  struct FileState {
    uint32_t file_index = 0;
    Name origin;
    std::optional<Name> last_owner;
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
  // Per record, in the order of locations_.positions_: a hash of the
  // whole record, to find duplicates, and its TTL, to find TTL conflicts.
  std::vector<uint64_t> record_hashes_;
  std::vector<uint32_t> ttls_;

  void report_duplicates();
  void report_ttl_conflicts(const std::vector<Zone::Merge>& merges);
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
  if (ttls_.empty()) {
    size_t expected_records = text.size() / 32;
    locations_.positions_.reserve(expected_records);
    record_hashes_.reserve(expected_records);
    ttls_.reserve(expected_records);
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
    std::string reason;
    auto name = Name::parse(entry.tokens[1].text, state.origin, &reason);
    if (!name) {
      error(state, entry.tokens[1],
            "invalid $ORIGIN '" + std::string(entry.tokens[1].text) +
                "': " + reason);
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
    std::string reason;
    auto name = Name::parse(entry.tokens[2].text, state.origin, &reason);
    if (!name) {
      error(state, entry.tokens[2],
            "invalid $INCLUDE origin '" + std::string(entry.tokens[2].text) +
                "': " + reason);
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
    std::string reason;
    owner = Name::parse(first.text, state.origin, &reason);
    if (!owner) {
      error(state, first,
            "invalid owner name '" + std::string(first.text) + "': " + reason);
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
  if (auto fast = parse_common_rdata(*type, entry.tokens, i, state.origin)) {
    add_record(*owner, *type, *ttl, std::move(*fast), first, state);
    return;
  }
  std::string rdata_text;
  for (size_t k = i; k < entry.tokens.size(); ++k) {
    if (k > i) {
      rdata_text.push_back(' ');
    }
    rdata_text += entry.tokens[k].text;
  }
  std::string reason;
  auto rdata = parse_rdata(*type, rdata_text, state.origin, &reason);
  if (!rdata) {
    error(state, entry.tokens[i], reason);
    return;
  }
  add_record(*owner, *type, *ttl, std::move(*rdata), first, state);
}

void MasterFileReader::add_record(const Name& owner, RrType type, uint32_t ttl,
                                  std::string rdata, const Token& at,
                                  FileState& state) {
  locations_.positions_.push_back(MasterFileLocations::Position{
      rrset_hash(owner, type), state.file_index, at.line, at.column,
      static_cast<uint32_t>(ttls_.size())});
  locations_.sorted_ = false;
  record_hashes_.push_back(hash_record(owner, type, rdata));
  ttls_.push_back(ttl);
  zone_.add(owner, type, ttl, std::move(rdata));
}

void MasterFileReader::report_merges(const std::vector<Zone::Merge>& merges) {
  bool duplicates = false;
  bool conflicts = false;
  for (const Zone::Merge& merge : merges) {
    duplicates = duplicates || merge.duplicate;
    // RRSIGs covering different types have their own TTLs (RFC 4034
    // section 3) but share one RRset in Zone, so they are not compared.
    conflicts = conflicts || (!merge.duplicate && merge.type != rrtype::RRSIG);
  }
  if (conflicts) {
    report_ttl_conflicts(merges);
  }
  if (duplicates) {
    report_duplicates();
  }
}

void MasterFileReader::report_ttl_conflicts(
    const std::vector<Zone::Merge>& merges) {
  // Names the RRset of each conflicting hash, as "www.example. A".
  std::unordered_map<uint64_t, std::string> conflicting;
  for (const Zone::Merge& merge : merges) {
    if (!merge.duplicate && merge.type != rrtype::RRSIG) {
      conflicting.try_emplace(rrset_hash(merge.owner, merge.type),
                              merge.owner.text() + " " + type_name(merge.type));
    }
  }
  // The first record of each RRset sets its TTL; Zone keeps that one too.
  std::unordered_map<uint64_t, size_t> first_record;
  const auto& positions = locations_.positions_;
  for (size_t i = 0; i < positions.size(); ++i) {
    auto rrset = conflicting.find(positions[i].key);
    if (rrset == conflicting.end()) {
      continue;
    }
    auto [it, inserted] = first_record.try_emplace(positions[i].key, i);
    size_t first = it->second;
    if (inserted || ttls_[i] == ttls_[first]) {
      continue;
    }
    diagnostics_.error(
        locations_.location_of(positions[i]),
        "TTL " + std::to_string(ttls_[i]) + " of this " + rrset->second +
            " record differs from TTL " + std::to_string(ttls_[first]) +
            " of the same RRset at " +
            locations_.location_of(positions[first]).text() +
            "; give every record of an RRset the same TTL (RFC 2181 section "
            "5.2)");
  }
}

void MasterFileReader::report_duplicates() {
  std::vector<std::pair<uint64_t, uint32_t>> by_hash;
  by_hash.reserve(record_hashes_.size());
  for (size_t i = 0; i < record_hashes_.size(); ++i) {
    by_hash.emplace_back(record_hashes_[i], static_cast<uint32_t>(i));
  }
  std::sort(by_hash.begin(), by_hash.end());
  size_t original = 0;
  for (size_t i = 1; i < by_hash.size(); ++i) {
    if (by_hash[i].first != by_hash[i - 1].first) {
      original = i;
      continue;
    }
    const auto& positions = locations_.positions_;
    diagnostics_.warning(
        locations_.location_of(positions[by_hash[i].second]),
        "duplicate record, identical to the one at " +
            locations_.location_of(positions[by_hash[original].second]).text() +
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
                      std::string("cannot read master file: ") + e.what());
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
  reader.report_merges(zone.finalize());
  if (options.locations != nullptr) {
    *options.locations = std::move(reader.locations());
  }
  if (diagnostics.error_count() > errors_before && !options.keep_partial_zone) {
    return std::nullopt;
  }
  return zone;
}

namespace {

// Nodes formatted by one thread at a time, and pieces per round.
constexpr size_t kNodesPerPiece = 1024;
constexpr size_t kPiecesPerThread = 4;

void append_node_text(const Zone& zone, const Node& node, std::string& out) {
  bool apex = node.name == zone.origin();
  for (const Rrset& rrset : node.rrsets) {
    if (apex && rrset.type == rrtype::SOA) {
      continue;  // written first
    }
    for (const std::string& rdata : rrset.rdatas) {
      append_rr_text(Rr{node.name, rrset.type, rrset.ttl, rdata}, out);
      out.push_back('\n');
    }
  }
}

}  // namespace

std::string write_master_file(const Zone& zone) {
  std::string out;
  write_master_file(
      zone, [&out](std::string_view piece) { out += piece; }, 1);
  return out;
}

void write_master_file(const Zone& zone,
                       const std::function<void(std::string_view)>& sink,
                       unsigned threads) {
  std::string head = "$ORIGIN " + zone.origin().text() + "\n";
  if (const Rrset* soa = zone.soa()) {
    for (const std::string& rdata : soa->rdatas) {
      append_rr_text(Rr{zone.origin(), rrtype::SOA, soa->ttl, rdata}, head);
      head.push_back('\n');
    }
  }
  sink(head);

  auto nodes = zone.nodes();
  size_t pieces = (nodes.size() + kNodesPerPiece - 1) / kNodesPerPiece;
  threads = std::max(1u, threads);
  size_t per_round = threads * kPiecesPerThread;
  std::vector<std::string> texts(per_round);
  for (size_t first = 0; first < pieces; first += per_round) {
    size_t count = std::min(per_round, pieces - first);
    std::atomic<size_t> next{0};
    auto format = [&]() {
      for (size_t k = next++; k < count; k = next++) {
        std::string& text = texts[k];
        text.clear();
        size_t begin = (first + k) * kNodesPerPiece;
        size_t end = std::min(begin + kNodesPerPiece, nodes.size());
        for (size_t i = begin; i < end; ++i) {
          append_node_text(zone, nodes[i], text);
        }
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads && t < count; ++t) {
      pool.emplace_back(format);
    }
    format();
    for (std::thread& t : pool) {
      t.join();
    }
    for (size_t k = 0; k < count; ++k) {
      sink(texts[k]);
    }
  }
}

}  // namespace signet::zone
