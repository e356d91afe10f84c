#include "zone/name.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

using signet::zone::Name;

namespace {

Name parse(const char* text) {
  auto name = Name::parse(text);
  REQUIRE(name.has_value());
  return *name;
}

}  // namespace

TEST_CASE("name parses absolute and relative forms", "[name]") {
  Name origin = parse("example.com.");
  auto www = Name::parse("WWW", origin);
  REQUIRE(www.has_value());
  CHECK(www->text() == "www.example.com.");
  CHECK(Name::parse("@", origin)->text() == "example.com.");
  CHECK(Name::parse("a.b.", origin)->text() == "a.b.");
  CHECK(Name::parse(".")->is_root());
  CHECK(www->label_count() == 3);
  CHECK(www->relative_text(origin) == "www");
  CHECK(origin.relative_text(origin) == "@");
}

TEST_CASE("name escapes round trip", "[name]") {
  auto name = Name::parse("a\\.b.c\\032d.example.");
  REQUIRE(name.has_value());
  CHECK(name->label_count() == 3);
  CHECK(name->first_label() == "a.b");
  CHECK(name->text() == "a\\.b.c\\032d.example.");
}

TEST_CASE("name rejects bad input with a reason", "[name]") {
  std::string error;
  CHECK_FALSE(Name::parse("a..b.", &error).has_value());
  CHECK(error == "empty label in name");
  CHECK_FALSE(Name::parse(std::string(64, 'x') + ".", &error).has_value());
  CHECK(error.find("over the limit of 63") != std::string::npos);
  std::string long_name;
  for (int i = 0; i < 5; ++i) {
    long_name += std::string(60, 'x') + ".";
  }
  CHECK_FALSE(Name::parse(long_name, &error).has_value());
  CHECK(error.find("over the limit of 255") != std::string::npos);
  CHECK_FALSE(Name::parse("a\\25", &error).has_value());
  CHECK(error == "escape \\DDD needs three digits");
  CHECK_FALSE(Name::parse("a\\300.", &error).has_value());
  CHECK(error == "escape \\300 is over 255");
}

TEST_CASE("name canonical order matches RFC 4034 section 6.1", "[name]") {
  // The example list from RFC 4034 section 6.1, already in order.
  std::vector<std::string> expected = {
      "example.",         "a.example.",      "yljkjljk.a.example.",
      "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
      "\\001.z.example.", "*.z.example.",    "\\200.z.example.",
  };
  std::vector<Name> names;
  for (const auto& text : expected) {
    names.push_back(parse(text.c_str()));
  }
  std::vector<Name> shuffled(names.rbegin(), names.rend());
  std::sort(shuffled.begin(), shuffled.end());
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK(shuffled[i] == names[i]);
  }
}

TEST_CASE("name subdomain and parent", "[name]") {
  Name child = parse("a.b.example.");
  CHECK(child.is_subdomain_of(parse("example.")));
  CHECK(child.is_subdomain_of(parse("b.example.")));
  CHECK_FALSE(child.is_subdomain_of(parse("xb.example.")));
  CHECK(child.parent() == parse("b.example."));
  CHECK(parse("*.example.").is_wildcard());
  CHECK(Name().parent().is_root());
}
