// Splits RFC 1035 section 5.1 master-file text into entries of tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace signet::zone {

// One word of an entry. `text` points into the lexer's input and keeps
// backslash escapes and, for a quoted string, the quotes.
struct Token {
  std::string_view text;
  uint32_t line = 0;
  uint32_t column = 0;
  bool quoted = false;
};

// One logical line: a directive or a record, with parentheses joined and
// comments removed.
struct Entry {
  std::vector<Token> tokens;
  bool owner_omitted = false;  // the line starts with a blank
  std::string error;           // set when the entry is malformed
  Token error_at;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // Reads the next non-empty entry into `entry`, reusing its storage.
  // Returns false at the end of the input.
  bool next(Entry& entry);

 private:
  void read_logical_line(Entry& entry);
  void read_quoted(Entry& entry);
  void read_word(Entry& entry);
  void fail(Entry& entry, uint32_t line, uint32_t column, std::string message);
  uint32_t column() const {
    return static_cast<uint32_t>(pos_ - line_start_ + 1);
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  uint32_t line_ = 1;
};

}  // namespace signet::zone
