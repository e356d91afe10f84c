// Checks YAML files against the JSON Schemas in schema/ with a small
// validator written for this test. It understands the keywords the
// schemas use (type, properties, additionalProperties, required,
// propertyNames, items, minItems, minProperties, anyOf, enum, const,
// pattern, minimum, maximum, $ref to $defs) and ignores the rest (format,
// lengths, descriptions). YAML scalars have no types of their own, so a
// scalar counts as a string always, and also as an integer, number,
// boolean or null when its text reads as one.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "model/yaml_reader.h"
#include "test_support.h"

namespace signet::model {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::read_text;

const fs::path kSource = SIGNET_SOURCE_DIR;

class SchemaChecker {
 public:
  explicit SchemaChecker(const std::string& schema_file)
      : root_(json::parse(
            read_text((kSource / "schema" / schema_file).string()))) {}

  // Returns the problems found; empty when `node` conforms.
  std::vector<std::string> check(const YAML::Node& node) {
    std::vector<std::string> problems;
    check(node, root_, "$", problems);
    return problems;
  }

 private:
  const json& resolve(const json& schema) const {
    if (!schema.contains("$ref")) {
      return schema;
    }
    std::string ref = schema["$ref"];
    REQUIRE(ref.rfind("#/$defs/", 0) == 0);
    return root_["$defs"][ref.substr(8)];
  }

  static bool is_type(const YAML::Node& node, const std::string& type) {
    static const std::regex integer("^-?[0-9]+$");
    static const std::regex number("^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$");
    if (type == "object") {
      return node.IsMap();
    }
    if (type == "array") {
      return node.IsSequence();
    }
    if (type == "null") {
      return node.IsNull();
    }
    if (!node.IsScalar()) {
      return false;
    }
    const std::string& text = node.Scalar();
    if (type == "string") {
      return true;
    }
    if (type == "integer") {
      return std::regex_match(text, integer);
    }
    if (type == "number") {
      return std::regex_match(text, number);
    }
    if (type == "boolean") {
      return text == "true" || text == "false" || text == "yes" ||
             text == "no" || text == "on" || text == "off";
    }
    return false;
  }

  void check(const YAML::Node& node, const json& schema_in,
             const std::string& where, std::vector<std::string>& problems) {
    const json& schema = resolve(schema_in);
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) {
        problems.push_back(where + ": not allowed");
      }
      return;
    }
    if (schema.contains("anyOf")) {
      bool any = false;
      for (const json& option : schema["anyOf"]) {
        std::vector<std::string> sub;
        check(node, option, where, sub);
        any = any || sub.empty();
      }
      if (!any) {
        problems.push_back(where + ": matches none of the allowed forms");
        return;
      }
    }
    if (schema.contains("type")) {
      std::vector<std::string> types;
      if (schema["type"].is_array()) {
        types = schema["type"].get<std::vector<std::string>>();
      } else {
        types.push_back(schema["type"]);
      }
      bool ok = false;
      for (const std::string& type : types) {
        ok = ok || is_type(node, type);
      }
      if (!ok) {
        problems.push_back(where + ": wrong type, expected " +
                           schema["type"].dump());
        return;
      }
    }
    check_scalar(node, schema, where, problems);
    if (node.IsMap()) {
      check_object(node, schema, where, problems);
    }
    if (node.IsSequence()) {
      check_array(node, schema, where, problems);
    }
  }

  void check_scalar(const YAML::Node& node, const json& schema,
                    const std::string& where,
                    std::vector<std::string>& problems) {
    if (!node.IsScalar()) {
      if (schema.contains("enum") || schema.contains("const")) {
        problems.push_back(where + ": expected one fixed value");
      }
      return;
    }
    const std::string& text = node.Scalar();
    if (schema.contains("enum")) {
      bool found = false;
      for (const json& value : schema["enum"]) {
        found = found || value == text;
      }
      if (!found) {
        problems.push_back(where + ": '" + text + "' is not in " +
                           schema["enum"].dump());
      }
    }
    if (schema.contains("const") && schema["const"] != text) {
      problems.push_back(where + ": expected " + schema["const"].dump());
    }
    if (schema.contains("pattern") &&
        !std::regex_search(text,
                           std::regex(schema["pattern"].get<std::string>()))) {
      problems.push_back(where + ": '" + text + "' does not match " +
                         schema["pattern"].get<std::string>());
    }
    if (schema.contains("minimum") && is_type(node, "number") &&
        std::stod(text) < schema["minimum"].get<double>()) {
      problems.push_back(where + ": below minimum");
    }
    if (schema.contains("maximum") && is_type(node, "number") &&
        std::stod(text) > schema["maximum"].get<double>()) {
      problems.push_back(where + ": above maximum");
    }
  }

  void check_object(const YAML::Node& node, const json& schema,
                    const std::string& where,
                    std::vector<std::string>& problems) {
    const json empty = json::object();
    const json& properties =
        schema.contains("properties") ? schema["properties"] : empty;
    for (const auto& required : schema.value("required", json::array())) {
      if (!node[required.get<std::string>()]) {
        problems.push_back(where + ": missing '" + required.get<std::string>() +
                           "'");
      }
    }
    if (schema.contains("minProperties") &&
        node.size() < schema["minProperties"].get<size_t>()) {
      problems.push_back(where + ": too few keys");
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.Scalar();
      std::string path = where + "." + key;
      if (schema.contains("propertyNames") &&
          !std::regex_search(key, std::regex(schema["propertyNames"]["pattern"]
                                                 .get<std::string>()))) {
        problems.push_back(path + ": key name not allowed");
      }
      if (properties.contains(key)) {
        check(it->second, properties[key], path, problems);
      } else if (schema.contains("additionalProperties")) {
        check(it->second, schema["additionalProperties"], path, problems);
      }
    }
  }

  void check_array(const YAML::Node& node, const json& schema,
                   const std::string& where,
                   std::vector<std::string>& problems) {
    if (schema.contains("minItems") &&
        node.size() < schema["minItems"].get<size_t>()) {
      problems.push_back(where + ": too few items");
    }
    if (schema.contains("items")) {
      for (size_t i = 0; i < node.size(); ++i) {
        check(node[i], schema["items"], where + "[" + std::to_string(i) + "]",
              problems);
      }
    }
  }

  json root_;
};

// The schema a tenant or operator file follows, from its path.
std::string schema_for(const fs::path& file) {
  std::string parent = file.parent_path().filename().string();
  std::string name = file.filename().string();
  if (name == "secondaries.yaml") {
    return "secondaries.schema.json";
  }
  if (name == "signet.yaml") {
    return "operator.schema.json";
  }
  if (parent == "policies" || parent == "policy") {
    return "policy.schema.json";
  }
  if (parent == "secondaries") {
    return "secondaries.schema.json";
  }
  if (parent == "config") {
    return "operator.schema.json";
  }
  return "zone.schema.json";
}

std::vector<std::string> check_file(const fs::path& file) {
  SchemaChecker checker(schema_for(file));
  return checker.check(YAML::LoadFile(file.string()));
}

// Files that must conform: the examples and every test file that loads
// without errors.
std::vector<fs::path> conforming_files() {
  std::vector<fs::path> out;
  for (const fs::path& root :
       {kSource / "examples", kSource / "tests/data/validate/tenant/good",
        kSource / "tests/data/validate/good"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.path().extension() == ".yaml") {
        out.push_back(entry.path());
      }
    }
  }
  out.push_back(kSource / "tests/data/validate/tenant/signet.yaml");
  return out;
}

TEST_CASE("schema files are JSON Schema 2020-12", "[schema]") {
  for (const char* name : {"zone.schema.json", "policy.schema.json",
                           "secondaries.schema.json", "operator.schema.json"}) {
    INFO(name);
    json schema = json::parse(read_text((kSource / "schema" / name).string()));
    CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
    CHECK(schema["type"] == "object");
    CHECK(schema["additionalProperties"] == false);
  }
}

TEST_CASE("examples and good files match the schemas", "[schema]") {
  std::vector<fs::path> files = conforming_files();
  CHECK(files.size() >= 8);
  for (const fs::path& file : files) {
    INFO(file.string());
    CHECK(check_file(file) == std::vector<std::string>{});
  }
}

TEST_CASE("schemas reject the structural defects", "[schema]") {
  // Each of these defects is about keys, types or fixed values, which the
  // schema describes as well as the loader.
  const char* const kDefects[] = {
      "zone/unknown-key.yaml",
      "zone/unknown-soa-key.yaml",
      "zone/missing-zone-key.yaml",
      "zone/ttl-not-a-value.yaml",
      "zone/ttl-unknown-unit.yaml",
      "zone/soa-literal-serial.yaml",
      "zone/soa-unknown-serial-policy.yaml",
      "zone/structured-missing-field.yaml",
      "zone/structured-unknown-field.yaml",
      "zone/records-not-a-mapping.yaml",
      "zone/owner-without-records.yaml",
      "zone/empty-value.yaml",
      "zone/ds-digest-not-hex.yaml",
      "policy/unknown-key.yaml",
      "policy/unknown-key-role.yaml",
      "secondaries/unknown-key.yaml",
      "secondaries/missing-address.yaml",
      "secondaries/port-out-of-range.yaml",
      "config/unknown-key.yaml",
      "config/tenant-without-repository.yaml",
      "config/tsig-algorithm-unsupported.yaml",
  };
  for (const char* defect : kDefects) {
    INFO(defect);
    CHECK_FALSE(check_file(kSource / "tests/data/validate" / defect).empty());
  }
}

}  // namespace
}  // namespace signet::model
