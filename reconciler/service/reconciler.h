// The reconcile loop of one tenant: turns the newest commit of the
// tenant's branch into signed, recorded and published zone versions.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "model/config.h"
#include "service/zone_claims.h"
#include "zone/name.h"

namespace signet::state {
class Store;
}
namespace signet::transfer {
class Server;
struct TsigKey;
}  // namespace signet::transfer
namespace signet::dnssec {
class KeyStore;
}
namespace signet::kasp {
class ZoneSigner;
}
namespace signet::repo {
class Repository;
}
namespace signet::state {
struct CommitInfo;
}
namespace signet::zone {
class Zone;
struct ZoneDiff;
struct LoadedTenant;
struct LoadedZone;
class LoadCache;
}  // namespace signet::zone
namespace signet::model {
struct Secondary;
}

namespace signet::service {

// Everything one tenant's loop works with. The store, server and claims
// are shared by all tenants and outlive the Reconciler; the key store and
// TSIG keys belong to this tenant alone.
struct TenantContext {
  model::Tenant tenant;
  const Clock* clock = nullptr;
  state::Store* store = nullptr;
  transfer::Server* server = nullptr;
  const ZoneClaims* claims = nullptr;
  std::shared_ptr<dnssec::KeyStore> keys;  // null until it opens
  std::vector<transfer::TsigKey> tsig_keys;
  std::string cache_dir;        // where remote repositories are cloned
  int journal_depth = 100;      // IXFR journal entries kept per zone
  unsigned signer_threads = 1;  // threads per signing run
  int64_t poll_interval = 30;   // seconds between safety-net ref checks
};

// Opens the tenant's key store. Throws std::runtime_error when the store
// is unusable (a folder open to group or others, a PKCS#11 store).
std::shared_ptr<dnssec::KeyStore> open_key_store(const model::Tenant& tenant);

// Counters of one zone for the status page and metrics.
struct ZoneCounters {
  uint64_t publishes = 0;
  uint64_t rejections = 0;
  double sign_seconds = 0;  // total time spent signing
  uint64_t sign_count = 0;
};

// Runs one tenant on its own worker thread, so a slow, unreachable or
// broken tenant never delays another. Triggers (ref change, webhook, poll,
// signature refresh) only set flags: commits that arrive while one is
// processed collapse into one run on the newest commit of the branch.
class Reconciler {
 public:
  explicit Reconciler(TenantContext context);
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  const std::string& tenant() const { return context_.tenant.name; }

  // Starts the worker thread. It first re-publishes the tenant's zones as
  // the store last recorded them (no signing, no serial change, one NOTIFY
  // per zone), then catches up with the branch.
  void start();

  // Stops the worker after its current step and joins it.
  void stop();

  // Asks for the branch head to be checked. With `fetch`, a remote
  // repository is fetched first (webhook push, fetch interval).
  void trigger(bool fetch = false);

  // Publishes the versions recorded in the store, as start() does first.
  // Returns the number of zones published. For tests and the worker.
  int restore();

  // Runs one pass on the caller's thread: fetch when remote, resolve the
  // branch head, reconcile it if it moved, re-sign the zones whose
  // signatures are due. Returns the number of versions published. For
  // tests and the worker; never run it while the worker runs.
  int run_once(bool fetch);

  // True once the first pass finished, whatever its outcome.
  bool loaded() const;

  // The tenant-wide problem of the last pass (failed fetch, missing
  // branch), or "".
  std::string last_error() const;

  // Counters per zone (absolute name), copied.
  std::map<std::string, ZoneCounters> counters() const;

 private:
  struct ZoneState;

  void worker();
  UnixTime next_refresh() const;
  std::optional<std::string> resolve_head(bool fetch);
  void set_error(const std::string& error);

  void open_repository();

  // Steps of one commit, in reconcile.cc.
  int reconcile_commit(const std::string& commit);
  bool reconcile_zone(const zone::LoadedTenant& loaded,
                      zone::LoadedZone& loaded_zone,
                      const state::CommitInfo& commit);
  void report_removed_zones(const std::set<zone::Name>& present,
                            const std::string& commit);
  static std::string zone_of_file(const zone::LoadedTenant& loaded,
                                  const std::string& location);
  int resign_due();
  bool publish_zone(ZoneState& zone, std::shared_ptr<zone::Zone> input,
                    const state::CommitInfo& commit, const std::string& reason);
  void append_journal(ZoneState& zone,
                      std::shared_ptr<const zone::ZoneDiff> diff);
  void publish_current(const ZoneState& zone);
  UnixTime restored_refresh_due(const ZoneState& zone);
  void reject(const std::string& zone, const std::string& commit,
              const std::string& location, const std::string& reason);

  // Re-publishing from the store, in reconcile.cc.
  void restore_zone(const zone::Name& origin,
                    const std::vector<model::Secondary>& secondaries);
  std::vector<model::Secondary> restore_secondaries();

  TenantContext context_;
  bool remote_ = false;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool check_ = false;
  bool fetch_ = false;
  bool loaded_ = false;
  std::string last_error_;
  std::map<std::string, ZoneCounters> counters_;
  std::thread thread_;

  // Used only by the thread running restore() and run_once(). The serial
  // of each zone lives here and in the store, which refuses a regression.
  std::unique_ptr<repo::Repository> repository_;
  std::unique_ptr<kasp::ZoneSigner> signer_;
  std::map<zone::Name, std::shared_ptr<ZoneState>> zones_;
  std::string processed_commit_;
  // Zone files of earlier commits, reused while their contents stay the
  // same. Made by the first reconcile_commit.
  std::shared_ptr<zone::LoadCache> load_cache_;
  UnixTime last_fetch_ = 0;
  UnixTime last_poll_ = 0;
};

}  // namespace signet::service
