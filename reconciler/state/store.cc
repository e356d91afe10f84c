#include "state/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "state/codec.h"
#include "state/db.h"
#include "state/serial.h"

namespace signet::state {

namespace {

// Schema migrations, applied in order. Each entry's index + 1 is the
// schema version it produces; add new entries at the end, never edit one.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE zones (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (tenant, name)
);
CREATE TABLE versions (
  id INTEGER PRIMARY KEY,
  zone_id INTEGER NOT NULL REFERENCES zones (id),
  serial INTEGER NOT NULL,
  commit_id TEXT NOT NULL,
  author TEXT NOT NULL,
  commit_time INTEGER NOT NULL,
  message TEXT NOT NULL,
  publish_time INTEGER NOT NULL,
  signature_expiry INTEGER NOT NULL,
  reason TEXT NOT NULL,
  diff BLOB
);
CREATE INDEX versions_by_zone ON versions (zone_id, id);
CREATE TABLE snapshots (
  zone_id INTEGER PRIMARY KEY REFERENCES zones (id),
  version_id INTEGER NOT NULL REFERENCES versions (id),
  serial INTEGER NOT NULL,
  records BLOB NOT NULL
);
CREATE TABLE rejections (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  zone TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  location TEXT NOT NULL,
  reason TEXT NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX rejections_by_zone ON rejections (tenant, zone, id);
CREATE TABLE key_states (
  tenant TEXT NOT NULL,
  zone TEXT NOT NULL,
  key_id TEXT NOT NULL,
  state TEXT NOT NULL,
  times TEXT NOT NULL,
  updated INTEGER NOT NULL,
  PRIMARY KEY (tenant, zone, key_id)
);
CREATE TABLE secondary_states (
  tenant TEXT NOT NULL,
  zone TEXT NOT NULL,
  secondary TEXT NOT NULL,
  serial_served INTEGER,
  last_notify_ack INTEGER NOT NULL,
  last_transfer INTEGER NOT NULL,
  in_sync INTEGER NOT NULL,
  PRIMARY KEY (tenant, zone, secondary)
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  event TEXT NOT NULL,
  tenant TEXT NOT NULL,
  zone TEXT NOT NULL,
  serial INTEGER,
  commit_id TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql",
};

constexpr int kSchemaVersion = std::size(kMigrations);

// Key timing fields as "name=time" lines, sorted by name.
std::string encode_times(const std::map<std::string, UnixTime>& times) {
  std::string out;
  for (const auto& [name, time] : times) {
    out += name + "=" + std::to_string(time) + "\n";
  }
  return out;
}

std::map<std::string, UnixTime> decode_times(const std::string& text) {
  std::map<std::string, UnixTime> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) {
      out[line.substr(0, eq)] = std::stoll(line.substr(eq + 1));
    }
  }
  return out;
}

// A publish rewrites the full snapshot only when the diffs stored since the
// last snapshot outgrow it, so a one-record change to a large zone writes
// little, and a restart replays at most about one zone's worth of diffs.
bool snapshot_due(int64_t journal_bytes_since, int64_t snapshot_bytes) {
  return journal_bytes_since > snapshot_bytes;
}

}  // namespace

struct Store::Impl {
  Impl(const std::string& path, const Clock& clock, StoreOptions options)
      : db(path, options.read_only, options.busy_timeout_ms),
        clock(clock),
        options(options) {
    if (const char* fault = std::getenv("SIGNET_STATE_FAULT")) {
      fault_step = fault;
    }
  }
  ~Impl() {
    if (lock_fd >= 0) {
      ::close(lock_fd);
    }
  }

  int lock_fd = -1;  // the writer's lock on the state folder

  // Test hook: with SIGNET_STATE_FAULT=<step> in the environment, the
  // process kills itself with SIGKILL when record_publish() reaches that
  // step, to prove a crash there leaves the database consistent.
  void fault_point(const char* step) const {
    if (!fault_step.empty() && fault_step == step) {
      std::raise(SIGKILL);
    }
  }

  void configure();
  void migrate();
  int64_t zone_id(const std::string& tenant, const std::string& zone,
                  bool create);
  std::optional<Version> latest(int64_t zone_id, const std::string& tenant,
                                const zone::Name& zone);
  Version read_version(Statement& row, const std::string& tenant,
                       const zone::Name& zone) const;
  void write_snapshot(int64_t zone_id, int64_t version_id,
                      const zone::Zone& signed_zone, bool force);
  void prune_journal(int64_t zone_id);
  void audit(const std::string& event, const std::string& tenant,
             const std::string& zone, std::optional<uint32_t> serial,
             const std::string& commit, const std::string& detail);
  std::optional<Rejection> last_rejection(const std::string& tenant,
                                          const std::string& zone);
  std::vector<SecondaryState> secondaries(const std::string& tenant,
                                          const zone::Name& zone);
  std::vector<zone::ZoneDiff> journal(const std::string& tenant,
                                      const zone::Name& zone);

  std::mutex mutex;
  Database db;
  const Clock& clock;
  StoreOptions options;
  std::string fault_step;
};

void Store::Impl::configure() {
  if (options.read_only) {
    db.exec("PRAGMA query_only = ON");
    return;
  }
  // WAL lets `signet status` read while the reconciler writes; FULL syncs
  // the WAL on every commit, so a committed publish survives power loss.
  db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
      "PRAGMA foreign_keys = ON;");
}

void Store::Impl::migrate() {
  if (options.read_only) {
    Transaction read(db, false);
    Statement version =
        db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    version.step();
    if (version.integer(0) > kSchemaVersion) {
      throw StoreError("state database " + db.path() + " has schema version " +
                       std::to_string(version.integer(0)) +
                       ", newer than this signet (" +
                       std::to_string(kSchemaVersion) + "); upgrade signet");
    }
    return;
  }
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)");
  Transaction tx(db, true);
  Statement current =
      db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  current.step();
  int64_t have = current.integer(0);
  if (have > kSchemaVersion) {
    throw StoreError("state database " + db.path() + " has schema version " +
                     std::to_string(have) + ", newer than this signet (" +
                     std::to_string(kSchemaVersion) + "); upgrade signet");
  }
  for (int64_t v = have + 1; v <= kSchemaVersion; ++v) {
    db.exec(kMigrations[v - 1]);
    db.prepare("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)")
        .bind(1, v)
        .bind(2, clock.now())
        .run();
  }
  tx.commit();
}

int64_t Store::Impl::zone_id(const std::string& tenant, const std::string& zone,
                             bool create) {
  {
    Statement find =
        db.prepare("SELECT id FROM zones WHERE tenant = ? AND name = ?");
    find.bind(1, tenant).bind(2, zone);
    if (find.step()) {
      return find.integer(0);
    }
  }
  if (!create) {
    return 0;
  }
  db.prepare("INSERT INTO zones (tenant, name) VALUES (?, ?)")
      .bind(1, tenant)
      .bind(2, zone)
      .run();
  return db.last_insert_id();
}

Version Store::Impl::read_version(Statement& row, const std::string& tenant,
                                  const zone::Name& zone) const {
  Version v;
  v.tenant = tenant;
  v.zone = zone;
  v.serial = static_cast<uint32_t>(row.integer(0));
  v.commit = {row.text(1), row.text(2), row.integer(3), row.text(4)};
  v.publish_time = row.integer(5);
  v.signature_expiry = row.integer(6);
  v.reason = row.text(7);
  v.has_diff = row.integer(8) != 0;
  return v;
}

std::optional<Version> Store::Impl::latest(int64_t zone_id,
                                           const std::string& tenant,
                                           const zone::Name& zone) {
  Statement row = db.prepare(
      "SELECT serial, commit_id, author, commit_time, message, publish_time, "
      "signature_expiry, reason, diff IS NOT NULL FROM versions "
      "WHERE zone_id = ? ORDER BY id DESC LIMIT 1");
  row.bind(1, zone_id);
  if (!row.step()) {
    return std::nullopt;
  }
  return read_version(row, tenant, zone);
}

void Store::Impl::write_snapshot(int64_t zone_id, int64_t version_id,
                                 const zone::Zone& signed_zone, bool force) {
  if (!force) {
    Statement sizes = db.prepare(
        "SELECT length(s.records), "
        "(SELECT COALESCE(SUM(length(v.diff)), 0) FROM versions v "
        " WHERE v.zone_id = s.zone_id AND v.id > s.version_id) "
        "FROM snapshots s WHERE s.zone_id = ?");
    sizes.bind(1, zone_id);
    if (sizes.step() && !snapshot_due(sizes.integer(1), sizes.integer(0))) {
      return;
    }
  }
  db.prepare(
        "INSERT OR REPLACE INTO snapshots (zone_id, version_id, serial, "
        "records) VALUES (?, ?, ?, ?)")
      .bind(1, zone_id)
      .bind(2, version_id)
      .bind(3, static_cast<int64_t>(signed_zone.serial()))
      .bind_blob(4, encode_zone(signed_zone))
      .run();
}

void Store::Impl::prune_journal(int64_t zone_id) {
  // Keeps the newest `journal_depth` diffs, and every diff newer than the
  // snapshot, because zone_snapshot() replays those.
  db.prepare(
        "UPDATE versions SET diff = NULL WHERE zone_id = ?1 "
        "AND diff IS NOT NULL "
        "AND id <= (SELECT version_id FROM snapshots WHERE zone_id = ?1) "
        "AND id NOT IN (SELECT id FROM versions WHERE zone_id = ?1 "
        "  AND diff IS NOT NULL ORDER BY id DESC LIMIT ?2)")
      .bind(1, zone_id)
      .bind(2, static_cast<int64_t>(std::max(options.journal_depth, 0)))
      .run();
}

void Store::Impl::audit(const std::string& event, const std::string& tenant,
                        const std::string& zone, std::optional<uint32_t> serial,
                        const std::string& commit, const std::string& detail) {
  std::optional<int64_t> serial_value;
  if (serial) {
    serial_value = *serial;
  }
  db.prepare(
        "INSERT INTO audit_log (time, event, tenant, zone, serial, commit_id, "
        "detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, clock.now())
      .bind(2, event)
      .bind(3, tenant)
      .bind(4, zone)
      .bind(5, serial_value)
      .bind(6, commit)
      .bind(7, detail)
      .run();
}

std::optional<Rejection> Store::Impl::last_rejection(const std::string& tenant,
                                                     const std::string& zone) {
  Statement row = db.prepare(
      "SELECT commit_id, location, reason, time FROM rejections "
      "WHERE tenant = ? AND zone = ? ORDER BY id DESC LIMIT 1");
  row.bind(1, tenant).bind(2, zone);
  if (!row.step()) {
    return std::nullopt;
  }
  return Rejection{tenant,      zone,        row.text(0),
                   row.text(1), row.text(2), row.integer(3)};
}

std::vector<SecondaryState> Store::Impl::secondaries(const std::string& tenant,
                                                     const zone::Name& zone) {
  Statement row = db.prepare(
      "SELECT secondary, serial_served, last_notify_ack, last_transfer, "
      "in_sync FROM secondary_states WHERE tenant = ? AND zone = ? "
      "ORDER BY secondary");
  row.bind(1, tenant).bind(2, zone.text());
  std::vector<SecondaryState> out;
  while (row.step()) {
    SecondaryState s;
    s.tenant = tenant;
    s.zone = zone;
    s.secondary = row.text(0);
    if (std::optional<int64_t> served = row.optional_integer(1)) {
      s.serial_served = static_cast<uint32_t>(*served);
    }
    s.last_notify_ack = row.integer(2);
    s.last_transfer = row.integer(3);
    s.in_sync = row.integer(4) != 0;
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// Takes the writer's lock on the state folder, so that two processes never
// publish from one database and key folder. The lock goes away with the
// process, also on kill -9.
int lock_state_dir(const std::filesystem::path& dir) {
  std::string path = (dir / "signet.lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw StoreError("cannot open lock file " + path + ": " +
                     std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      throw StoreError("state folder " + dir.string() +
                       " is in use by another signet process; stop it, or "
                       "give this one its own state_dir");
    }
    throw StoreError("cannot lock " + path + ": " + std::strerror(error));
  }
  return fd;
}

}  // namespace

Store::Store(const std::string& state_dir, const Clock& clock,
             StoreOptions options) {
  std::filesystem::path dir(state_dir);
  if (!options.read_only && !std::filesystem::exists(dir)) {
    std::filesystem::create_directories(dir);
    ::chmod(dir.c_str(), 0700);
  }
  std::string path = (dir / "signet.db").string();
  if (options.read_only && !std::filesystem::exists(path)) {
    throw StoreError("state database " + path +
                     " not found; check state_dir in the config, or run "
                     "`signet run` once to create it");
  }
  int lock_fd = options.read_only ? -1 : lock_state_dir(dir);
  try {
    impl_ = std::make_unique<Impl>(path, clock, options);
  } catch (...) {
    if (lock_fd >= 0) {
      ::close(lock_fd);
    }
    throw;
  }
  impl_->lock_fd = lock_fd;
  impl_->configure();
  impl_->migrate();
}

Store::~Store() = default;

const std::string& Store::path() const {
  return impl_->db.path();
}

Version Store::record_publish(const PublishRequest& request) {
  if (request.signed_zone == nullptr) {
    throw StoreError("record_publish: no signed zone given");
  }
  const zone::Zone& signed_zone = *request.signed_zone;
  const zone::Name& origin = signed_zone.origin();
  uint32_t serial = signed_zone.serial();
  std::lock_guard lock(impl_->mutex);
  Database& db = impl_->db;

  Transaction tx(db, true);
  impl_->fault_point("begin");
  int64_t zone_id = impl_->zone_id(request.tenant, origin.text(), true);
  std::optional<Version> last = impl_->latest(zone_id, request.tenant, origin);
  if (last && !serial_gt(serial, last->serial)) {
    throw StoreError("zone " + origin.text() + " of tenant " + request.tenant +
                     ": serial " + std::to_string(serial) +
                     " is not greater than the published serial " +
                     std::to_string(last->serial));
  }
  const zone::ZoneDiff* diff = last ? request.diff : nullptr;
  if (diff != nullptr &&
      (diff->from_serial != last->serial || diff->to_serial != serial)) {
    throw StoreError(
        "zone " + origin.text() + " of tenant " + request.tenant +
        ": diff goes from serial " + std::to_string(diff->from_serial) +
        " to " + std::to_string(diff->to_serial) + ", expected " +
        std::to_string(last->serial) + " to " + std::to_string(serial));
  }

  Version version{request.tenant,
                  origin,
                  serial,
                  request.commit,
                  impl_->clock.now(),
                  request.signature_expiry,
                  request.reason,
                  diff != nullptr};
  Statement insert = db.prepare(
      "INSERT INTO versions (zone_id, serial, commit_id, author, commit_time, "
      "message, publish_time, signature_expiry, reason, diff) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, zone_id)
      .bind(2, static_cast<int64_t>(serial))
      .bind(3, request.commit.id)
      .bind(4, request.commit.author)
      .bind(5, request.commit.time)
      .bind(6, request.commit.message)
      .bind(7, version.publish_time)
      .bind(8, request.signature_expiry)
      .bind(9, request.reason);
  if (diff != nullptr) {
    insert.bind_blob(10, encode_diff(*diff));
  } else {
    insert.bind_null(10);
  }
  insert.run();
  int64_t version_id = db.last_insert_id();
  impl_->fault_point("version");

  if (diff == nullptr) {
    // Without a diff the older journal no longer chains to this version.
    db.prepare("UPDATE versions SET diff = NULL WHERE zone_id = ? AND id < ?")
        .bind(1, zone_id)
        .bind(2, version_id)
        .run();
  }
  impl_->write_snapshot(zone_id, version_id, signed_zone, diff == nullptr);
  impl_->fault_point("snapshot");
  impl_->prune_journal(zone_id);
  impl_->fault_point("prune");
  impl_->audit("publish", request.tenant, origin.text(), serial,
               request.commit.id, request.reason);
  impl_->fault_point("audit");
  tx.commit();
  impl_->fault_point("committed");
  return version;
}

void Store::record_rejection(const Rejection& rejection) {
  std::lock_guard lock(impl_->mutex);
  Database& db = impl_->db;
  Transaction tx(db, true);
  if (!rejection.zone.empty()) {
    impl_->zone_id(rejection.tenant, rejection.zone, true);
  }
  UnixTime time = rejection.time != 0 ? rejection.time : impl_->clock.now();
  db.prepare(
        "INSERT INTO rejections (tenant, zone, commit_id, location, reason, "
        "time) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, rejection.tenant)
      .bind(2, rejection.zone)
      .bind(3, rejection.commit)
      .bind(4, rejection.location)
      .bind(5, rejection.reason)
      .bind(6, time)
      .run();
  std::string detail = rejection.location.empty()
                           ? rejection.reason
                           : rejection.location + ": " + rejection.reason;
  impl_->audit("rejection", rejection.tenant, rejection.zone, std::nullopt,
               rejection.commit, detail);
  tx.commit();
}

void Store::record_key_state(const KeyState& key, const std::string& detail) {
  std::lock_guard lock(impl_->mutex);
  Database& db = impl_->db;
  Transaction tx(db, true);
  db.prepare(
        "INSERT OR REPLACE INTO key_states (tenant, zone, key_id, state, "
        "times, updated) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, key.tenant)
      .bind(2, key.zone.text())
      .bind(3, key.key_id)
      .bind(4, key.state)
      .bind(5, encode_times(key.times))
      .bind(6, impl_->clock.now())
      .run();
  impl_->audit("key change", key.tenant, key.zone.text(), std::nullopt, "",
               "key " + key.key_id + " " + key.state +
                   (detail.empty() ? "" : ": " + detail));
  tx.commit();
}

void Store::record_secondary_state(const SecondaryState& secondary) {
  std::lock_guard lock(impl_->mutex);
  std::optional<int64_t> served;
  if (secondary.serial_served) {
    served = *secondary.serial_served;
  }
  impl_->db
      .prepare(
          "INSERT OR REPLACE INTO secondary_states (tenant, zone, secondary, "
          "serial_served, last_notify_ack, last_transfer, in_sync) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(1, secondary.tenant)
      .bind(2, secondary.zone.text())
      .bind(3, secondary.secondary)
      .bind(4, served)
      .bind(5, secondary.last_notify_ack)
      .bind(6, secondary.last_transfer)
      .bind(7, int64_t{secondary.in_sync ? 1 : 0})
      .run();
}

std::optional<Version> Store::latest_version(const std::string& tenant,
                                             const zone::Name& zone) {
  std::lock_guard lock(impl_->mutex);
  int64_t id = impl_->zone_id(tenant, zone.text(), false);
  if (id == 0) {
    return std::nullopt;
  }
  return impl_->latest(id, tenant, zone);
}

std::vector<Version> Store::history(const std::string& tenant,
                                    const zone::Name& zone, size_t limit) {
  std::lock_guard lock(impl_->mutex);
  Statement row = impl_->db.prepare(
      "SELECT serial, commit_id, author, commit_time, message, publish_time, "
      "signature_expiry, reason, diff IS NOT NULL FROM versions "
      "WHERE zone_id = (SELECT id FROM zones WHERE tenant = ? AND name = ?) "
      "ORDER BY id DESC LIMIT ?");
  row.bind(1, tenant).bind(2, zone.text());
  row.bind(3, limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit));
  std::vector<Version> out;
  while (row.step()) {
    out.push_back(impl_->read_version(row, tenant, zone));
  }
  return out;
}

std::optional<zone::ZoneDiff> Store::diff_to(const std::string& tenant,
                                             const zone::Name& zone,
                                             uint32_t serial) {
  std::lock_guard lock(impl_->mutex);
  Statement row = impl_->db.prepare(
      "SELECT diff FROM versions "
      "WHERE zone_id = (SELECT id FROM zones WHERE tenant = ? AND name = ?) "
      "AND serial = ? AND diff IS NOT NULL ORDER BY id DESC LIMIT 1");
  row.bind(1, tenant).bind(2, zone.text()).bind(3, int64_t{serial});
  if (!row.step()) {
    return std::nullopt;
  }
  std::optional<zone::ZoneDiff> diff = decode_diff(row.blob(0));
  if (!diff) {
    throw StoreError("state database " + path() + ": corrupt diff for zone " +
                     zone.text() + " serial " + std::to_string(serial));
  }
  return diff;
}

std::vector<zone::ZoneDiff> Store::Impl::journal(const std::string& tenant,
                                                 const zone::Name& zone) {
  Statement row = db.prepare(
      "SELECT diff FROM (SELECT id, diff FROM versions "
      "WHERE zone_id = (SELECT id FROM zones WHERE tenant = ? AND name = ?) "
      "AND diff IS NOT NULL ORDER BY id DESC LIMIT ?) ORDER BY id");
  row.bind(1, tenant).bind(2, zone.text());
  row.bind(3, static_cast<int64_t>(std::max(options.journal_depth, 0)));
  std::vector<zone::ZoneDiff> out;
  while (row.step()) {
    std::optional<zone::ZoneDiff> diff = decode_diff(row.blob(0));
    if (!diff) {
      throw StoreError("state database " + db.path() +
                       ": corrupt journal entry for zone " + zone.text());
    }
    out.push_back(std::move(*diff));
  }
  return out;
}

std::vector<zone::ZoneDiff> Store::journal(const std::string& tenant,
                                           const zone::Name& zone) {
  std::lock_guard lock(impl_->mutex);
  return impl_->journal(tenant, zone);
}

std::optional<std::vector<zone::ZoneDiff>> Store::journal_from(
    const std::string& tenant, const zone::Name& zone, uint32_t from_serial) {
  std::lock_guard lock(impl_->mutex);
  // One read transaction, so the journal and the newest serial agree.
  Transaction read(impl_->db, false);
  int64_t id = impl_->zone_id(tenant, zone.text(), false);
  std::optional<Version> last =
      id != 0 ? impl_->latest(id, tenant, zone) : std::nullopt;
  if (!last) {
    return std::nullopt;
  }
  if (last->serial == from_serial) {
    return std::vector<zone::ZoneDiff>{};
  }
  std::vector<zone::ZoneDiff> all = impl_->journal(tenant, zone);
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].from_serial != from_serial) {
      continue;
    }
    // The tail must chain without gaps up to the newest serial.
    for (size_t j = i + 1; j < all.size(); ++j) {
      if (all[j].from_serial != all[j - 1].to_serial) {
        return std::nullopt;
      }
    }
    if (all.back().to_serial != last->serial) {
      return std::nullopt;
    }
    return std::vector<zone::ZoneDiff>(all.begin() + i, all.end());
  }
  return std::nullopt;
}

std::shared_ptr<zone::Zone> Store::zone_snapshot(const std::string& tenant,
                                                 const zone::Name& zone) {
  std::lock_guard lock(impl_->mutex);
  Database& db = impl_->db;
  Transaction read(db, false);
  int64_t id = impl_->zone_id(tenant, zone.text(), false);
  std::optional<Version> last =
      id != 0 ? impl_->latest(id, tenant, zone) : std::nullopt;
  if (!last) {
    return nullptr;
  }
  auto corrupt = [&](const std::string& what) {
    return StoreError("state database " + db.path() + ": zone " + zone.text() +
                      " of tenant " + tenant + ": " + what);
  };

  Statement base =
      db.prepare("SELECT version_id, records FROM snapshots WHERE zone_id = ?");
  base.bind(1, id);
  if (!base.step()) {
    throw corrupt("published version has no snapshot");
  }
  int64_t base_version = base.integer(0);
  std::optional<zone::Zone> rebuilt = decode_zone(base.blob(1), zone);
  if (!rebuilt) {
    throw corrupt("snapshot records do not decode");
  }

  Statement diffs = db.prepare(
      "SELECT serial, diff FROM versions WHERE zone_id = ? AND id > ? "
      "ORDER BY id");
  diffs.bind(1, id).bind(2, base_version);
  while (diffs.step()) {
    std::optional<zone::ZoneDiff> diff =
        diffs.is_null(1) ? std::nullopt : decode_diff(diffs.blob(1));
    if (!diff || diff->from_serial != rebuilt->serial() ||
        !zone::apply_diff(*rebuilt, *diff)) {
      throw corrupt("journal does not lead from the snapshot to serial " +
                    std::to_string(diffs.integer(0)));
    }
  }
  if (rebuilt->serial() != last->serial) {
    throw corrupt("snapshot serial " + std::to_string(rebuilt->serial()) +
                  " does not match the published serial " +
                  std::to_string(last->serial));
  }
  return std::make_shared<zone::Zone>(std::move(*rebuilt));
}

std::vector<std::pair<std::string, zone::Name>> Store::published_zones() {
  std::lock_guard lock(impl_->mutex);
  Statement row = impl_->db.prepare(
      "SELECT tenant, name FROM zones z "
      "WHERE EXISTS (SELECT 1 FROM versions v WHERE v.zone_id = z.id) "
      "ORDER BY tenant, name");
  std::vector<std::pair<std::string, zone::Name>> out;
  while (row.step()) {
    std::optional<zone::Name> name = zone::Name::parse(row.text(1));
    if (name) {
      out.emplace_back(row.text(0), *name);
    }
  }
  return out;
}

std::optional<Rejection> Store::last_rejection(const std::string& tenant,
                                               const std::string& zone) {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_rejection(tenant, zone);
}

std::vector<KeyState> Store::key_states(const std::string& tenant,
                                        const zone::Name& zone) {
  std::lock_guard lock(impl_->mutex);
  Statement row = impl_->db.prepare(
      "SELECT key_id, state, times FROM key_states "
      "WHERE tenant = ? AND zone = ? ORDER BY key_id");
  row.bind(1, tenant).bind(2, zone.text());
  std::vector<KeyState> out;
  while (row.step()) {
    out.push_back(KeyState{tenant, zone, row.text(0), row.text(1),
                           decode_times(row.text(2))});
  }
  return out;
}

std::vector<SecondaryState> Store::secondary_states(const std::string& tenant,
                                                    const zone::Name& zone) {
  std::lock_guard lock(impl_->mutex);
  return impl_->secondaries(tenant, zone);
}

std::vector<AuditEntry> Store::audit_log(size_t limit) {
  std::lock_guard lock(impl_->mutex);
  Statement row = impl_->db.prepare(
      "SELECT id, time, event, tenant, zone, serial, commit_id, detail "
      "FROM audit_log ORDER BY id DESC LIMIT ?");
  row.bind(1, limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit));
  std::vector<AuditEntry> out;
  while (row.step()) {
    AuditEntry e{row.integer(0), row.integer(1), row.text(2), row.text(3),
                 row.text(4),    std::nullopt,   row.text(6), row.text(7)};
    if (std::optional<int64_t> serial = row.optional_integer(5)) {
      e.serial = static_cast<uint32_t>(*serial);
    }
    out.push_back(std::move(e));
  }
  return out;
}

StatusSnapshot Store::status() {
  std::lock_guard lock(impl_->mutex);
  Database& db = impl_->db;
  Transaction read(db, false);
  StatusSnapshot out;

  Statement zones =
      db.prepare("SELECT id, tenant, name FROM zones ORDER BY tenant, name");
  std::vector<std::tuple<int64_t, std::string, std::string>> rows;
  while (zones.step()) {
    rows.emplace_back(zones.integer(0), zones.text(1), zones.text(2));
  }

  for (const auto& [id, tenant, text] : rows) {
    std::optional<zone::Name> name = zone::Name::parse(text);
    if (!name) {
      continue;
    }
    ZoneStatus status;
    status.tenant = tenant;
    status.zone = *name;
    status.published = impl_->latest(id, tenant, *name);
    status.last_rejection = impl_->last_rejection(tenant, text);
    status.secondaries = impl_->secondaries(tenant, *name);
    out.zones.push_back(std::move(status));
  }

  Statement tenants = db.prepare(
      "SELECT DISTINCT tenant FROM rejections WHERE zone = '' ORDER BY tenant");
  std::vector<std::string> names;
  while (tenants.step()) {
    names.push_back(tenants.text(0));
  }
  for (const std::string& tenant : names) {
    std::optional<Rejection> r = impl_->last_rejection(tenant, "");
    if (!r) {
      continue;
    }
    // A publish after the rejection means a later commit was accepted.
    bool superseded = false;
    for (const ZoneStatus& zone : out.zones) {
      superseded = superseded || (zone.tenant == tenant && zone.published &&
                                  zone.published->publish_time >= r->time);
    }
    if (!superseded) {
      out.tenant_rejections.push_back(std::move(*r));
    }
  }
  return out;
}

UnixTime earliest_rrsig_expiration(const zone::Zone& zone, UnixTime now) {
  UnixTime earliest = 0;
  for (const zone::Node& node : zone.nodes()) {
    for (const zone::Rrset& rrset : node.rrsets) {
      if (rrset.type != zone::rrtype::RRSIG) {
        continue;
      }
      for (const std::string& rdata : rrset.rdatas) {
        if (rdata.size() < 12) {
          continue;
        }
        uint32_t wire = 0;
        for (int i = 8; i < 12; ++i) {
          wire = (wire << 8) | static_cast<unsigned char>(rdata[i]);
        }
        // RFC 4034 section 3.1.5: the 32-bit value is the time nearest `now`
        // in serial arithmetic.
        int32_t offset =
            static_cast<int32_t>(wire - static_cast<uint32_t>(now));
        UnixTime expiry = now + offset;
        if (earliest == 0 || expiry < earliest) {
          earliest = expiry;
        }
      }
    }
  }
  return earliest;
}

}  // namespace signet::state
