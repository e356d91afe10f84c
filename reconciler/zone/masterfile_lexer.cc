#include "zone/masterfile_lexer.h"

namespace signet::zone {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

bool ends_word(char c) {
  return is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')';
}

}  // namespace

bool Lexer::next(Entry& entry) {
  while (pos_ < text_.size()) {
    entry.tokens.clear();
    entry.error.clear();
    entry.owner_omitted = is_blank(text_[pos_]) && text_[pos_] != '\r';
    read_logical_line(entry);
    if (!entry.tokens.empty() || !entry.error.empty()) {
      return true;
    }
  }
  return false;
}

void Lexer::fail(Entry& entry, uint32_t line, uint32_t column,
                 std::string message) {
  if (entry.error.empty()) {
    entry.error = std::move(message);
    entry.error_at = Token{{}, line, column, false};
  }
}

void Lexer::read_logical_line(Entry& entry) {
  bool in_parens = false;
  uint32_t paren_line = 0;
  uint32_t paren_column = 0;
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
      if (!in_parens) {
        return;
      }
    } else if (is_blank(c)) {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < text_.size() && text_[pos_] != '\n') {
        ++pos_;
      }
    } else if (c == '(') {
      if (in_parens) {
        fail(entry, line_, column(),
             "nested '(' is not allowed; close the group opened at line " +
                 std::to_string(paren_line) + " first");
      }
      in_parens = true;
      paren_line = line_;
      paren_column = column();
      ++pos_;
    } else if (c == ')') {
      if (!in_parens) {
        fail(entry, line_, column(), "')' without a matching '('");
      }
      in_parens = false;
      ++pos_;
    } else if (c == '"') {
      read_quoted(entry);
    } else {
      read_word(entry);
    }
  }
  if (in_parens) {
    fail(entry, paren_line, paren_column,
         "'(' is never closed; add ')' at the end of the record");
  }
}

void Lexer::read_quoted(Entry& entry) {
  size_t start = pos_;
  uint32_t column_at_start = column();
  ++pos_;
  while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\n') {
    pos_ += (text_[pos_] == '\\' && pos_ + 1 < text_.size() &&
             text_[pos_ + 1] != '\n')
                ? 2
                : 1;
  }
  if (pos_ >= text_.size() || text_[pos_] != '"') {
    fail(entry, line_, column_at_start,
         "quoted string is not closed on its line; add the closing '\"'");
    return;
  }
  ++pos_;
  entry.tokens.push_back(
      Token{text_.substr(start, pos_ - start), line_, column_at_start, true});
}

void Lexer::read_word(Entry& entry) {
  size_t start = pos_;
  uint32_t column_at_start = column();
  bool in_quotes = false;
  // A quoted part inside a word, as in SVCB's alpn="h2,h3", stays in it.
  while (pos_ < text_.size() && (in_quotes || !ends_word(text_[pos_]))) {
    char c = text_[pos_];
    if (c == '\n') {
      fail(entry, line_, column(),
           "quoted string is not closed on its line; add the closing '\"'");
      break;
    }
    if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
      pos_ += 2;
      continue;
    }
    if (c == '"') {
      in_quotes = !in_quotes;
    }
    ++pos_;
  }
  entry.tokens.push_back(
      Token{text_.substr(start, pos_ - start), line_, column_at_start, false});
}

}  // namespace signet::zone
