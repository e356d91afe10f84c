// Domain names in wire form with RFC 4034 canonical ordering.
#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace signet::zone {

// A fully qualified domain name, stored in uncompressed wire format with
// ASCII letters folded to lower case (the RFC 4034 section 6.2 canonical
// form). Comparison is RFC 4034 section 6.1 canonical order, so a sorted
// container of names is in NSEC order.
class Name {
 public:
  // The root name ".".
  Name();

  // Parses presentation format (RFC 1035 section 5.1, with \X and \DDD
  // escapes). "@" means `origin`; a name without a trailing dot is relative
  // to `origin`. On failure returns nullopt and, when `error` is set, stores
  // a message naming the problem (empty label, label over 63 octets, name
  // over 255 octets, bad escape).
  static std::optional<Name> parse(std::string_view text, const Name& origin,
                                   std::string* error = nullptr);

  // Parses an absolute name; a missing trailing dot is accepted.
  static std::optional<Name> parse(std::string_view text,
                                   std::string* error = nullptr);

  // Wraps wire bytes that the caller has already checked and lowercased.
  static Name from_canonical_wire(std::string wire);

  // Uncompressed wire format, lower case.
  const std::string& wire() const { return wire_; }

  // Absolute presentation format with a trailing dot and escapes.
  std::string text() const;

  // Presentation format relative to `origin` ("@" for the origin itself),
  // or absolute when the name is not below `origin`.
  std::string relative_text(const Name& origin) const;

  // Number of labels, not counting the root label.
  int label_count() const;
  bool is_root() const { return wire_.size() == 1; }

  // True when the leftmost label is "*".
  bool is_wildcard() const;

  // True when this name equals `ancestor` or is below it.
  bool is_subdomain_of(const Name& ancestor) const;

  // The name with its leftmost label removed. The root's parent is the root.
  Name parent() const;

  // The leftmost label, without its length octet.
  std::string_view first_label() const;

  // This name with `label` added on the left. Returns nullopt when the
  // result would exceed 255 octets or the label 63.
  std::optional<Name> prepend(std::string_view label) const;

  friend bool operator==(const Name& a, const Name& b) {
    return a.wire_ == b.wire_;
  }
  friend std::strong_ordering operator<=>(const Name& a, const Name& b);

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}

  std::string wire_;
};

struct NameHash {
  size_t operator()(const Name& n) const {
    return std::hash<std::string>()(n.wire());
  }
};

}  // namespace signet::zone
