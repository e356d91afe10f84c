// The reconciler's durable state in one SQLite file: published versions
// with their IXFR journal, the last signed zone, rejections, key states,
// secondary status and an audit log.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/clock.h"
#include "zone/diff.h"
#include "zone/name.h"
#include "zone/zone.h"

struct sqlite3;

namespace signet::state {

// Raised for every SQLite failure (open, schema, I/O, constraint), for
// corrupt stored data, and for a publish that would regress the serial.
// The message names the database file or the tenant and zone.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The Git commit a version was built from. A version made without a new
// commit, such as a signature refresh, carries the previous commit.
struct CommitInfo {
  std::string id;  // full hex object id
  std::string author;
  UnixTime time = 0;  // author time
  std::string message;
};

// One published version of a zone.
struct Version {
  std::string tenant;
  zone::Name zone;
  uint32_t serial = 0;
  CommitInfo commit;
  UnixTime publish_time = 0;
  UnixTime signature_expiry = 0;  // earliest RRSIG expiration; 0 if unknown
  std::string reason;             // "commit", "refresh", "key change", ...
  bool has_diff = false;          // the journal still contains its diff
};

// The input of record_publish(). `signed_zone` is the complete signed zone;
// its SOA serial is the version's serial. `diff` is the change from the
// previously published version (RFC 1995 order), or null for the first
// version of a zone. A null diff on a later version clears the zone's
// journal, because IXFR can then start only at this version.
struct PublishRequest {
  std::string tenant;
  const zone::Zone* signed_zone = nullptr;
  const zone::ZoneDiff* diff = nullptr;
  CommitInfo commit;
  UnixTime signature_expiry = 0;
  std::string reason = "commit";
};

// A commit the reconciler did not publish, and why.
struct Rejection {
  std::string tenant;
  std::string zone;  // absolute zone name, or empty for the whole tenant
  std::string commit;
  std::string location;  // "file:line:col" of the first error, if any
  std::string reason;
  UnixTime time = 0;
};

// Lifecycle state of one DNSSEC key, as the key scheduler tracks it. The
// store treats `state` and the timing names as opaque strings.
struct KeyState {
  std::string tenant;
  zone::Name zone;
  std::string key_id;  // the key store's identifier for the key
  std::string state;
  std::map<std::string, UnixTime> times;  // e.g. "published", "active"
};

// How far one secondary has followed a zone, as the transfer layer sees it.
struct SecondaryState {
  std::string tenant;
  zone::Name zone;
  std::string secondary;                  // the name from secondaries.yaml
  std::optional<uint32_t> serial_served;  // last serial it transferred
  UnixTime last_notify_ack = 0;           // 0 when never acknowledged
  UnixTime last_transfer = 0;             // 0 when it never transferred
  bool in_sync = false;
};

struct AuditEntry {
  int64_t id = 0;
  UnixTime time = 0;
  std::string event;  // "publish", "rejection", "key change"
  std::string tenant;
  std::string zone;  // empty when the event is about the whole tenant
  std::optional<uint32_t> serial;
  std::string commit;
  std::string detail;
};

// Everything `signet status` shows about one zone.
struct ZoneStatus {
  std::string tenant;
  zone::Name zone;
  std::optional<Version> published;
  std::optional<Rejection> last_rejection;
  std::vector<SecondaryState> secondaries;
};

struct StatusSnapshot {
  std::vector<ZoneStatus> zones;  // by tenant, then zone name
  // Rejections that concern a whole tenant (no zone), newest per tenant,
  // left out once a version of the tenant was published after them.
  std::vector<Rejection> tenant_rejections;
};

struct StoreOptions {
  int journal_depth = 100;  // diffs kept per zone, newest first
  bool read_only = false;   // for `signet status` while `signet run` runs
  int busy_timeout_ms = 5000;
};

// The state database. Every method is one SQLite transaction, so after a
// crash at any point the file holds either all of a change or none of it.
// The last signed zone is kept inside the database (a BLOB of wire records
// plus the diffs published after it) rather than in a file beside it, so it
// commits in the same transaction as its version row and can never
// disagree with it after a crash.
// One Store may be used from many threads; calls are serialized by an
// internal mutex. Several processes may open the same file (WAL mode);
// writers wait up to `busy_timeout_ms` for each other.
class Store {
 public:
  // Opens or creates `<state_dir>/signet.db` (creating the folder with mode
  // 0700) and migrates its schema to the current version. A read-only store
  // requires an existing file and never changes it. A writable store holds
  // an exclusive lock on the folder while it is open, so a second writer
  // process gets a StoreError. Throws StoreError.
  Store(const std::string& state_dir, const Clock& clock,
        StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Path of the database file.
  const std::string& path() const;

  // Records a published version atomically: the version row, its journal
  // diff, the zone snapshot that zone_snapshot() rebuilds, and an audit
  // entry. Prunes the journal to the configured depth. Throws StoreError
  // when the serial is not greater than the zone's last published one
  // (RFC 1982) or on any database failure; then nothing is recorded.
  Version record_publish(const PublishRequest& request);

  // Records a rejection and its audit entry.
  void record_rejection(const Rejection& rejection);

  // Stores a key's state (replacing the previous row for the same tenant,
  // zone and key id) and adds an audit entry with `detail`.
  void record_key_state(const KeyState& key, const std::string& detail);

  // Replaces the stored status of one secondary for one zone.
  void record_secondary_state(const SecondaryState& secondary);

  // The newest published version of a zone, or nullopt.
  std::optional<Version> latest_version(const std::string& tenant,
                                        const zone::Name& zone);

  // Every published version of a zone, newest first, at most `limit`
  // (0 means all).
  std::vector<Version> history(const std::string& tenant,
                               const zone::Name& zone, size_t limit = 0);

  // The stored diff that produced version `serial`, or nullopt when it was
  // pruned or never stored.
  std::optional<zone::ZoneDiff> diff_to(const std::string& tenant,
                                        const zone::Name& zone,
                                        uint32_t serial);

  // The journal from `from_serial` up to the newest version, oldest first,
  // each diff's from_serial equal to the previous one's to_serial. Returns
  // nullopt when the journal does not reach back to `from_serial` (the
  // caller then falls back to AXFR); an empty vector when `from_serial` is
  // the newest serial.
  std::optional<std::vector<zone::ZoneDiff>> journal_from(
      const std::string& tenant, const zone::Name& zone, uint32_t from_serial);

  // The journal as kept, oldest first (at most the configured depth).
  std::vector<zone::ZoneDiff> journal(const std::string& tenant,
                                      const zone::Name& zone);

  // Rebuilds the last published signed zone (finalized), or nullptr when the
  // zone was never published. Throws StoreError when stored data is corrupt.
  std::shared_ptr<zone::Zone> zone_snapshot(const std::string& tenant,
                                            const zone::Name& zone);

  // Every (tenant, zone) that has a published version, sorted.
  std::vector<std::pair<std::string, zone::Name>> published_zones();

  // The newest rejection of a zone (or, with an empty zone, of the tenant).
  std::optional<Rejection> last_rejection(const std::string& tenant,
                                          const std::string& zone);

  std::vector<KeyState> key_states(const std::string& tenant,
                                   const zone::Name& zone);

  std::vector<SecondaryState> secondary_states(const std::string& tenant,
                                               const zone::Name& zone);

  // Audit entries, newest first, at most `limit` (0 means all).
  std::vector<AuditEntry> audit_log(size_t limit = 0);

  // Every zone known to the store with its published version, newest
  // rejection and secondaries.
  StatusSnapshot status();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The earliest RRSIG expiration in `zone` as Unix time, or 0 when the zone
// has no RRSIG. RRSIG times are 32-bit (RFC 4034 section 3.1.5) and are
// taken as the value nearest to `now`.
UnixTime earliest_rrsig_expiration(const zone::Zone& zone, UnixTime now);

}  // namespace signet::state
