// Loads with a LoadCache kept across the commits of a real Git repository
// must equal loads without it: same zones, same diagnostics.
#include "zone/load_cache.h"

#include <catch2/catch.hpp>
#include <string>

#include "git_repository.h"
#include "load_snapshot.h"
#include "repo/git.h"
#include "zone/load.h"

namespace signet::zone {
namespace {

using test::GitRepository;
using test::snapshot;
using test::sorted_texts;

// Loads `commit` with `cache` and without, and checks both give the same
// zones and diagnostics. Returns the diagnostics.
std::vector<std::string> load_both(const GitRepository& repository,
                                   const std::string& commit,
                                   const model::Tenant& tenant,
                                   LoadCache& cache) {
  repo::Repository opened = repo::Repository::open(repository.path());
  repo::GitSource source(opened, commit);
  model::Diagnostics fresh_diagnostics;
  LoadedTenant fresh = load_tenant(source, fresh_diagnostics, tenant);
  model::Diagnostics cached_diagnostics;
  LoadedTenant cached = load_tenant(source, cached_diagnostics, tenant, &cache);
  CHECK(sorted_texts(cached_diagnostics) == sorted_texts(fresh_diagnostics));
  CHECK(snapshot(cached) == snapshot(fresh));
  return sorted_texts(fresh_diagnostics);
}

model::Tenant test_tenant() {
  model::Tenant tenant;
  tenant.name = "test";
  tenant.allowed_zones = {"a.example", "b.example", "c.example", "d.example"};
  return tenant;
}

const char* const kSecondaries =
    "secondaries:\n"
    "  ns1:\n"
    "    address: 127.0.0.1\n"
    "  ns2:\n"
    "    address: 127.0.0.2\n";

const char* const kZoneA =
    "zone: a.example\n"
    "policy: fast\n"
    "secondaries: [ns1, ns2]\n"
    "records:\n"
    "  '@':\n"
    "    NS: [ns1.a.example.]\n"
    "  ns1:\n"
    "    A: 192.0.2.1\n"
    "  www:\n"
    "    A: [192.0.2.2, 192.0.2.2]\n";  // a duplicate: a warning

const char* const kZoneB =
    "zone: b.example\n"
    "records:\n"
    "  '@':\n"
    "    NS: [ns1.b.example.]\n"
    "  ns1:\n"
    "    A: 192.0.2.1\n";

const char* const kZoneC =
    "zone: c.example\n"
    "secondaries: ns2\n"
    "soa:\n"
    "  refresh: 2w\n"  // not below expire: a warning
    "records:\n"
    "  '@':\n"
    "    NS: [ns1.c.example.]\n"
    "  ns1:\n"
    "    A: 192.0.2.1\n";

const char* const kZoneD =
    "zone: d.example\n"
    "policy: plain\n"
    "records:\n"
    "  '@':\n"
    "    NS: [ns1.d.example.]\n"
    "    CDS: 12345 13 2 "
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "  ns1:\n"
    "    A: 192.0.2.1\n";

TEST_CASE("load cache equals fresh load across commits", "[load_cache]") {
  GitRepository repository;
  model::Tenant tenant = test_tenant();
  LoadCache cache;

  repository.write("secondaries.yaml", kSecondaries);
  repository.write("policies/fast.yaml", "cds: false\n");
  repository.write("policies/plain.yaml", "cds: false\n");
  repository.write("zones/a.example.yaml", kZoneA);
  repository.write("zones/b.example.yaml", kZoneB);
  repository.write("zones/c.example.yaml", kZoneC);
  repository.write("zones/d.example.yaml", kZoneD);
  std::string first = repository.commit("Add four zones");
  std::vector<std::string> messages =
      load_both(repository, first, tenant, cache);
  CHECK(messages.size() == 4);  // warnings only
  CHECK(cache.stats().files_loaded == 4);
  CHECK(cache.stats().files_reused == 0);
  CHECK(cache.size() == 4);

  SECTION("same commit again reuses every file") {
    messages = load_both(repository, first, tenant, cache);
    CHECK(messages.size() == 4);
    CHECK(cache.stats().files_reused == 4);
    CHECK(cache.stats().files_loaded == 0);
  }

  SECTION("edited file is loaded, the others reused") {
    repository.write("zones/b.example.yaml",
                     std::string(kZoneB) + "  www:\n    A: 192.0.2.9\n");
    std::string edited = repository.commit("Add www to b.example");
    load_both(repository, edited, tenant, cache);
    CHECK(cache.stats().files_loaded == 1);
    CHECK(cache.stats().files_reused == 3);
  }

  SECTION("secondary removed breaks a cached zone's reference") {
    repository.write("secondaries.yaml",
                     "secondaries:\n  ns1:\n    address: 127.0.0.1\n");
    std::string edited = repository.commit("Remove ns2");
    messages = load_both(repository, edited, tenant, cache);
    CHECK(cache.stats().files_reused == 4);
    CHECK(messages ==
          std::vector<std::string>{
              "secondaries.yaml:2:3: warning: secondary 'ns1' has no "
              "tsig_key, so its transfers are authorized by address alone; "
              "add a TSIG key",
              "zones/a.example.yaml:3:20: error: secondary 'ns2' is not "
              "defined in secondaries.yaml; defined secondaries are ns1",
              "zones/a.example.yaml:10:20: warning: duplicate A record "
              "'192.0.2.2' at www.a.example.; it is published once, remove "
              "the copy",
              "zones/c.example.yaml:2:14: error: secondary 'ns2' is not "
              "defined in secondaries.yaml; defined secondaries are ns1",
              "zones/c.example.yaml:3:1: warning: soa expire (1209600) is "
              "not above refresh (1209600), so secondaries may drop the zone "
              "between refreshes; raise expire"});
  }

  SECTION("renamed policy is reported for a cached zone") {
    repository.remove("policies/fast.yaml");
    repository.write("policies/quick.yaml", "cds: false\n");
    std::string renamed = repository.commit("Rename fast to quick");
    messages = load_both(repository, renamed, tenant, cache);
    CHECK(cache.stats().files_reused == 4);
    CHECK(std::count(messages.begin(), messages.end(),
                     "zones/a.example.yaml:2:9: error: policy 'fast' is not "
                     "defined; add policies/fast.yaml or use one of default, "
                     "plain and quick") == 1);

    // Renaming the reference as well loads a.example again.
    std::string text = kZoneA;
    text.replace(text.find("fast"), 4, "quick");
    repository.write("zones/a.example.yaml", text);
    std::string fixed = repository.commit("Use quick in a.example");
    messages = load_both(repository, fixed, tenant, cache);
    CHECK(messages.size() == 4);
    CHECK(cache.stats().files_loaded == 1);
  }

  SECTION("policy publishing CDS rejects a cached zone's CDS") {
    repository.write("policies/plain.yaml", "cds: true\n");
    std::string edited = repository.commit("Publish CDS under plain");
    messages = load_both(repository, edited, tenant, cache);
    CHECK(cache.stats().files_loaded == 1);
    CHECK(cache.stats().files_reused == 3);
    CHECK(std::count(messages.begin(), messages.end(),
                     "zones/d.example.yaml:6:5: error: type CDS is published "
                     "by policy 'plain' (cds: true); remove it from the zone "
                     "file or set 'cds: false' in the policy") == 1);
  }

  SECTION("deleted file leaves the cache") {
    repository.remove("zones/c.example.yaml");
    std::string deleted = repository.commit("Remove c.example");
    messages = load_both(repository, deleted, tenant, cache);
    CHECK(cache.size() == 3);
    CHECK(cache.stats().files_reused == 3);
    CHECK(messages.size() == 3);
  }

  SECTION("file with errors is loaded again each time") {
    repository.write("zones/b.example.yaml",
                     std::string(kZoneB) + "  www:\n    A: 192.0.2.300\n");
    std::string broken = repository.commit("Break b.example");
    messages = load_both(repository, broken, tenant, cache);
    CHECK(cache.stats().files_loaded == 1);
    messages = load_both(repository, broken, tenant, cache);
    CHECK(cache.stats().files_loaded == 1);
    CHECK(cache.stats().files_reused == 3);
    CHECK(std::count(messages.begin(), messages.end(),
                     "zones/b.example.yaml:8:8: error: A address "
                     "'192.0.2.300' is not a valid IPv4 address (write four "
                     "numbers 0-255 separated by dots, e.g. 192.0.2.1)") == 1);

    // The rejected commit left b.example's last good result in the cache,
    // so reverting the file reuses it.
    repository.write("zones/b.example.yaml", kZoneB);
    std::string reverted = repository.commit("Revert b.example");
    load_both(repository, reverted, tenant, cache);
    CHECK(cache.stats().files_reused == 4);
  }

  SECTION("zone claimed twice and a name mismatch") {
    repository.write("zones/e.example.yaml", kZoneB);
    std::string copied = repository.commit("Copy b.example to e.example");
    messages = load_both(repository, copied, tenant, cache);
    CHECK(cache.stats().files_reused == 4);
    CHECK(std::count(messages.begin(), messages.end(),
                     "zones/e.example.yaml:1:7: error: zone b.example. is "
                     "also defined in zones/b.example.yaml; keep one file "
                     "per zone") == 1);
    // The same contents again: e.example.yaml now comes from the cache.
    std::string again = repository.commit("Touch nothing");
    std::vector<std::string> second =
        load_both(repository, again, tenant, cache);
    CHECK(second == messages);
    CHECK(cache.stats().files_reused == 5);
  }
}

TEST_CASE("changes to a loaded zone spare the cache", "[load_cache]") {
  GitRepository repository;
  model::Tenant tenant = test_tenant();
  LoadCache cache;
  repository.write("zones/b.example.yaml", kZoneB);
  std::string first = repository.commit("Add b.example");
  load_both(repository, first, tenant, cache);

  // The reconciler sets the serial of the zone it gets, and signs it.
  repo::Repository opened = repo::Repository::open(repository.path());
  repo::GitSource source(opened, first);
  model::Diagnostics diagnostics;
  LoadedTenant loaded = load_tenant(source, diagnostics, tenant, &cache);
  CHECK(cache.stats().files_reused == 1);
  REQUIRE(loaded.zones.size() == 1);
  Zone& zone = loaded.zones.front().zone;
  zone.set_serial(42);
  std::optional<Name> added = Name::parse("added.b.example.");
  REQUIRE(added);
  zone.insert(Rr{*added, rrtype::A, 60, std::string("\xc0\x00\x02\x07", 4)});

  load_both(repository, first, tenant, cache);
  CHECK(cache.stats().files_reused == 1);
}

TEST_CASE("git source gives blob ids as content ids", "[load_cache]") {
  GitRepository repository;
  repository.write("tenant/zones/a.example.yaml", kZoneA);
  repository.write("tenant/zones/b.example.yaml", kZoneA);
  std::string first = repository.commit("Add two equal files");
  repository.write("tenant/zones/b.example.yaml", kZoneB);
  std::string second = repository.commit("Change one");

  repo::Repository opened = repo::Repository::open(repository.path());
  repo::GitSource before(opened, first, "tenant");
  repo::GitSource after(opened, second, "tenant");
  std::optional<std::string> a1 = before.content_id("zones/a.example.yaml");
  std::optional<std::string> b1 = before.content_id("zones/b.example.yaml");
  std::optional<std::string> a2 = after.content_id("zones/a.example.yaml");
  std::optional<std::string> b2 = after.content_id("zones/b.example.yaml");
  REQUIRE(a1);
  REQUIRE(b1);
  REQUIRE(a2);
  REQUIRE(b2);
  CHECK(a1->size() == 40);
  CHECK(*a1 == *b1);
  CHECK(*a1 == *a2);
  CHECK(*b1 != *b2);
  CHECK_FALSE(after.content_id("zones/missing.yaml"));
  CHECK_FALSE(after.content_id("zones"));

  model::FolderSource folder(repository.path());
  CHECK_FALSE(folder.content_id("tenant/zones/a.example.yaml"));
}

}  // namespace
}  // namespace signet::zone
