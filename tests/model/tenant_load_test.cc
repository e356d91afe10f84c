#include <catch2/catch.hpp>

#include "model/config_loader.h"
#include "model/source.h"
#include "test_support.h"
#include "zone/load.h"

namespace signet::zone {
namespace {

using model::test::data_path;
using model::test::texts;

struct TenantCase {
  const char* folder;  // below tests/data/validate/tenant
  std::vector<std::string> messages;
};

// Paths in messages are relative to the tenant's root.
const TenantCase kTenantCases[] = {
    {"cds-published-by-policy",
     {"zones/example.com.yaml:6:5: error: type CDS is published by policy "
      "'with-cds' (cds: true); remove it from the zone file or set 'cds: "
      "false' in the policy"}},
    {"two-files-one-zone",
     {"zones/example.com.yml:1:7: error: zone example.com. is also defined "
      "in zones/example.com.yaml; keep one file per zone"}},
    {"unknown-policy",
     {"zones/example.com.yaml:2:9: error: policy 'strict' is not defined; "
      "add policies/strict.yaml or use one of default and relaxed"}},
    {"unknown-secondary",
     {"zones/example.com.yaml:2:20: error: secondary 'ns9' is not defined "
      "in secondaries.yaml; defined secondaries are ns1"}},
    {"zone-file-name-mismatch",
     {"zones/example.org.yaml:1:7: error: zone example.com. is in "
      "zones/example.org.yaml, but a zone file must be named after its "
      "zone; rename the file to zones/example.com.yaml or fix 'zone:'"}},
};

TEST_CASE("tenant defects give exact messages", "[tenant]") {
  for (const TenantCase& c : kTenantCases) {
    SECTION(c.folder) {
      model::FolderSource source(data_path("validate/tenant/") + c.folder);
      model::Diagnostics diagnostics;
      load_tenant(source, diagnostics);
      diagnostics.sort();
      CHECK(texts(diagnostics) == c.messages);
    }
  }
}

model::Tenant tenant_from_config(const std::string& name) {
  model::Diagnostics diagnostics;
  model::OperatorConfig config = model::load_operator_config(
      data_path("validate/tenant/signet.yaml"), diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  for (const model::Tenant& tenant : config.tenants) {
    if (tenant.name == name) {
      return tenant;
    }
  }
  FAIL("no tenant " << name);
  return {};
}

TEST_CASE("zone outside allowed names is an error", "[tenant]") {
  model::Tenant tenant = tenant_from_config("zone-not-allowed");
  model::FolderSource source(tenant.repository);
  model::Diagnostics diagnostics;
  load_tenant(source, diagnostics, tenant);
  CHECK(texts(diagnostics) ==
        std::vector<std::string>{
            "zones/example.org.yaml:1:7: error: zone example.org. is not "
            "allowed for this tenant; allowed zones are example.edu. and "
            "example.info."});
}

TEST_CASE("secondary TSIG key must be configured", "[tenant]") {
  model::Tenant tenant = tenant_from_config("unknown-tsig-key");
  model::FolderSource source(tenant.repository);
  model::Diagnostics diagnostics;
  load_tenant(source, diagnostics, tenant);
  CHECK(texts(diagnostics) ==
        std::vector<std::string>{
            "secondaries.yaml:2:3: error: secondary 'ns1' uses TSIG key "
            "'trnasfer', which the operator has not configured for tenant "
            "'unknown-tsig-key'; configured keys are transfer"});
}

TEST_CASE("good tenant loads zones, policies and secondaries", "[tenant]") {
  model::Tenant tenant = tenant_from_config("good");
  model::FolderSource source(tenant.repository);
  model::Diagnostics diagnostics;
  LoadedTenant loaded = load_tenant(source, diagnostics, tenant);
  INFO(Catch::Detail::stringify(texts(diagnostics)));
  CHECK(diagnostics.all().empty());
  REQUIRE(loaded.zones.size() == 2);
  CHECK(loaded.zones[0].zone.origin().text() == "example.com.");
  CHECK(loaded.zones[1].zone.origin().text() == "example.net.");
  REQUIRE(loaded.policies.count("default") == 1);
  REQUIRE(loaded.policies.count("nsec") == 1);
  const model::Policy& nsec = loaded.policies.at("nsec");
  CHECK(nsec.denial == model::Denial::kNsec);
  REQUIRE(nsec.keys.size() == 2);
  CHECK(nsec.keys[0].role == model::KeyRole::kKsk);
  CHECK(nsec.keys[0].algorithm == 15);
  CHECK(nsec.keys[0].lifetime == 0);
  CHECK(nsec.keys[1].role == model::KeyRole::kZsk);
  CHECK(nsec.keys[1].lifetime == 90 * 86400);
  CHECK(nsec.signature_validity == 21 * 86400);
  CHECK(nsec.signature_refresh == 7 * 86400);
  CHECK(nsec.signature_jitter == 86400);
  CHECK(nsec.dnskey_ttl == 7200);
  CHECK(nsec.cds);
  REQUIRE(loaded.secondaries.size() == 1);
  CHECK(loaded.secondaries[0].name == "ns1");
  CHECK(loaded.secondaries[0].address == "127.0.0.1");
  CHECK(loaded.secondaries[0].port == 5301);
  CHECK(loaded.secondaries[0].tsig_key_name == "example-transfer");
}

TEST_CASE("semantic checks run on loaded zones", "[tenant]") {
  // The zone has no apex NS; zone::check_zone reports it at the zone key.
  std::string yaml =
      "zone: example.com\nsoa: {primary: ns.example.net.}\n"
      "records:\n  www:\n    A: 192.0.2.1\n";
  model::Diagnostics diagnostics;
  std::optional<LoadedZone> loaded =
      load_zone_yaml("example.com.yaml", yaml, diagnostics);
  REQUIRE(loaded.has_value());
  REQUIRE(diagnostics.error_count() >= 1);
  bool apex_ns_reported = false;
  for (const model::Diagnostic& d : diagnostics.all()) {
    if (d.message.find("NS") != std::string::npos && d.location.line == 1) {
      apex_ns_reported = true;
    }
  }
  CHECK(apex_ns_reported);
}

TEST_CASE("default policy is built in", "[tenant]") {
  model::FolderSource source(data_path("validate/tenant/unknown-secondary"));
  model::Diagnostics diagnostics;
  LoadedTenant loaded = load_tenant(source, diagnostics);
  REQUIRE(loaded.policies.count("default") == 1);
  const model::Policy& policy = loaded.policies.at("default");
  CHECK(policy.denial == model::Denial::kNsec3);
  CHECK(policy.nsec3.iterations == 0);
  CHECK(policy.nsec3.salt_hex.empty());
  REQUIRE(policy.keys.size() == 1);
  CHECK(policy.keys[0].role == model::KeyRole::kCsk);
  CHECK(policy.keys[0].algorithm == 13);
}

}  // namespace
}  // namespace signet::zone

namespace signet::zone {
namespace {

TEST_CASE("example tenant is valid", "[tenant][examples]") {
  std::string examples = std::string(SIGNET_SOURCE_DIR) + "/examples";
  model::Diagnostics config_diagnostics;
  model::OperatorConfig config = model::load_operator_config(
      examples + "/signet.yaml", config_diagnostics);
  INFO(Catch::Detail::stringify(texts(config_diagnostics)));
  REQUIRE(config_diagnostics.all().empty());
  REQUIRE(config.tenants.size() == 1);
  const model::Tenant& tenant = config.tenants[0];
  CHECK(tenant.name == "example");
  CHECK(config.dns_listen.at(0).port == 5300);
  CHECK(config.http_listen.at(0).port == 8053);

  model::FolderSource source(examples + "/tenant");
  model::Diagnostics diagnostics;
  LoadedTenant loaded = load_tenant(source, diagnostics, tenant);
  INFO(Catch::Detail::stringify(texts(diagnostics)));
  CHECK(diagnostics.all().empty());
  REQUIRE(loaded.zones.size() == 3);
  CHECK(loaded.zones[0].zone.origin().text() == "example.com.");
  CHECK(loaded.zones[1].zone.origin().text() == ".");
  CHECK(loaded.zones[2].zone.origin().text() == "uri.arpa.");
  // The root zone: 1 SOA, 7125 NS, 4147 A, 3546 AAAA and 2217 DS records.
  CHECK(loaded.zones[1].zone.rr_count() == 17036);
}

}  // namespace
}  // namespace signet::zone
