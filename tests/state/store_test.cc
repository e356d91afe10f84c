#include "state/store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "state/codec.h"
#include "test_zones.h"

namespace signet::state {
namespace {

using testing::make_rr;
using testing::make_zone;
using testing::records;

// A fresh state folder under the system temp folder, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "signet-state-XXXXXX")
            .string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const zone::Name kOrigin = *zone::Name::parse("example.test.");

CommitInfo commit_for(uint32_t serial) {
  return {"c0ffee" + std::to_string(serial), "Ada <ada@example.test>",
          1700000000 + serial, "change " + std::to_string(serial)};
}

// Publishes make_zone(serial, hosts) with the diff from `previous`.
Version publish(Store& store, const zone::Zone* previous, uint32_t serial,
                int hosts, zone::Zone* out = nullptr) {
  zone::Zone next = make_zone(serial, hosts);
  zone::ZoneDiff diff;
  PublishRequest request{"acme", &next, nullptr, commit_for(serial)};
  if (previous != nullptr) {
    diff = zone::diff_zones(*previous, next);
    request.diff = &diff;
  }
  Version v = store.record_publish(request);
  if (out != nullptr) {
    *out = std::move(next);
  }
  return v;
}

TEST_CASE("store records and reads versions", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);

  zone::Zone v1(kOrigin), v2(kOrigin), v3(kOrigin);
  publish(store, nullptr, 10, 2, &v1);
  clock.advance(60);
  publish(store, &v1, 11, 3, &v2);
  clock.advance(60);
  Version last = publish(store, &v2, 12, 1, &v3);

  CHECK(last.serial == 12);
  CHECK(last.publish_time == 1800000120);
  std::optional<Version> latest = store.latest_version("acme", kOrigin);
  REQUIRE(latest);
  CHECK(latest->serial == 12);
  CHECK(latest->commit.id == "c0ffee12");
  CHECK(latest->commit.author == "Ada <ada@example.test>");
  CHECK(latest->commit.message == "change 12");
  CHECK(latest->has_diff);

  std::vector<Version> history = store.history("acme", kOrigin);
  REQUIRE(history.size() == 3);
  CHECK(history[0].serial == 12);
  CHECK(history[2].serial == 10);
  CHECK_FALSE(history[2].has_diff);
  CHECK(store.history("acme", kOrigin, 1).size() == 1);
  CHECK(store.history("other", kOrigin).empty());

  std::shared_ptr<zone::Zone> snapshot = store.zone_snapshot("acme", kOrigin);
  REQUIRE(snapshot);
  CHECK(records(*snapshot) == records(v3));
  CHECK(store.zone_snapshot("other", kOrigin) == nullptr);
}

TEST_CASE("store journal chains from a serial", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);
  zone::Zone v1(kOrigin), v2(kOrigin), v3(kOrigin);
  publish(store, nullptr, 10, 2, &v1);
  publish(store, &v1, 11, 3, &v2);
  publish(store, &v2, 12, 1, &v3);

  std::optional<std::vector<zone::ZoneDiff>> from10 =
      store.journal_from("acme", kOrigin, 10);
  REQUIRE(from10);
  REQUIRE(from10->size() == 2);
  CHECK((*from10)[0].from_serial == 10);
  CHECK((*from10)[0].to_serial == 11);
  CHECK((*from10)[1].to_serial == 12);
  CHECK((*from10)[0].added.size() == 2);    // new SOA and host2
  CHECK((*from10)[1].removed.size() == 3);  // old SOA, host1, host2

  std::optional<std::vector<zone::ZoneDiff>> from12 =
      store.journal_from("acme", kOrigin, 12);
  REQUIRE(from12);
  CHECK(from12->empty());
  CHECK_FALSE(store.journal_from("acme", kOrigin, 9));

  std::optional<zone::ZoneDiff> to11 = store.diff_to("acme", kOrigin, 11);
  REQUIRE(to11);
  CHECK(to11->from_serial == 10);
  CHECK_FALSE(store.diff_to("acme", kOrigin, 10));
}

TEST_CASE("store rejects serial regression", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);
  zone::Zone v1(kOrigin);
  publish(store, nullptr, 10, 2, &v1);

  zone::Zone older = make_zone(9, 3);
  PublishRequest request{"acme", &older, nullptr, commit_for(9)};
  CHECK_THROWS_WITH(
      store.record_publish(request),
      "zone example.test. of tenant acme: serial 9 is not greater than the "
      "published serial 10");
  zone::Zone same = make_zone(10, 3);
  request.signed_zone = &same;
  CHECK_THROWS_AS(store.record_publish(request), StoreError);

  CHECK(store.history("acme", kOrigin).size() == 1);
  CHECK(store.audit_log().size() == 1);
  CHECK(records(*store.zone_snapshot("acme", kOrigin)) == records(v1));
}

TEST_CASE("store rejects diff from another serial", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);
  zone::Zone v1(kOrigin);
  publish(store, nullptr, 10, 2, &v1);
  zone::Zone v2 = make_zone(12, 2);
  zone::ZoneDiff diff = zone::diff_zones(make_zone(11, 2), v2);
  PublishRequest request{"acme", &v2, &diff, commit_for(12)};
  CHECK_THROWS_WITH(store.record_publish(request),
                    "zone example.test. of tenant acme: diff goes from serial "
                    "11 to 12, expected 10 to 12");
  CHECK(store.history("acme", kOrigin).size() == 1);
}

TEST_CASE("store publish without diff restarts journal", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);
  zone::Zone v1(kOrigin), v2(kOrigin);
  publish(store, nullptr, 10, 2, &v1);
  publish(store, &v1, 11, 3, &v2);
  publish(store, nullptr, 12, 5);

  CHECK(store.journal("acme", kOrigin).empty());
  CHECK_FALSE(store.journal_from("acme", kOrigin, 10));
  CHECK(records(*store.zone_snapshot("acme", kOrigin)) ==
        records(make_zone(12, 5)));
}

TEST_CASE("store prunes journal to depth", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock, StoreOptions{.journal_depth = 3});
  // A large zone with one-record changes, so the snapshot is written only
  // once and every diff since stays needed for zone_snapshot().
  zone::Zone previous = make_zone(1, 200);
  publish(store, nullptr, 1, 200);
  for (uint32_t serial = 2; serial <= 8; ++serial) {
    zone::Zone next(kOrigin);
    publish(store, &previous, serial, 200 + serial, &next);
    previous = std::move(next);
  }
  // Diffs newer than the snapshot are kept beyond the depth...
  CHECK(store.history("acme", kOrigin)[6].has_diff);
  CHECK(records(*store.zone_snapshot("acme", kOrigin)) == records(previous));
  // ...but the journal offered to IXFR stops at the depth.
  std::vector<zone::ZoneDiff> journal = store.journal("acme", kOrigin);
  REQUIRE(journal.size() == 3);
  CHECK(journal.front().from_serial == 5);
  CHECK(journal.back().to_serial == 8);

  // A full rewrite (no diff) resets the snapshot; older diffs then go.
  publish(store, nullptr, 9, 3);
  for (uint32_t serial = 10; serial <= 14; ++serial) {
    zone::Zone before = make_zone(serial - 1, 3 + (serial - 1) % 2);
    publish(store, &before, serial, 3 + serial % 2);
  }
  std::vector<Version> history = store.history("acme", kOrigin);
  int with_diff = 0;
  for (const Version& v : history) {
    with_diff += v.has_diff ? 1 : 0;
  }
  CHECK(with_diff == 3);
  CHECK(records(*store.zone_snapshot("acme", kOrigin)) ==
        records(make_zone(14, 3)));
}

TEST_CASE("store survives reopen", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  zone::Zone v2(kOrigin);
  {
    Store store(dir.path(), clock);
    zone::Zone v1(kOrigin);
    publish(store, nullptr, 10, 2, &v1);
    publish(store, &v1, 11, 3, &v2);
  }
  Store reopened(dir.path(), clock);
  CHECK(reopened.latest_version("acme", kOrigin)->serial == 11);
  CHECK(records(*reopened.zone_snapshot("acme", kOrigin)) == records(v2));
  CHECK(std::filesystem::status(dir.path()).permissions() ==
        std::filesystem::perms::owner_all);
}

TEST_CASE("store records rejections in status", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);
  publish(store, nullptr, 10, 2);
  store.record_rejection({"acme", "example.test.", "bad1",
                          "zones/example.test.yaml:4:3",
                          "TTL is not a number"});
  store.record_rejection({"acme", "example.test.", "bad2",
                          "zones/example.test.yaml:9:1",
                          "CNAME and other data"});
  store.record_rejection({"beta", "", "bad3", "", "repository not found"});
  store.record_rejection(
      {"beta", "new.test.", "bad4", "zones/new.test.yaml", "missing SOA"});

  std::optional<Rejection> last = store.last_rejection("acme", "example.test.");
  REQUIRE(last);
  CHECK(last->commit == "bad2");
  CHECK(last->reason == "CNAME and other data");
  CHECK(last->time == 1800000000);

  StatusSnapshot status = store.status();
  REQUIRE(status.zones.size() == 2);
  CHECK(status.zones[0].tenant == "acme");
  REQUIRE(status.zones[0].published);
  CHECK(status.zones[0].published->serial == 10);
  CHECK(status.zones[0].last_rejection->commit == "bad2");
  CHECK(status.zones[1].tenant == "beta");
  CHECK_FALSE(status.zones[1].published);
  CHECK(status.zones[1].last_rejection->reason == "missing SOA");
  REQUIRE(status.tenant_rejections.size() == 1);
  CHECK(status.tenant_rejections[0].reason == "repository not found");
  CHECK(store.published_zones().size() == 1);

  std::vector<AuditEntry> audit = store.audit_log();
  REQUIRE(audit.size() == 5);
  CHECK(audit[0].event == "rejection");
  CHECK(audit[0].detail == "zones/new.test.yaml: missing SOA");
  CHECK(audit[4].event == "publish");
  CHECK(audit[4].serial == 10u);
  CHECK(audit[4].commit == "c0ffee10");
}

TEST_CASE("store drops tenant rejection after publish", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);
  zone::Zone v1(kOrigin);
  publish(store, nullptr, 10, 2, &v1);
  clock.advance(60);
  store.record_rejection({"acme", "", "bad", "secondaries.yaml:2:1", "bad"});
  REQUIRE(store.status().tenant_rejections.size() == 1);

  clock.advance(60);
  publish(store, &v1, 11, 3);
  CHECK(store.status().tenant_rejections.empty());
  REQUIRE(store.last_rejection("acme", ""));
  CHECK(store.last_rejection("acme", "")->commit == "bad");
}

TEST_CASE("store keeps key and secondary states", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  Store store(dir.path(), clock);
  store.record_key_state(
      {"acme", kOrigin, "k1", "published", {{"published", 1800000000}}},
      "rollover started");
  store.record_key_state({"acme",
                          kOrigin,
                          "k1",
                          "active",
                          {{"published", 1800000000}, {"active", 1800003600}}},
                         "");
  std::vector<KeyState> keys = store.key_states("acme", kOrigin);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].state == "active");
  CHECK(keys[0].times.at("active") == 1800003600);
  CHECK(keys[0].times.size() == 2);
  CHECK(store.audit_log(1)[0].detail == "key k1 active");

  SecondaryState bind{"acme",     kOrigin,    "bind", 10u,
                      1800000010, 1800000011, true};
  store.record_secondary_state(bind);
  bind.serial_served = 11u;
  store.record_secondary_state(bind);
  store.record_secondary_state(
      {"acme", kOrigin, "knot", std::nullopt, 0, 0, false});
  std::vector<SecondaryState> secondaries =
      store.secondary_states("acme", kOrigin);
  REQUIRE(secondaries.size() == 2);
  CHECK(secondaries[0].secondary == "bind");
  CHECK(secondaries[0].serial_served == 11u);
  CHECK(secondaries[0].in_sync);
  CHECK_FALSE(secondaries[1].serial_served);
  CHECK_FALSE(secondaries[1].in_sync);
}

TEST_CASE("store opens read-only beside a writer", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  CHECK_THROWS_AS(Store(dir.path(), clock, StoreOptions{.read_only = true}),
                  StoreError);
  Store writer(dir.path(), clock);
  publish(writer, nullptr, 10, 2);
  Store reader(dir.path(), clock, StoreOptions{.read_only = true});
  CHECK(reader.latest_version("acme", kOrigin)->serial == 10);
  zone::Zone v1 = make_zone(10, 2);
  publish(writer, &v1, 11, 2);
  CHECK(reader.latest_version("acme", kOrigin)->serial == 11);
  CHECK_THROWS_AS(reader.record_rejection({"acme", "", "x", "", "y"}),
                  StoreError);
}

TEST_CASE("store refuses a second writer", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  {
    Store writer(dir.path(), clock);
    CHECK_THROWS_WITH(
        Store(dir.path(), clock),
        "state folder " + dir.path() +
            " is in use by another signet process; stop it, or give this "
            "one its own state_dir");
    Store reader(dir.path(), clock, StoreOptions{.read_only = true});
    CHECK_FALSE(reader.latest_version("acme", kOrigin).has_value());
  }
  // Closing the writer releases the folder.
  Store next(dir.path(), clock);
  CHECK_FALSE(next.latest_version("acme", kOrigin).has_value());
}

TEST_CASE("store refuses a newer schema", "[state]") {
  TempDir dir;
  ManualClock clock(1800000000);
  { Store store(dir.path(), clock); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path() + "/signet.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 0)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_WITH(Store(dir.path(), clock),
                    Catch::Contains("has schema version 999, newer than this "
                                    "signet (1); upgrade signet"));
}

TEST_CASE("codec round-trips zones and diffs", "[state]") {
  zone::Zone v1 = make_zone(1, 5);
  zone::Zone v2 = make_zone(2, 7);
  std::optional<zone::Zone> decoded = decode_zone(encode_zone(v2), kOrigin);
  REQUIRE(decoded);
  CHECK(records(*decoded) == records(v2));

  zone::ZoneDiff diff = zone::diff_zones(v1, v2);
  std::optional<zone::ZoneDiff> back = decode_diff(encode_diff(diff));
  REQUIRE(back);
  CHECK(back->from_serial == 1);
  CHECK(back->to_serial == 2);
  CHECK(back->removed == diff.removed);
  CHECK(back->added == diff.added);

  std::string truncated = encode_zone(v2);
  truncated.pop_back();
  CHECK_FALSE(decode_zone(truncated, kOrigin));
  CHECK_FALSE(decode_diff("\x00\x00"));
}

TEST_CASE("earliest RRSIG expiration", "[state]") {
  zone::Zone z = make_zone(1, 1);
  CHECK(earliest_rrsig_expiration(z, 1800000000) == 0);
  // RRSIG A 13 3 300 expiration inception tag signer signature
  z.insert(make_rr("@", zone::rrtype::RRSIG,
                   "NS 13 2 300 20270101000000 20261201000000 1 example.test. "
                   "AAAA"));
  z.insert(make_rr("ns1", zone::rrtype::RRSIG,
                   "A 13 3 300 20261220000000 20261201000000 1 example.test. "
                   "AAAA"));
  CHECK(earliest_rrsig_expiration(z, 1796342400) == 1797724800);
}

}  // namespace
}  // namespace signet::state
