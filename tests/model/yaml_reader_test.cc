#include "model/yaml_reader.h"

#include <catch2/catch.hpp>

namespace signet::model {
namespace {

TEST_CASE("duration parses seconds and units", "[yaml]") {
  struct Case {
    const char* text;
    int64_t seconds;
  };
  const Case cases[] = {{"0", 0},        {"300", 300},   {"5m", 300},
                        {"1h", 3600},    {"2d", 172800}, {"1w", 604800},
                        {"1h30m", 5400}, {"1H", 3600},   {"1d12h", 129600},
                        {"90s", 90}};
  for (const Case& c : cases) {
    INFO(c.text);
    std::optional<int64_t> value = parse_duration(c.text);
    REQUIRE(value.has_value());
    CHECK(*value == c.seconds);
  }
}

TEST_CASE("duration rejects malformed text", "[yaml]") {
  for (const char* text :
       {"", "h", "1y", "1h30", "-5", "1.5h", "1 h", "99999999999999999999"}) {
    INFO(text);
    std::string error;
    CHECK_FALSE(parse_duration(text, &error).has_value());
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("closest match suggests typos only", "[yaml]") {
  std::vector<std::string_view> keys = {"zone", "ttl", "records", "soa",
                                        "tsig_key"};
  CHECK(closest_match("tll", keys) == "ttl");
  CHECK(closest_match("recrods", keys) == "records");
  CHECK(closest_match("Zone", keys) == "zone");
  CHECK(closest_match("tsig", keys) == "tsig_key");
  CHECK(closest_match("completely", keys).empty());
}

TEST_CASE("reader reports positions one-based", "[yaml]") {
  Diagnostics diagnostics;
  YamlReader reader("f.yaml", diagnostics);
  std::optional<YAML::Node> root = reader.load("a: 1\nb:\n  c: x\n");
  REQUIRE(root.has_value());
  std::vector<YamlEntry> entries =
      reader.entries(*root, Location{"f.yaml", 1, 1}, "test", {"a", "b"});
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].key_location.text() == "f.yaml:1:1");
  CHECK(entries[0].location.text() == "f.yaml:1:4");
  CHECK(entries[1].location.text() == "f.yaml:3:3");
  CHECK_FALSE(diagnostics.has_errors());
}

TEST_CASE("reader reports syntax errors with position", "[yaml]") {
  Diagnostics diagnostics;
  YamlReader reader("f.yaml", diagnostics);
  CHECK_FALSE(reader.load("a: [1, 2\n").has_value());
  REQUIRE(diagnostics.error_count() == 1);
  CHECK(diagnostics.all()[0].location.line >= 1);
  CHECK(diagnostics.all()[0].message.rfind("invalid YAML: ", 0) == 0);
}

TEST_CASE("empty document is an empty mapping", "[yaml]") {
  Diagnostics diagnostics;
  YamlReader reader("f.yaml", diagnostics);
  std::optional<YAML::Node> root = reader.load("");
  REQUIRE(root.has_value());
  CHECK(root->IsMap());
}

}  // namespace
}  // namespace signet::model
