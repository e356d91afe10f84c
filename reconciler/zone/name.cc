#include "zone/name.h"

#include <array>
#include <cstdint>
#include <cstdio>

namespace signet::zone {

namespace {

constexpr size_t kMaxNameOctets = 255;
constexpr size_t kMaxLabelOctets = 63;
constexpr int kMaxLabels = 128;

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool set_error(std::string* error, std::string message) {
  if (error != nullptr) {
    *error = std::move(message);
  }
  return false;
}

// Collects the offsets of each label's length octet; returns the count.
int label_offsets(const std::string& wire,
                  std::array<uint8_t, kMaxLabels>& out) {
  int count = 0;
  size_t pos = 0;
  while (pos < wire.size() && wire[pos] != 0) {
    out[count++] = static_cast<uint8_t>(pos);
    pos += 1 + static_cast<uint8_t>(wire[pos]);
  }
  return count;
}

// Appends the labels of `text` (presentation format, no trailing dot
// handling) to `wire`. Returns false with a message on a syntax error.
bool append_labels(std::string_view text, std::string& wire,
                   std::string* error) {
  std::string label;
  auto flush = [&]() -> bool {
    if (label.empty()) {
      return set_error(error, "empty label in name");
    }
    if (label.size() > kMaxLabelOctets) {
      return set_error(error, "label '" + label + "' is " +
                                  std::to_string(label.size()) +
                                  " octets, over the limit of 63");
    }
    wire.push_back(static_cast<char>(label.size()));
    wire += label;
    label.clear();
    return true;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (!flush()) {
        return false;
      }
      continue;
    }
    if (c != '\\') {
      label.push_back(fold(c));
      continue;
    }
    if (i + 1 >= text.size()) {
      return set_error(error, "name ends in a lone backslash");
    }
    char next = text[i + 1];
    if (next >= '0' && next <= '9') {
      if (i + 3 >= text.size()) {
        return set_error(error, "escape \\DDD needs three digits");
      }
      int value = 0;
      for (size_t k = 1; k <= 3; ++k) {
        char d = text[i + k];
        if (d < '0' || d > '9') {
          return set_error(error, "escape \\DDD needs three digits");
        }
        value = value * 10 + (d - '0');
      }
      if (value > 255) {
        return set_error(
            error,
            "escape \\" + std::string(text.substr(i + 1, 3)) + " is over 255");
      }
      label.push_back(fold(static_cast<char>(value)));
      i += 3;
    } else {
      label.push_back(fold(next));
      i += 1;
    }
  }
  if (!label.empty()) {
    return flush();
  }
  return true;
}

}  // namespace

Name::Name() : wire_(1, '\0') {}

Name Name::from_canonical_wire(std::string wire) {
  return Name(std::move(wire));
}

std::optional<Name> Name::parse(std::string_view text, const Name& origin,
                                std::string* error) {
  if (text.empty()) {
    set_error(error, "empty name");
    return std::nullopt;
  }
  if (text == "@") {
    return origin;
  }
  if (text == ".") {
    return Name();
  }
  // A trailing dot that is not itself escaped makes the name absolute.
  bool absolute = false;
  if (text.back() == '.') {
    size_t backslashes = 0;
    for (size_t i = text.size() - 1; i > 0 && text[i - 1] == '\\'; --i) {
      ++backslashes;
    }
    absolute = backslashes % 2 == 0;
  }
  std::string_view body = absolute ? text.substr(0, text.size() - 1) : text;
  std::string wire;
  wire.reserve(body.size() + origin.wire().size() + 1);
  if (!append_labels(body, wire, error)) {
    return std::nullopt;
  }
  if (absolute) {
    wire.push_back('\0');
  } else {
    wire += origin.wire();
  }
  if (wire.size() > kMaxNameOctets) {
    set_error(error, "name '" + std::string(text) + "' is " +
                         std::to_string(wire.size()) +
                         " octets in wire format, over the limit of 255");
    return std::nullopt;
  }
  return Name(std::move(wire));
}

std::optional<Name> Name::parse(std::string_view text, std::string* error) {
  return parse(text, Name(), error);
}

std::string Name::text() const {
  if (is_root()) {
    return ".";
  }
  std::string out;
  size_t pos = 0;
  while (wire_[pos] != 0) {
    size_t len = static_cast<uint8_t>(wire_[pos]);
    for (size_t i = pos + 1; i <= pos + len; ++i) {
      auto c = static_cast<unsigned char>(wire_[i]);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' ||
          c == ';' || c == '@' || c == '$') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c <= ' ' || c >= 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", c);
        out += buf;
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('.');
    pos += 1 + len;
  }
  return out;
}

std::string Name::relative_text(const Name& origin) const {
  if (*this == origin) {
    return "@";
  }
  if (!is_subdomain_of(origin) || origin.is_root()) {
    return text();
  }
  std::string full = text();
  std::string suffix = origin.text();
  return full.substr(0, full.size() - suffix.size() - 1);
}

int Name::label_count() const {
  std::array<uint8_t, kMaxLabels> offsets;
  return label_offsets(wire_, offsets);
}

bool Name::is_wildcard() const {
  return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*';
}

bool Name::is_subdomain_of(const Name& ancestor) const {
  const std::string& a = ancestor.wire_;
  if (a.size() > wire_.size()) {
    return false;
  }
  // The suffix must match and start on a label boundary.
  size_t start = wire_.size() - a.size();
  if (wire_.compare(start, a.size(), a) != 0) {
    return false;
  }
  size_t pos = 0;
  while (pos < start) {
    pos += 1 + static_cast<uint8_t>(wire_[pos]);
  }
  return pos == start;
}

Name Name::parent() const {
  if (is_root()) {
    return *this;
  }
  size_t len = static_cast<uint8_t>(wire_[0]);
  return Name(wire_.substr(1 + len));
}

std::string_view Name::first_label() const {
  return std::string_view(wire_).substr(1, static_cast<uint8_t>(wire_[0]));
}

std::optional<Name> Name::prepend(std::string_view label) const {
  if (label.empty() || label.size() > kMaxLabelOctets ||
      wire_.size() + label.size() + 1 > kMaxNameOctets) {
    return std::nullopt;
  }
  std::string wire;
  wire.reserve(wire_.size() + label.size() + 1);
  wire.push_back(static_cast<char>(label.size()));
  for (char c : label) {
    wire.push_back(fold(c));
  }
  wire += wire_;
  return Name(std::move(wire));
}

std::strong_ordering operator<=>(const Name& a, const Name& b) {
  if (a.wire_ == b.wire_) {
    return std::strong_ordering::equal;
  }
  std::array<uint8_t, kMaxLabels> oa;
  std::array<uint8_t, kMaxLabels> ob;
  int na = label_offsets(a.wire_, oa);
  int nb = label_offsets(b.wire_, ob);
  // Compare labels from the rightmost; labels compare as octet strings with
  // the shorter one first when one is a prefix of the other.
  while (na > 0 && nb > 0) {
    --na;
    --nb;
    std::string_view la(a.wire_.data() + oa[na] + 1,
                        static_cast<uint8_t>(a.wire_[oa[na]]));
    std::string_view lb(b.wire_.data() + ob[nb] + 1,
                        static_cast<uint8_t>(b.wire_[ob[nb]]));
    int c = la.compare(lb);
    if (c != 0) {
      return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    }
  }
  return na <=> nb;
}

}  // namespace signet::zone
