#include "model/zone_file.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_set>

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

// Line positions of the owner keys of a block-style `records:` mapping,
// found by indentation alone. The mapping is then parsed a few owners at
// a time, because yaml-cpp 0.7's node tree of a whole zone takes about 57
// times the text's size.
struct RecordsLayout {
  size_t body_begin = 0;  // offset of the line after "records:"
  size_t body_end = 0;    // offset of the first line after the mapping
  struct Owner {
    size_t offset;  // start of the owner key's line
    int line;       // its 0-based line number
  };
  std::vector<Owner> owners;
};

// Finds the layout of a `records:` key at column 0 with nothing after it
// but a comment, whose owner keys share one indentation. Returns nullopt
// for any other form (flow style, tabs, several documents, a second
// `records:`), which is then parsed as one tree.
std::optional<RecordsLayout> find_records_layout(const std::string& text) {
  enum class State { kBefore, kBody, kAfter } state = State::kBefore;
  RecordsLayout layout;
  size_t owner_indent = 0;
  int line = 0;
  for (size_t begin = 0; begin < text.size(); ++line) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      end = text.size();
    }
    size_t indent = text.find_first_not_of(' ', begin);
    if (indent == std::string::npos || indent > end) {
      indent = end;
    }
    char first = indent < end ? text[indent] : '\n';
    indent -= begin;
    if (first == '\t') {
      return std::nullopt;
    }
    bool blank = first == '\n' || first == '\r' || first == '#';
    if (!blank && indent == 0) {
      std::string_view content(text.data() + begin, end - begin);
      if (state == State::kBody) {
        layout.body_end = begin;
        state = State::kAfter;
      }
      if (content.rfind("---", 0) == 0 || content.rfind("...", 0) == 0 ||
          first == '%') {
        return std::nullopt;
      }
      if (content.rfind("records:", 0) == 0) {
        std::string_view rest = content.substr(8);
        size_t next = rest.find_first_not_of(" \r");
        if (state != State::kBefore || (next != std::string_view::npos &&
                                        (rest[next] != '#' || next == 0))) {
          return std::nullopt;
        }
        state = State::kBody;
        layout.body_begin = std::min(end + 1, text.size());
      }
    } else if (!blank && state == State::kBody) {
      if (owner_indent == 0) {
        owner_indent = indent;
      }
      if (indent < owner_indent) {
        return std::nullopt;
      }
      if (indent == owner_indent) {
        if (first == '-' || first == '?' || first == '&' || first == '*' ||
            first == '!' || first == '[' || first == '{') {
          return std::nullopt;
        }
        layout.owners.push_back(RecordsLayout::Owner{begin, line});
      }
    }
    begin = end + 1;
  }
  if (state == State::kBody) {
    layout.body_end = text.size();
  }
  if (layout.owners.empty()) {
    return std::nullopt;
  }
  return layout;
}

// The text parsed a part at a time and the layout of its records.
struct RecordsSource {
  const std::string& text;
  const RecordsLayout& layout;
};

// The text of owner block `i`: its key's line and every line up to the
// next owner key, or to the end of the mapping.
std::string_view block_text(const std::string& text,
                            const RecordsLayout& layout, size_t i) {
  size_t begin = layout.owners[i].offset;
  size_t end = i + 1 < layout.owners.size() ? layout.owners[i + 1].offset
                                            : layout.body_end;
  return std::string_view(text).substr(begin, end - begin);
}

// The number of lines `text` spans.
int line_count(std::string_view text) {
  auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  return !text.empty() && text.back() != '\n' ? lines + 1 : lines;
}

void move_lines(Location& location, int lines) {
  if (location.line > 0) {
    location.line += lines;
  }
}

// Moves every position in `owner` by `lines`.
void move_lines(OwnerRecords& owner, int lines) {
  if (lines == 0) {
    return;  // most owners of an edited file stay where they were
  }
  move_lines(owner.location, lines);
  for (RecordSet& set : owner.rrsets) {
    move_lines(set.location, lines);
    move_lines(set.ttl_location, lines);
    for (RecordValue& value : set.values) {
      move_lines(value.location, lines);
      for (NameField& name : value.names) {
        move_lines(name.location, lines);
      }
    }
  }
}

// The length of the longest common prefix of `a` and `b`, compared a page
// at a time first.
size_t common_prefix(std::string_view a, std::string_view b) {
  constexpr size_t kPage = 4096;
  size_t size = std::min(a.size(), b.size());
  size_t i = 0;
  while (i + kPage <= size &&
         std::memcmp(a.data() + i, b.data() + i, kPage) == 0) {
    i += kPage;
  }
  while (i < size && a[i] == b[i]) {
    ++i;
  }
  return i;
}

// The length of the longest common suffix of `a` and `b`, up to `limit`.
size_t common_suffix(std::string_view a, std::string_view b, size_t limit) {
  constexpr size_t kPage = 4096;
  size_t i = 0;
  while (i + kPage <= limit &&
         std::memcmp(a.data() + a.size() - i - kPage,
                     b.data() + b.size() - i - kPage, kPage) == 0) {
    i += kPage;
  }
  while (i < limit && a[a.size() - 1 - i] == b[b.size() - 1 - i]) {
    ++i;
  }
  return i;
}

// For each owner block of `layout`, the index of a reusable block of
// `previous` with the same text, if any. Blocks inside the text that both
// versions begin or end with are matched by position. Blocks between the
// first and the last difference are looked up by the hash of their text.
std::vector<std::optional<size_t>> match_blocks(const std::string& text,
                                                const RecordsLayout& layout,
                                                const OwnerBlocks& previous) {
  size_t count = layout.owners.size();
  size_t old_count = previous.blocks.size();
  std::vector<std::optional<size_t>> matches(count);
  auto old_text = [&previous](size_t j) {
    const OwnerBlocks::Block& old = previous.blocks[j];
    return std::string_view(previous.text).substr(old.offset, old.size);
  };
  auto same = [&](size_t i, size_t j) {
    return previous.blocks[j].reusable &&
           old_text(j) == block_text(text, layout, i);
  };
  // A block inside the common prefix or suffix has the text of the block
  // at the same place in the previous version, if there is one.
  size_t prefix = common_prefix(text, previous.text);
  size_t suffix =
      common_suffix(text, previous.text,
                    std::min(text.size(), previous.text.size()) - prefix);
  auto same_place = [&](size_t i, size_t j, ptrdiff_t shift) {
    const OwnerBlocks::Block& old = previous.blocks[j];
    std::string_view block = block_text(text, layout, i);
    return old.reusable && old.size == block.size() &&
           static_cast<ptrdiff_t>(layout.owners[i].offset) ==
               static_cast<ptrdiff_t>(old.offset) + shift;
  };
  size_t lead = 0;
  while (lead < count && lead < old_count && same_place(lead, lead, 0) &&
         layout.owners[lead].offset + previous.blocks[lead].size <= prefix) {
    matches[lead] = lead;
    ++lead;
  }
  ptrdiff_t shift = static_cast<ptrdiff_t>(text.size()) -
                    static_cast<ptrdiff_t>(previous.text.size());
  size_t trail = 0;
  while (lead + trail < count && lead + trail < old_count &&
         same_place(count - 1 - trail, old_count - 1 - trail, shift) &&
         layout.owners[count - 1 - trail].offset >= text.size() - suffix) {
    matches[count - 1 - trail] = old_count - 1 - trail;
    ++trail;
  }
  if (lead + trail == count || lead + trail == old_count) {
    return matches;
  }

  std::hash<std::string_view> hash;
  std::vector<std::pair<size_t, size_t>> by_hash;
  by_hash.reserve(old_count - lead - trail);
  for (size_t j = lead; j < old_count - trail; ++j) {
    if (previous.blocks[j].reusable) {
      by_hash.emplace_back(hash(old_text(j)), j);
    }
  }
  std::sort(by_hash.begin(), by_hash.end());
  // Most blocks follow the block that the one before them matched, so
  // that one is tried before a search.
  size_t expected = lead;
  for (size_t i = lead; i < count - trail; ++i) {
    if (expected < old_count - trail && same(i, expected)) {
      matches[i] = expected++;
      continue;
    }
    size_t key = hash(block_text(text, layout, i));
    auto it = std::lower_bound(by_hash.begin(), by_hash.end(),
                               std::make_pair(key, size_t{0}));
    for (; it != by_hash.end() && it->first == key; ++it) {
      if (same(i, it->second)) {
        matches[i] = it->second;
        expected = it->second + 1;
        break;
      }
    }
  }
  return matches;
}

// Owners are parsed in parts of about this many octets, so that the node
// tree in memory stays small and yaml-cpp is set up rarely.
constexpr size_t kRecordsPartSize = 256 * 1024;

class ZoneFileParser {
 public:
  ZoneFileParser(const std::string& path, Diagnostics& diagnostics)
      : reader_(path, diagnostics) {}

  // Takes unchanged owner blocks from `previous` in parse_in_parts.
  void reuse(PreviousParse& previous,
             const std::vector<std::optional<size_t>>& matches) {
    previous_ = &previous;
    matches_ = &matches;
  }

  // Returns to previous_ the records taken from it for `file`: copies
  // when `file` is kept, else the records themselves.
  void give_back(ZoneFile& file, bool keep_file) {
    for (const ReusedOwner& reused : reused_) {
      OwnerRecords& records = file.records[reused.record];
      int moved = records.location.line - 1 -
                  previous_->blocks.blocks[reused.block].line;
      OwnerRecords& old = previous_->file.records[reused.block];
      old = keep_file ? records : std::move(records);
      move_lines(old, -moved);
    }
    reused_.clear();
  }

  const OwnerCounts& counts() const { return counts_; }

  std::optional<ZoneFile> parse(const std::string& text) {
    std::optional<YAML::Node> root = reader_.load(text);
    if (!root) {
      return std::nullopt;
    }
    return parse_root(*root);
  }

  // Parses the file with the lines of `records` blanked, then the
  // records in parts. Returns false when some part is not valid YAML on
  // its own, and the caller must parse the whole text as one tree.
  bool parse_in_parts(const RecordsSource& records,
                      std::optional<ZoneFile>& file) {
    const std::string& text = records.text;
    const RecordsLayout& layout = records.layout;
    std::string head = text.substr(0, layout.body_begin);
    // Keys after the mapping keep their lines. With none, the blank lines
    // would only cost yaml-cpp time.
    if (layout.body_end < text.size()) {
      head.append(
          static_cast<size_t>(std::count(
              text.begin() + static_cast<ptrdiff_t>(layout.body_begin),
              text.begin() + static_cast<ptrdiff_t>(layout.body_end), '\n')),
          '\n');
      head.append(text, layout.body_end);
    }
    YAML::Node root;
    try {
      root = YAML::Load(head);
    } catch (const YAML::Exception&) {
      return false;
    }
    if (!root.IsMap()) {
      return false;
    }
    records_ = &records;
    file = parse_root(root);
    return !part_failed_ && !key_collision_;
  }

 private:
  std::optional<ZoneFile> parse_root(const YAML::Node& root) {
    ZoneFile file;
    file.path = reader_.path();
    Location start{reader_.path(), 1, 1};
    file.zone_location = start;
    file.soa.location = start;
    file.ttl_location = start;
    file.policy_location = start;
    std::vector<YamlEntry> entries =
        reader_.entries(root, start, "the zone file", kZoneKeys);
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
      if (root.IsMap() &&
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
    if (records_ != nullptr && e.value.IsNull()) {
      parse_records_in_parts(e, file);
      return;
    }
    for (const YamlEntry& owner :
         reader_.free_entries(e.value, e.location, "records")) {
      parse_owner(owner, file);
    }
  }

  // Parses the owners of records_ a part at a time, with the positions
  // and messages a single tree of the whole file gives.
  void parse_records_in_parts(const YamlEntry& e, ZoneFile& file) {
    const std::vector<RecordsLayout::Owner>& owners = records_->layout.owners;
    file.records.reserve(owners.size());
    // Keys of the owners parsed here. Reused owners had distinct keys in
    // the previous parse, so they are checked against these keys alone,
    // once all are known.
    std::unordered_set<std::string> seen;
    seen.reserve(matches_ == nullptr ? owners.size() : 64);
    std::vector<bool> taken(previous_ ? previous_->blocks.blocks.size() : 0);
    if (previous_ != nullptr) {
      reused_.reserve(owners.size());
    }
    auto matched = [this](size_t i) {
      return matches_ != nullptr && i < matches_->size() &&
             (*matches_)[i].has_value();
    };
    for (size_t first = 0; first < owners.size();) {
      if (matched(first)) {
        size_t index = *(*matches_)[first];
        if (taken[index]) {
          key_collision_ = true;  // the same block twice: a duplicate key
          return;
        }
        taken[index] = true;
        reuse_owner(index, owners[first].line, file);
        ++first;
        continue;
      }
      // Owners to parse are grouped into parts up to a reused one.
      size_t last = first + 1;
      while (last < owners.size() && !matched(last) &&
             owners[last].offset - owners[first].offset < kRecordsPartSize) {
        ++last;
      }
      counts_.parsed += last - first;
      size_t begin = owners[first].offset;
      size_t end = last < owners.size() ? owners[last].offset
                                        : records_->layout.body_end;
      YAML::Node part;
      try {
        part = YAML::Load(records_->text.substr(begin, end - begin));
      } catch (const YAML::Exception&) {
        part_failed_ = true;
        return;
      }
      if (!part.IsMap()) {
        part_failed_ = true;
        return;
      }
      reader_.set_line_offset(owners[first].line);
      for (const YamlEntry& owner :
           reader_.free_entries(part, e.location, "records", seen)) {
        parse_owner(owner, file);
      }
      reader_.set_line_offset(0);
      first = last;
    }
    if (!seen.empty()) {
      for (const ReusedOwner& reused : reused_) {
        if (seen.count(file.records[reused.record].owner) != 0) {
          key_collision_ = true;
          return;
        }
      }
    }
  }

  // Moves the records of owner block `index` of previous_, now at
  // 0-based `line`, to `file` with their positions moved there, and adds
  // the block's warnings.
  void reuse_owner(size_t index, int line, ZoneFile& file) {
    int moved = line - previous_->blocks.blocks[index].line;
    file.records.push_back(std::move(previous_->file.records[index]));
    move_lines(file.records.back(), moved);
    reused_.push_back(
        ReusedOwner{static_cast<uint32_t>(file.records.size() - 1),
                    static_cast<uint32_t>(index)});
    const auto& warnings = previous_->blocks.warnings;
    auto it = std::lower_bound(
        warnings.begin(), warnings.end(), index,
        [](const auto& entry, size_t value) { return entry.first < value; });
    for (; it != warnings.end() && it->first == index; ++it) {
      Location where = it->second.location;
      move_lines(where, moved);
      reader_.warning(where, it->second.message);
    }
    counts_.reused++;
  }

  void parse_owner(const YamlEntry& owner, ZoneFile& file) {
    OwnerRecords records;
    records.owner = owner.key;
    records.location = owner.key_location;
    if (owner.value.IsNull()) {
      reader_.error(owner.key_location,
                    "owner '" + owner.key +
                        "' has no records; add types such as 'A:' below "
                        "it or remove it");
      return;
    }
    std::string what = "the records of '" + owner.key + "'";
    for (const YamlEntry& type :
         reader_.free_entries(owner.value, owner.location, what)) {
      if (std::optional<RecordSet> set = parse_rrset(type)) {
        records.rrsets.push_back(std::move(*set));
      }
    }
    file.records.push_back(std::move(records));
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
  const RecordsSource* records_ = nullptr;  // set when parsing in parts
  bool part_failed_ = false;
  // Set when a reused owner's key is also another owner's, so the file
  // must be parsed again without reuse to report the duplicate where a
  // parse in file order does.
  bool key_collision_ = false;
  PreviousParse* previous_ = nullptr;
  // For each owner block, the block of previous_ to take it from.
  const std::vector<std::optional<size_t>>* matches_ = nullptr;
  // The records taken from previous_, for give_back().
  struct ReusedOwner {
    uint32_t record;  // in the file parsed
    uint32_t block;   // of previous_
  };
  std::vector<ReusedOwner> reused_;
  OwnerCounts counts_;
};

// The owner blocks of a parse of `text` in parts that reported
// `diagnostics`, taking `text`, or null when they cannot be matched to
// records: errors, or an owner block that gave no OwnerRecords. `matches`
// are the blocks reused from `previous`.
std::shared_ptr<OwnerBlocks> make_owner_blocks(
    std::string& text, const RecordsLayout& layout, const ZoneFile& file,
    const Diagnostics& diagnostics,
    const std::vector<std::optional<size_t>>& matches) {
  const std::vector<RecordsLayout::Owner>& owners = layout.owners;
  if (diagnostics.has_errors() || file.records.size() != owners.size()) {
    return nullptr;
  }
  // Without either character anywhere, no block needs a look.
  bool anchors = std::memchr(text.data(), '&', text.size()) != nullptr ||
                 std::memchr(text.data(), '*', text.size()) != nullptr;
  auto blocks = std::make_shared<OwnerBlocks>();
  blocks->blocks.reserve(owners.size());
  for (size_t i = 0; i < owners.size(); ++i) {
    if (file.records[i].location.line != owners[i].line + 1) {
      return nullptr;
    }
    std::string_view block = block_text(text, layout, i);
    std::optional<size_t> previous =
        i < matches.size() ? matches[i] : std::nullopt;
    // A block matched only a reusable one, with the same text.
    bool reusable = !anchors || previous.has_value() ||
                    block.find_first_of("&*") == std::string_view::npos;
    blocks->blocks.push_back(OwnerBlocks::Block{
        owners[i].offset, block.size(), owners[i].line, reusable, previous});
  }
  blocks->text = std::move(text);
  blocks->warnings = diagnostics_by_block(*blocks, diagnostics);
  return blocks;
}

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
  if (std::optional<RecordsLayout> layout = find_records_layout(text)) {
    // Problems go to a separate list first, because a part that does not
    // parse on its own means starting over with the whole text.
    Diagnostics found;
    std::optional<ZoneFile> file;
    ZoneFileParser parser(path, found);
    if (parser.parse_in_parts(RecordsSource{text, *layout}, file)) {
      diagnostics.append(found);
      return file;
    }
  }
  return ZoneFileParser(path, diagnostics).parse(text);
}

std::optional<ZoneFile> parse_zone_file(const std::string& path,
                                        std::string text,
                                        Diagnostics& diagnostics,
                                        PreviousParse* previous,
                                        std::shared_ptr<OwnerBlocks>* blocks,
                                        OwnerCounts* counts) {
  if (blocks != nullptr) {
    blocks->reset();
  }
  if (std::optional<RecordsLayout> layout = find_records_layout(text)) {
    Diagnostics found;
    std::optional<ZoneFile> file;
    ZoneFileParser parser(path, found);
    std::vector<std::optional<size_t>> matches;
    if (previous != nullptr) {
      matches = match_blocks(text, *layout, previous->blocks);
      parser.reuse(*previous, matches);
    }
    if (parser.parse_in_parts(RecordsSource{text, *layout}, file)) {
      if (counts != nullptr) {
        counts->reused += parser.counts().reused;
        counts->parsed += parser.counts().parsed;
      }
      diagnostics.append(found);
      if (blocks != nullptr && file) {
        *blocks = make_owner_blocks(text, *layout, *file, found, matches);
      }
      if (file && (blocks == nullptr || *blocks == nullptr)) {
        parser.give_back(*file, true);
      }
      return file;
    }
    if (previous != nullptr) {
      if (file) {
        parser.give_back(*file, false);
      }
      // A reused block may split an alias from its anchor in another
      // block, so the parts are parsed again without reuse.
      return parse_zone_file(path, std::move(text), diagnostics, nullptr,
                             blocks, counts);
    }
  }
  return ZoneFileParser(path, diagnostics).parse(text);
}

void give_back_records(const ZoneFile& file, const OwnerBlocks& blocks,
                       PreviousParse previous) {
  for (size_t i = 0; i < blocks.blocks.size() && i < file.records.size(); ++i) {
    if (std::optional<size_t> from = blocks.blocks[i].previous) {
      OwnerRecords& old = previous.file.records[*from];
      old = file.records[i];
      move_lines(old,
                 previous.blocks.blocks[*from].line - blocks.blocks[i].line);
    }
  }
}

int OwnerBlocks::end_line(size_t i) const {
  if (i + 1 < blocks.size()) {
    return blocks[i + 1].line;
  }
  const Block& last = blocks[i];
  return last.line +
         line_count(std::string_view(text).substr(last.offset, last.size));
}

std::vector<std::pair<size_t, Diagnostic>> diagnostics_by_block(
    const OwnerBlocks& blocks, const Diagnostics& diagnostics) {
  std::vector<std::pair<size_t, Diagnostic>> out;
  if (blocks.blocks.empty()) {
    return out;
  }
  int end_line = blocks.end_line(blocks.blocks.size() - 1);
  for (const Diagnostic& d : diagnostics.all()) {
    int line = d.location.line - 1;
    if (line < blocks.blocks.front().line || line >= end_line) {
      continue;
    }
    auto after = std::upper_bound(
        blocks.blocks.begin(), blocks.blocks.end(), line,
        [](int value, const OwnerBlocks::Block& b) { return value < b.line; });
    out.emplace_back(static_cast<size_t>(after - blocks.blocks.begin()) - 1, d);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.first < b.first;
  });
  return out;
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
