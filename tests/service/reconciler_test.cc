// The per-tenant loop against a real Git repository, a real SQLite store
// and a real transfer server on loopback, with a manual clock.
#include "service/reconciler.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "dnssec/key_store.h"
#include "service/tenant_repo.h"
#include "service/zone_claims.h"
#include "state/store.h"
#include "transfer/server.h"
#include "zone/name.h"

namespace signet::service {
namespace {

using testing::TempFolder;
using testing::TenantRepo;
using testing::zone_yaml;

constexpr UnixTime kStart = 1'760'000'000;

// One tenant's loop with everything it needs, in a temporary folder.
struct Harness {
  explicit Harness(std::vector<std::string> zones = {"example.com"})
      : clock(kStart), repo(folder.path() / "repo") {
    tenant.name = "acme";
    tenant.repository = repo.folder().string();
    tenant.allowed_zones = std::move(zones);
    tenant.keys.path = (folder.path() / "keys").string();
    tenants.push_back(tenant);
  }

  void open() {
    store = std::make_unique<state::Store>((folder.path() / "state").string(),
                                           clock);
    transfer::ServerOptions options;
    options.listen = {{"127.0.0.1", 0}};
    options.clock = &clock;
    server = std::make_unique<transfer::Server>(options);
    server->start();
    claims = std::make_unique<ZoneClaims>(tenants);
    reconciler = make(tenant);
  }

  std::unique_ptr<Reconciler> make(const model::Tenant& t,
                                   bool open_keys = true) {
    TenantContext context;
    context.tenant = t;
    context.clock = &clock;
    context.store = store.get();
    context.server = server.get();
    context.claims = claims.get();
    if (open_keys) {
      context.keys = std::make_shared<dnssec::FileKeyStore>(t.keys.path);
    }
    context.cache_dir = (folder.path() / "cache").string();
    return std::make_unique<Reconciler>(std::move(context));
  }

  void close() {
    reconciler.reset();
    server.reset();
    store.reset();
  }

  std::optional<state::Version> latest(const std::string& zone) {
    return store->latest_version(tenant.name, *zone::Name::parse(zone));
  }

  ManualClock clock;
  TempFolder folder;
  TenantRepo repo;
  model::Tenant tenant;
  std::vector<model::Tenant> tenants;
  std::unique_ptr<state::Store> store;
  std::unique_ptr<transfer::Server> server;
  std::unique_ptr<ZoneClaims> claims;
  std::unique_ptr<Reconciler> reconciler;
};

}  // namespace

TEST_CASE("reconciler publishes first commit") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  std::string commit = h.repo.commit("Add example.com");
  h.open();

  CHECK(h.reconciler->run_once(false) == 1);

  std::optional<state::Version> v = h.latest("example.com.");
  REQUIRE(v);
  CHECK(v->serial == 1);
  CHECK(v->commit.id == commit);
  CHECK(v->commit.message.find("Add example.com") == 0);
  auto snapshot =
      h.store->zone_snapshot("acme", *zone::Name::parse("example.com."));
  REQUIRE(snapshot);
  CHECK(snapshot->find(snapshot->origin(), zone::rrtype::RRSIG) != nullptr);
  CHECK(snapshot->find(snapshot->origin(), zone::rrtype::DNSKEY) != nullptr);
  CHECK(h.reconciler->loaded());
}

TEST_CASE("reconciler skips commit without zone change") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.commit("Add example.com");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 1);

  h.repo.write("README.md", "notes\n");
  h.repo.commit("Add notes");
  CHECK(h.reconciler->run_once(false) == 0);
  CHECK(h.latest("example.com.")->serial == 1);
}

TEST_CASE("reconciler rejects broken zone with location") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.commit("Add example.com");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 1);

  h.repo.write("zones/example.com.yaml",
               zone_yaml("example.com", 3, "  bad:\n    A: 300.1.1.1\n"));
  std::string broken = h.repo.commit("Break example.com");
  CHECK(h.reconciler->run_once(false) == 0);

  CHECK(h.latest("example.com.")->serial == 1);
  std::optional<state::Rejection> r =
      h.store->last_rejection("acme", "example.com.");
  if (!r) {
    r = h.store->last_rejection("acme", "");
  }
  REQUIRE(r);
  CHECK(r->commit == broken);
  CHECK(r->location.find("zones/example.com.yaml:") != std::string::npos);
  CHECK_FALSE(r->reason.empty());
}

TEST_CASE("reconciler publishes fix after rejection") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.commit("Add example.com");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 1);
  h.repo.write("zones/example.com.yaml",
               zone_yaml("example.com", 3, "  bad:\n    A: 300.1.1.1\n"));
  h.repo.commit("Break example.com");
  REQUIRE(h.reconciler->run_once(false) == 0);

  // The fix restores the published data; it still gets its own serial so
  // the published version names the commit that fixed the zone.
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  std::string fix = h.repo.commit("Fix example.com");
  CHECK(h.reconciler->run_once(false) == 1);

  std::optional<state::Version> v = h.latest("example.com.");
  REQUIRE(v);
  CHECK(v->serial == 2);
  CHECK(v->commit.id == fix);
}

TEST_CASE("reconciler publishes revert with higher serial") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.commit("Add example.com");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 1);

  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 4));
  std::string added = h.repo.commit("Add host3");
  REQUIRE(h.reconciler->run_once(false) == 1);
  std::string reverted = h.repo.revert(added);
  CHECK(h.reconciler->run_once(false) == 1);

  std::optional<state::Version> v = h.latest("example.com.");
  REQUIRE(v);
  CHECK(v->serial == 3);
  CHECK(v->commit.id == reverted);
  CHECK(h.store->journal("acme", v->zone).size() == 2);
}

TEST_CASE("reconciler coalesces commits to newest") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.commit("Add example.com");
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 4));
  h.repo.commit("Add host3");
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 5));
  std::string newest = h.repo.commit("Add host4");
  h.open();

  CHECK(h.reconciler->run_once(false) == 1);
  CHECK(h.latest("example.com.")->commit.id == newest);
  CHECK(h.store->history("acme", *zone::Name::parse("example.com.")).size() ==
        1);
}

TEST_CASE("reconciler refreshes signatures without commit") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  std::string commit = h.repo.commit("Add example.com");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 1);
  CHECK(h.reconciler->run_once(false) == 0);

  // The default policy signs for 14 days and refreshes 5 days before
  // expiry, with up to 12 hours of jitter.
  h.clock.advance(10 * 86400);
  CHECK(h.reconciler->run_once(false) == 1);

  std::optional<state::Version> v = h.latest("example.com.");
  REQUIRE(v);
  CHECK(v->serial == 2);
  CHECK(v->reason == "refresh");
  CHECK(v->commit.id == commit);
  CHECK(v->signature_expiry > h.clock.now() + 5 * 86400);
}

TEST_CASE("reconciler restores published versions after restart") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.commit("Add example.com");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 1);
  h.close();

  h.open();
  CHECK(h.reconciler->restore() == 1);
  CHECK(h.reconciler->run_once(false) == 0);
  CHECK(h.latest("example.com.")->serial == 1);

  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 4));
  h.repo.commit("Add host3");
  CHECK(h.reconciler->run_once(false) == 1);
  CHECK(h.latest("example.com.")->serial == 2);
}

TEST_CASE("reconciler serves stored zones while keys are unusable") {
  Harness h;
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.commit("Add example.com");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 1);
  h.close();

  // As after a restart with the key folder opened to others: the service
  // starts the tenant without a key store.
  h.open();
  auto keys = h.folder.path() / "keys";
  std::filesystem::permissions(keys, std::filesystem::perms::owner_all |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::group_exec);
  h.reconciler = h.make(h.tenant, false);
  CHECK(h.reconciler->restore() == 1);
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 4));
  std::string rejected = h.repo.commit("Add host3");
  CHECK(h.reconciler->run_once(false) == 0);
  CHECK(h.latest("example.com.")->serial == 1);
  auto rejection = h.store->last_rejection("acme", "example.com.");
  REQUIRE(rejection);
  CHECK(rejection->commit == rejected);
  CHECK(rejection->reason.find("chmod 700") != std::string::npos);

  std::filesystem::permissions(keys, std::filesystem::perms::owner_all);
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 5));
  h.repo.commit("Add host4");
  CHECK(h.reconciler->run_once(false) == 1);
  CHECK(h.latest("example.com.")->serial == 2);
}

TEST_CASE("reconciler reports removed zone file") {
  Harness h({"example.com", "example.net"});
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.write("zones/example.net.yaml", zone_yaml("example.net", 3));
  h.repo.commit("Add two zones");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 2);

  h.repo.remove("zones/example.net.yaml");
  std::string removal = h.repo.commit("Remove example.net");
  CHECK(h.reconciler->run_once(false) == 0);
  CHECK(h.latest("example.net.")->serial == 1);
  auto rejection = h.store->last_rejection("acme", "example.net.");
  REQUIRE(rejection);
  CHECK(rejection->commit == removal);
  CHECK(rejection->location == "zones/example.net.yaml");
  CHECK(rejection->reason ==
        "zone file removed; the last published version keeps serving. To "
        "withdraw the zone, ask the operator to remove example.net. from the "
        "tenant's allowed zones");
  CHECK_FALSE(h.store->last_rejection("acme", "example.com."));
}

TEST_CASE("reconciler withdraws zone no longer allowed") {
  Harness h({"example.com", "example.net"});
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 3));
  h.repo.write("zones/example.net.yaml", zone_yaml("example.net", 3));
  h.repo.commit("Add two zones");
  h.open();
  REQUIRE(h.reconciler->run_once(false) == 2);
  h.close();

  h.tenant.allowed_zones = {"example.com"};
  h.tenants = {h.tenant};
  h.open();
  CHECK(h.reconciler->restore() == 1);
}

TEST_CASE("reconciler rejects zone owned by earlier tenant") {
  Harness h({"example.com", "example.net"});
  model::Tenant first = h.tenant;
  first.name = "first";
  first.allowed_zones = {"example.com"};
  h.tenants.insert(h.tenants.begin(), first);
  h.repo.write("zones/example.com.yaml", zone_yaml("example.com", 1));
  h.repo.write("zones/example.net.yaml", zone_yaml("example.net", 1));
  std::string commit = h.repo.commit("Add two zones");
  h.open();

  CHECK(h.reconciler->run_once(false) == 1);

  CHECK(h.latest("example.net."));
  CHECK_FALSE(h.latest("example.com."));
  std::optional<state::Rejection> r =
      h.store->last_rejection("acme", "example.com.");
  REQUIRE(r);
  CHECK(r->commit == commit);
  CHECK(r->reason == "zone example.com. belongs to tenant first");
}

TEST_CASE("reconciler reports missing repository") {
  Harness h;
  h.tenant.repository = (h.folder.path() / "missing").string();
  h.open();

  CHECK(h.reconciler->run_once(false) == 0);
  CHECK(h.reconciler->loaded());
  CHECK_FALSE(h.reconciler->last_error().empty());
}

TEST_CASE("zone claims go to first tenant") {
  model::Tenant a;
  a.name = "a";
  a.allowed_zones = {"Example.COM", "a.test"};
  model::Tenant b;
  b.name = "b";
  b.allowed_zones = {"example.com.", "b.test"};
  ZoneClaims claims({a, b});

  CHECK(claims.owner("example.com") == "a");
  CHECK(claims.owned_by("b.test.", "b"));
  CHECK(claims.owner("c.test").empty());
  CHECK(claims.lost_by("b") == std::vector<std::string>{"example.com."});
  CHECK(claims.lost_by("a").empty());
}

}  // namespace signet::service
