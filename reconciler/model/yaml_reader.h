// Typed reading of YAML documents that reports every problem with the
// file:line:col of the node at fault.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "model/diagnostic.h"

namespace signet::model {

// One key/value pair of a YAML mapping. `location` is the value's
// position, or the key's when the value is empty (yaml-cpp gives empty
// values the position of whatever follows them).
struct YamlEntry {
  std::string key;
  Location key_location;
  YAML::Node value;
  Location location;
};

// Reads one YAML file. Every check reports to the Diagnostics passed in and
// returns nullopt (or false) on failure, so a caller can go on and report
// the next problem too.
class YamlReader {
 public:
  YamlReader(std::string path, Diagnostics& diagnostics)
      : path_(std::move(path)), diagnostics_(diagnostics) {}

  // Parses `text`. A syntax error is reported at its position and returns
  // nullopt. An empty document is an empty mapping.
  // NOTE: yaml-cpp 0.7's node tree takes about 57 times the text's size
  // (238 MB peak for a generated 4 MB zone of 100,000 names). Zone files
  // therefore parse their `records:` mapping a part at a time (see
  // parse_zone_file), and other files are small.
  std::optional<YAML::Node> load(const std::string& text);

  // Returns the 1-based position of `node` in this file.
  Location at(const YAML::Node& node) const;

  // Returns the entries of a mapping in file order, after reporting duplicate
  // keys and keys not in `allowed` (with a "did you mean" suggestion). Only the
  // first of duplicated keys and only allowed keys are returned. Reports
  // and returns an empty list when `node` is not a mapping. `what` names
  // the mapping in messages ("the zone file", "soa").
  std::vector<YamlEntry> entries(const YAML::Node& node, const Location& where,
                                 std::string_view what,
                                 const std::vector<std::string_view>& allowed);

  // Returns the entries of a mapping whose keys are free-form (owner names,
  // secondary names), after reporting duplicate keys.
  std::vector<YamlEntry> free_entries(const YAML::Node& node,
                                      const Location& where,
                                      std::string_view what);

  // As above, but a key already in `seen` (from an earlier part of the
  // same mapping, parsed on its own) is reported as a duplicate too.
  // Every new key is added to `seen`.
  std::vector<YamlEntry> free_entries(const YAML::Node& node,
                                      const Location& where,
                                      std::string_view what,
                                      std::unordered_set<std::string>& seen);

  // Adds the key `name` of the mapping `what` to `seen`. Returns false
  // after reporting a duplicate key at `where` when it was there already.
  bool add_key(std::unordered_set<std::string>& seen, const std::string& name,
               const Location& where, std::string_view what);

  // Returns the items of a sequence, or `node` itself as the only item
  // when it is not a sequence.
  std::vector<std::pair<YAML::Node, Location>> items(const YAML::Node& node,
                                                     const Location& where);

  // Reads a non-empty scalar. `what` names the value in messages.
  std::optional<std::string> text(const YAML::Node& node, const Location& where,
                                  std::string_view what);

  // Reads a scalar that may be empty (an empty string or an empty value).
  std::optional<std::string> optional_text(const YAML::Node& node,
                                           const Location& where,
                                           std::string_view what);

  // Reads a decimal integer in [min, max].
  std::optional<int64_t> integer(const YAML::Node& node, const Location& where,
                                 std::string_view what, int64_t min,
                                 int64_t max);

  // Reads a duration in seconds: plain seconds, or a number with a unit s, m,
  // h, d or w, or several of them ("1h30m"). Must lie in [min, max].
  std::optional<int64_t> duration(const YAML::Node& node, const Location& where,
                                  std::string_view what, int64_t min,
                                  int64_t max);

  // Reads true or false (also yes/no, on/off).
  std::optional<bool> boolean(const YAML::Node& node, const Location& where,
                              std::string_view what);

  // Reads a list of non-empty scalars. A single scalar counts as a list of
  // one.
  std::vector<std::pair<std::string, Location>> text_list(
      const YAML::Node& node, const Location& where, std::string_view what);

  void error(const Location& where, std::string message) {
    diagnostics_.error(where, std::move(message));
  }
  void warning(const Location& where, std::string message) {
    diagnostics_.warning(where, std::move(message));
  }

  // Sets how many lines precede the text of the nodes passed in, for a
  // part of a file parsed on its own. at() adds it to every line.
  void set_line_offset(int lines) { line_offset_ = lines; }

  const std::string& path() const { return path_; }
  Diagnostics& diagnostics() { return diagnostics_; }

 private:
  std::vector<YamlEntry> collect(const YAML::Node& node, const Location& where,
                                 std::string_view what,
                                 const std::vector<std::string_view>* allowed,
                                 std::unordered_set<std::string>* seen);

  std::string path_;
  Diagnostics& diagnostics_;
  int line_offset_ = 0;
};

// Parses a duration ("300", "5m", "1h30m", "2d", "1w"). Returns nullopt
// with a message in `error` when the text is not one.
std::optional<int64_t> parse_duration(std::string_view text,
                                      std::string* error = nullptr);

// The candidate closest to `word` by edit distance, or "" when none is
// close enough to be a likely typo.
std::string closest_match(std::string_view word,
                          const std::vector<std::string_view>& candidates);

// Joins words as "a, b and c" for messages.
std::string join_list(const std::vector<std::string_view>& words);
std::string join_list(const std::vector<std::string>& words);

}  // namespace signet::model
