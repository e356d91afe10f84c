#include "model/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "base/text.h"

namespace signet::model {

namespace {

// Characters that cannot start a plain YAML scalar but are common at the
// start of DNS names and RDATA.
std::string quoting_hint(const std::string& text, int line, int column) {
  size_t pos = 0;
  for (int l = 0; l < line && pos != std::string::npos; ++l) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) {
      ++pos;
    }
  }
  if (pos == std::string::npos) {
    return "";
  }
  pos += static_cast<size_t>(column);
  if (pos >= text.size()) {
    return "";
  }
  char c = text[pos];
  if (c == '@' || c == '`') {
    return std::string("; '") + c +
           "' cannot start a plain YAML value, so quote it: \"" + c + "\"";
  }
  if (c == '*') {
    return "; '*' starts a YAML alias, so quote a wildcard name: \"*.example\"";
  }
  return "";
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "empty";
    default:
      return "'" + node.Scalar() + "'";
  }
}

}  // namespace

std::optional<YAML::Node> YamlReader::load(const std::string& text) {
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) {
      return YAML::Node(YAML::NodeType::Map);
    }
    return root;
  } catch (const YAML::Exception& e) {
    Location where{path_, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.line < 0) {
      where.line = 0;
      where.column = 0;
    }
    error(where, "invalid YAML: " + e.msg +
                     quoting_hint(text, e.mark.line, e.mark.column));
    return std::nullopt;
  }
}

Location YamlReader::at(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0) {
    return Location{path_, 0, 0};
  }
  return Location{path_, line_offset_ + mark.line + 1, mark.column + 1};
}

std::vector<YamlEntry> YamlReader::collect(
    const YAML::Node& node, const Location& where, std::string_view what,
    const std::vector<std::string_view>* allowed,
    std::unordered_set<std::string>* seen) {
  std::vector<YamlEntry> out;
  if (node.IsNull()) {
    return out;
  }
  if (!node.IsMap()) {
    error(where, std::string(what) +
                     " must be a mapping of keys to values, not " +
                     describe_node(node));
    return out;
  }
  std::unordered_set<std::string> local_seen;
  if (seen == nullptr) {
    seen = &local_seen;
  }
  out.reserve(node.size());
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key = it->first;
    Location key_location = at(key);
    if (!key.IsScalar()) {
      error(key_location, "a key in " + std::string(what) +
                              " must be a plain value, not " +
                              describe_node(key));
      continue;
    }
    std::string name = key.Scalar();
    if (!add_key(*seen, name, key_location, what)) {
      continue;
    }
    if (allowed != nullptr &&
        std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      std::string message =
          "unknown key '" + name + "' in " + std::string(what) + ";";
      std::string suggestion = closest_match(name, *allowed);
      if (!suggestion.empty()) {
        message += " did you mean '" + suggestion + "'?";
      }
      message += " allowed keys are " + join_list(*allowed);
      error(key_location, message);
      continue;
    }
    YAML::Node value = it->second;
    Location value_location = value.IsNull() ? key_location : at(value);
    out.push_back(YamlEntry{name, key_location, value, value_location});
  }
  return out;
}

bool YamlReader::add_key(std::unordered_set<std::string>& seen,
                         const std::string& name, const Location& where,
                         std::string_view what) {
  if (seen.insert(name).second) {
    return true;
  }
  error(where, "duplicate key '" + name + "' in " + std::string(what) +
                   "; remove one of the two entries");
  return false;
}

std::vector<YamlEntry> YamlReader::entries(
    const YAML::Node& node, const Location& where, std::string_view what,
    const std::vector<std::string_view>& allowed) {
  return collect(node, where, what, &allowed, nullptr);
}

std::vector<YamlEntry> YamlReader::free_entries(const YAML::Node& node,
                                                const Location& where,
                                                std::string_view what) {
  return collect(node, where, what, nullptr, nullptr);
}

std::vector<YamlEntry> YamlReader::free_entries(
    const YAML::Node& node, const Location& where, std::string_view what,
    std::unordered_set<std::string>& seen) {
  return collect(node, where, what, nullptr, &seen);
}

std::vector<std::pair<YAML::Node, Location>> YamlReader::items(
    const YAML::Node& node, const Location& where) {
  std::vector<std::pair<YAML::Node, Location>> out;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      out.emplace_back(item, item.IsNull() ? where : at(item));
    }
  } else {
    out.emplace_back(node, where);
  }
  return out;
}

std::optional<std::string> YamlReader::text(const YAML::Node& node,
                                            const Location& where,
                                            std::string_view what) {
  if (node.IsNull() || (node.IsScalar() && node.Scalar().empty())) {
    error(where, std::string(what) + " is empty; give a value");
    return std::nullopt;
  }
  if (!node.IsScalar()) {
    error(where, std::string(what) + " must be a single value, not " +
                     describe_node(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> YamlReader::optional_text(const YAML::Node& node,
                                                     const Location& where,
                                                     std::string_view what) {
  if (node.IsNull()) {
    return std::string();
  }
  if (!node.IsScalar()) {
    error(where, std::string(what) + " must be a single value, not " +
                     describe_node(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<int64_t> YamlReader::integer(const YAML::Node& node,
                                           const Location& where,
                                           std::string_view what, int64_t min,
                                           int64_t max) {
  std::optional<std::string> s = text(node, where, what);
  if (!s) {
    return std::nullopt;
  }
  int64_t value = 0;
  const char* end = s->data() + s->size();
  auto [ptr, ec] = std::from_chars(s->data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    error(where, std::string(what) + " " + *s + " is out of range; use " +
                     std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != end) {
    error(where, std::string(what) + " '" + *s +
                     "' is not a whole number; use " + std::to_string(min) +
                     " to " + std::to_string(max));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(where, std::string(what) + " " + *s + " is out of range; use " +
                     std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> YamlReader::duration(const YAML::Node& node,
                                            const Location& where,
                                            std::string_view what, int64_t min,
                                            int64_t max) {
  std::optional<std::string> s = text(node, where, what);
  if (!s) {
    return std::nullopt;
  }
  std::string problem;
  std::optional<int64_t> value = parse_duration(*s, &problem);
  if (!value) {
    error(where, std::string(what) + " '" + *s + "' is invalid: " + problem +
                     "; write seconds (3600) or a number with a unit s, m, "
                     "h, d or w (1h, 2d, 1h30m)");
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    std::string shown = *s;
    if (shown != std::to_string(*value)) {
      shown += " (" + std::to_string(*value) + " seconds)";
    }
    error(where, std::string(what) + " " + shown + " is out of range; use " +
                     std::to_string(min) + " to " + std::to_string(max) +
                     " seconds");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node,
                                        const Location& where,
                                        std::string_view what) {
  std::optional<std::string> s = text(node, where, what);
  if (!s) {
    return std::nullopt;
  }
  std::string v = lower(*s);
  if (v == "true" || v == "yes" || v == "on") {
    return true;
  }
  if (v == "false" || v == "no" || v == "off") {
    return false;
  }
  error(where, std::string(what) + " '" + *s + "' is not true or false");
  return std::nullopt;
}

std::vector<std::pair<std::string, Location>> YamlReader::text_list(
    const YAML::Node& node, const Location& where, std::string_view what) {
  std::vector<std::pair<std::string, Location>> out;
  if (node.IsMap()) {
    error(where,
          std::string(what) + " must be a value or a list, not a mapping");
    return out;
  }
  for (auto& [item, item_location] : items(node, where)) {
    if (std::optional<std::string> s = text(item, item_location, what)) {
      out.emplace_back(*s, item_location);
    }
  }
  return out;
}

std::optional<int64_t> parse_duration(std::string_view text,
                                      std::string* error) {
  auto fail = [error](std::string message) -> std::optional<int64_t> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return std::nullopt;
  };
  if (text.empty()) {
    return fail("empty duration");
  }
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 604800;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      ++i;
    }
    if (i == start) {
      return fail("expected a number at '" + std::string(text.substr(start)) +
                  "'");
    }
    int64_t number = 0;
    auto [ptr, ec] =
        std::from_chars(text.data() + start, text.data() + i, number);
    if (ec != std::errc() || number > kLimit) {
      return fail("number too large");
    }
    int64_t unit = 1;
    if (i < text.size()) {
      std::optional<int64_t> seconds = duration_unit_seconds(text[i]);
      if (!seconds) {
        return fail("unknown unit '" + std::string(1, text[i]) + "'");
      }
      unit = *seconds;
      ++i;
    } else if (start != 0) {
      return fail("the last number has no unit");
    }
    total += number * unit;
    if (total > kLimit * 604800 / 2) {
      return fail("duration too large");
    }
  }
  return total;
}

std::string closest_match(std::string_view word,
                          const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  std::string folded = lower(word);
  for (std::string_view candidate : candidates) {
    size_t d = edit_distance(folded, lower(candidate));
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  // Allow about one typo per three characters, at least one.
  size_t limit = std::max<size_t>(1, std::min(word.size(), best.size()) / 3);
  if (best_distance <= limit) {
    return best;
  }
  // A shortened key ("tsig" for "tsig_key") is a likely slip too.
  if (folded.size() >= 3) {
    for (std::string_view candidate : candidates) {
      if (lower(candidate).rfind(folded, 0) == 0) {
        return std::string(candidate);
      }
    }
  }
  return "";
}

std::string join_list(const std::vector<std::string_view>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) {
      out += i + 1 == words.size() ? " and " : ", ";
    }
    out += words[i];
  }
  return out;
}

std::string join_list(const std::vector<std::string>& words) {
  std::vector<std::string_view> views(words.begin(), words.end());
  return join_list(views);
}

}  // namespace signet::model
