// A changed zone file loaded with a LoadCache re-parses only its changed
// owner blocks. Random edit sequences of a generated zone file, committed
// to a real Git repository, must load the same with the cache as without:
// zone content, RecordLocations, parsed records and diagnostics.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "git_repository.h"
#include "load_snapshot.h"
#include "repo/git.h"
#include "zone/load.h"
#include "zone/load_cache.h"

namespace signet::zone {
namespace {

using test::GitRepository;
using test::snapshot;
using test::sorted_texts;

const char* const kHead =
    "zone: blocks.example\n"
    "ttl: 1h\n"
    "soa:\n"
    "  primary: ns1.blocks.example.\n"
    "  contact: hostmaster@blocks.example\n"
    "records:\n";

// A zone file as its owner blocks, each the text of one entry of
// `records:` with everything indented below it.
struct ZoneText {
  std::string head = kHead;
  std::vector<std::string> blocks;
  std::string tail;  // after the mapping

  std::string text() const {
    std::string out = head;
    for (const std::string& block : blocks) {
      out += block;
    }
    return out + tail;
  }
};

std::string address(unsigned n) {
  return "10." + std::to_string(n >> 16 & 255) + "." +
         std::to_string(n >> 8 & 255) + "." + std::to_string(n & 255);
}

// One owner block of a few kinds, from `n`.
std::string make_block(unsigned n) {
  std::string owner = "host" + std::to_string(n);
  switch (n % 6) {
    case 0:
      return "  " + owner + ":\n    A: " + address(n) + "\n";
    case 1:
      return "  " + owner + ":\n    A: [" + address(n) + ", " + address(n + 1) +
             "]\n    TXT: \"v=" + std::to_string(n) + "\"\n";
    case 2:
      return "  " + owner + ":\n    MX:\n      ttl: 5m\n      values:\n" +
             "        - 10 mail" + std::to_string(n) + "\n" +
             "        - 20 mail" + std::to_string(n + 1) + "\n";
    case 3:
      return "  " + owner +
             ":  # a comment\n    AAAA: 2001:db8::" + std::to_string(n % 9999) +
             "\n\n";
    case 4:
      return "  " + owner + ":\n    CNAME: host" + std::to_string(n + 1) +
             ".blocks.example.\n";
    default:
      return "  " + owner + ":\n    A: " + address(n) +
             "\n    # a comment between types\n    AAAA: 2001:db8::1\n";
  }
}

ZoneText make_zone(unsigned owners) {
  ZoneText zone;
  zone.blocks.push_back("  '@':\n    NS: [ns1.blocks.example.]\n");
  zone.blocks.push_back("  ns1:\n    A: 192.0.2.1\n");
  for (unsigned i = 0; i < owners; ++i) {
    zone.blocks.push_back(make_block(i));
  }
  return zone;
}

// Applies one random edit: adds, removes, edits, moves or duplicates an
// owner block, breaks one, or writes the same name in another way.
std::string edit(ZoneText& zone, std::mt19937& random, unsigned& next) {
  auto pick = [&random](size_t size) {
    return std::uniform_int_distribution<size_t>(0, size - 1)(random);
  };
  auto at = [&zone](size_t i) {
    return zone.blocks.begin() + static_cast<ptrdiff_t>(i);
  };
  size_t i = pick(zone.blocks.size());
  switch (std::uniform_int_distribution<int>(0, 14)(random)) {
    case 0:
    case 1:
      zone.blocks.insert(at(i), make_block(next++));
      return "add";
    case 2:
      if (zone.blocks.size() > 3) {
        zone.blocks.erase(at(i));
      }
      return "remove";
    case 3:
    case 4:
      zone.blocks[i] =
          "  host" + std::to_string(next) + ":\n    A: " + address(next) + "\n";
      ++next;
      return "edit";
    case 5: {
      std::string block = zone.blocks[i];
      zone.blocks.erase(at(i));
      zone.blocks.insert(at(pick(zone.blocks.size())), block);
      return "move";
    }
    case 6: {
      // The same owner key again, with the same or other records.
      std::string block = zone.blocks[i];
      if (random() % 2 == 0) {
        block = block.substr(0, block.find(':') + 2) + "    TXT: copy\n";
      }
      zone.blocks.insert(at(pick(zone.blocks.size())), block);
      return "duplicate owner";
    }
    case 7: {
      static const char* const kBroken[] = {
          "  broken:\n    A: [192.0.2.1\n",      // not YAML
          "  broken:\n    A: 192.0.2.300\n",     // invalid RDATA
          "  broken:\n",                         // no records
          "  'bad..name':\n    A: 192.0.2.1\n",  // invalid owner name
          "  broken:\n    SOA: x\n",             // not allowed here
      };
      zone.blocks.insert(at(i), kBroken[random() % 5]);
      return "broken block";
    }
    case 8:
      // Fixes what earlier edits broke, and drops anchors and aliases,
      // which turn off the reuse of owner blocks.
      for (size_t j = zone.blocks.size(); j-- > 0;) {
        if (zone.blocks[j].find("broken") != std::string::npos ||
            zone.blocks[j].find("bad..") != std::string::npos ||
            zone.blocks[j].find("anchored") != std::string::npos ||
            zone.blocks[j].find("aliased") != std::string::npos) {
          zone.blocks.erase(at(j));
        }
      }
      return "fix";
    case 9:
      // The name of an existing owner, written as an absolute name.
      if (size_t colon = zone.blocks[i].find(':');
          zone.blocks[i].rfind("  host", 0) == 0) {
        std::string name = zone.blocks[i].substr(2, colon - 2);
        zone.blocks.insert(at(pick(zone.blocks.size())),
                           "  " + name + ".blocks.example.:\n    TXT: \"" +
                               std::to_string(next++) + "\"\n");
      }
      return "same name, other spelling";
    case 10:
      zone.blocks[i] += "  # a comment after the block\n";
      return "comment";
    case 11:
      // An anchor in one block and an alias to it in another.
      zone.blocks.insert(at(i), "  anchored" + std::to_string(next) +
                                    ":\n    A: &a" + std::to_string(next) +
                                    " 192.0.2.7\n");
      zone.blocks.push_back("  aliased" + std::to_string(next) +
                            ":\n    A: *a" + std::to_string(next) + "\n");
      ++next;
      return "anchor and alias";
    case 12:
      // A key after the mapping, whose line moves with every block added
      // or removed.
      zone.tail = zone.tail.empty() ? "policy: default\n" : "";
      return "key after records";
    case 13: {
      // Another first apex NS record, which names the SOA's primary
      // when the file does not.
      for (std::string& block : zone.blocks) {
        if (block.rfind("  '@':", 0) == 0) {
          block = block.find("other") == std::string::npos
                      ? "  '@':\n    NS: [ns.other.example., "
                        "ns1.blocks.example.]\n"
                      : "  '@':\n    NS: [ns1.blocks.example.]\n";
        }
      }
      return "apex NS";
    }
    default: {
      // A TTL that applies to every record, a key that building does not
      // read, no SOA primary (so the first apex NS record is), or the
      // original settings.
      std::string head = kHead;
      switch (random() % 4) {
        case 0:
          zone.head = head.replace(head.find("1h"), 2, "2h");
          break;
        case 1:
          zone.head =
              head.replace(head.find("records:"), 0, "policy: default\n");
          break;
        case 2: {
          size_t primary = head.find("  primary:");
          zone.head =
              head.erase(primary, head.find('\n', primary) + 1 - primary);
          break;
        }
        default:
          zone.head = kHead;
      }
      return "head";
    }
  }
}

// How much of a sequence of loads the cache took from earlier loads.
struct Reuse {
  size_t owners_reused = 0;
  size_t zones_rebuilt = 0;
};

// Loads every commit of `steps` random edits with one cache kept across
// them and without a cache, and checks both agree. With `keep_results`, every
// result loaded with the cache is kept to the end, and must not change
// while later loads reuse what it shares with the cache.
Reuse check_edit_sequence(unsigned owners, int steps, unsigned seed,
                          bool keep_results = false) {
  GitRepository repository;
  model::Tenant tenant;
  tenant.name = "test";
  tenant.allowed_zones = {"blocks.example"};
  LoadCache cache;
  std::mt19937 random(seed);
  ZoneText zone = make_zone(owners);
  unsigned next = owners;
  Reuse reuse;
  std::vector<std::pair<LoadedTenant, std::vector<std::string>>> kept_results;
  for (int step = 0; step <= steps; ++step) {
    std::string change = step == 0 ? "create" : edit(zone, random, next);
    repository.write("zones/blocks.example.yaml", zone.text());
    std::string commit = repository.commit(change);
    repo::Repository opened = repo::Repository::open(repository.path());
    repo::GitSource source(opened, commit);

    model::Diagnostics fresh_diagnostics;
    LoadedTenant fresh = load_tenant(source, fresh_diagnostics, tenant);
    model::Diagnostics cached_diagnostics;
    LoadedTenant cached =
        load_tenant(source, cached_diagnostics, tenant, &cache);
    INFO("seed " << seed << " step " << step << ": " << change);
    REQUIRE(sorted_texts(cached_diagnostics) ==
            sorted_texts(fresh_diagnostics));
    REQUIRE(snapshot(cached) == snapshot(fresh));
    reuse.owners_reused += cache.stats().owners_reused;
    reuse.zones_rebuilt += cache.stats().zones_rebuilt;
    if (keep_results) {
      std::vector<std::string> as_loaded = snapshot(cached);
      kept_results.emplace_back(std::move(cached), std::move(as_loaded));
    }
  }
  for (size_t i = 0; i < kept_results.size(); ++i) {
    INFO("seed " << seed << " kept result of step " << i);
    CHECK(snapshot(kept_results[i].first) == kept_results[i].second);
  }
  return reuse;
}

TEST_CASE("owner blocks match fresh load", "[load_cache]") {
  for (unsigned seed : {1u, 2u, 3u, 4u}) {
    INFO("seed " << seed);
    Reuse reuse = check_edit_sequence(120, 40, seed);
    CHECK(reuse.owners_reused > 0);
    CHECK(reuse.zones_rebuilt > 0);
  }
}

TEST_CASE("results kept by caller stay unchanged", "[load_cache]") {
  for (unsigned seed : {5u, 6u}) {
    Reuse reuse = check_edit_sequence(60, 25, seed, true);
    CHECK(reuse.owners_reused > 0);
  }
}

// Over 256 KiB, so the records are parsed in several parts, and reused
// blocks split those parts.
TEST_CASE("owner blocks match in a large file", "[load_cache]") {
  Reuse reuse = check_edit_sequence(6000, 6, 7);
  CHECK(reuse.owners_reused > 0);
  CHECK(reuse.zones_rebuilt > 0);
}

TEST_CASE("unchanged owner blocks are not parsed", "[load_cache]") {
  GitRepository repository;
  model::Tenant tenant;
  tenant.name = "test";
  tenant.allowed_zones = {"blocks.example"};
  LoadCache cache;
  ZoneText zone = make_zone(100);
  repository.write("zones/blocks.example.yaml", zone.text());
  std::string first = repository.commit("create");
  repo::Repository opened = repo::Repository::open(repository.path());
  model::Diagnostics diagnostics;
  load_tenant(repo::GitSource(opened, first), diagnostics, tenant, &cache);
  CHECK(cache.stats().owners_reused == 0);

  // One block added in the middle and one moved: 103 blocks, one new.
  zone.blocks.insert(zone.blocks.begin() + 50, "  added:\n    A: 192.0.2.50\n");
  std::string moved = zone.blocks[10];
  zone.blocks.erase(zone.blocks.begin() + 10);
  zone.blocks.push_back(moved);
  repository.write("zones/blocks.example.yaml", zone.text());
  std::string second = repository.commit("add and move");
  load_tenant(repo::GitSource(opened, second), diagnostics, tenant, &cache);
  CHECK(cache.stats().files_loaded == 1);
  CHECK(cache.stats().owners_parsed == 1);
  CHECK(cache.stats().owners_reused == 102);
  CHECK(cache.stats().zones_rebuilt == 1);

  // A changed setting outside `records:` still reuses owner blocks, since
  // the head is parsed again on its own.
  std::string head = kHead;
  zone.head = head.replace(head.find("1h"), 2, "2h");
  repository.write("zones/blocks.example.yaml", zone.text());
  std::string third = repository.commit("change ttl");
  model::Diagnostics third_diagnostics;
  LoadedTenant loaded = load_tenant(repo::GitSource(opened, third),
                                    third_diagnostics, tenant, &cache);
  CHECK(cache.stats().owners_parsed == 0);
  CHECK(cache.stats().zones_rebuilt == 0);  // the TTL applies to all
  REQUIRE(loaded.zones.size() == 1);
  CHECK(loaded.zones.front().file->ttl == 7200);

  // A key that building does not read moves every owner down one line,
  // and the zone is still built from the previous one.
  zone.head.replace(zone.head.find("records:"), 0, "policy: default\n");
  repository.write("zones/blocks.example.yaml", zone.text());
  std::string fourth = repository.commit("name the policy");
  model::Diagnostics fourth_diagnostics;
  load_tenant(repo::GitSource(opened, fourth), fourth_diagnostics, tenant,
              &cache);
  CHECK(cache.stats().owners_parsed == 0);
  CHECK(cache.stats().zones_rebuilt == 1);
}

TEST_CASE("apex NS change renames SOA primary", "[load_cache]") {
  // Without `primary:`, the SOA's primary is the first apex NS record.
  std::string head = kHead;
  size_t primary = head.find("  primary:");
  head.erase(primary, head.find('\n', primary) + 1 - primary);
  ZoneText zone = make_zone(20);
  zone.head = head;

  GitRepository repository;
  model::Tenant tenant;
  tenant.name = "test";
  tenant.allowed_zones = {"blocks.example"};
  LoadCache cache;
  repo::Repository opened = repo::Repository::open(repository.path());
  for (const char* apex : {"  '@':\n    NS: [ns1.blocks.example.]\n",
                           "  '@':\n    NS: [ns.other.example.]\n"}) {
    zone.blocks.front() = apex;
    repository.write("zones/blocks.example.yaml", zone.text());
    repo::GitSource source(opened, repository.commit("apex NS"));
    model::Diagnostics fresh_diagnostics;
    LoadedTenant fresh = load_tenant(source, fresh_diagnostics, tenant);
    model::Diagnostics cached_diagnostics;
    LoadedTenant cached =
        load_tenant(source, cached_diagnostics, tenant, &cache);
    REQUIRE(sorted_texts(cached_diagnostics) ==
            sorted_texts(fresh_diagnostics));
    CHECK(snapshot(cached) == snapshot(fresh));
  }
  CHECK(cache.stats().owners_reused == 21);
  REQUIRE(cache.stats().files_loaded == 1);
}

}  // namespace
}  // namespace signet::zone
