// The reconcile loop of one tenant: turns the newest commit of the
// tenant's branch into signed, recorded and published zone versions.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "model/config.h"
#include "service/zone_claims.h"

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
struct SignedVersion;
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
  std::shared_ptr<dnssec::KeyStore> keys;
  std::vector<transfer::TsigKey> tsig_keys;
  std::string cache_dir;        // where remote repositories are cloned
  int journal_depth = 100;      // IXFR journal entries kept per zone
  unsigned signer_threads = 1;  // threads per signing run
  int64_t poll_interval = 30;   // seconds between safety-net ref checks
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

  // Loads the tenant's published versions from the store and publishes
  // them on the server as they are: no signing, no serial change, so each
  // zone sends at most one NOTIFY. Call before start().
  void restore();

  // Starts the worker thread, which first catches up with the branch.
  void start();

  // Stops the worker after its current step and joins it.
  void stop();

  // Asks for the branch head to be checked. With `fetch`, a remote
  // repository is fetched first (webhook push, fetch interval).
  void trigger(bool fetch = false);

  // Runs one pass on the caller's thread: fetch when remote, resolve the
  // branch head, reconcile it if new, re-sign zones that are due. Returns
  // the number of zone versions published. For tests and the worker.
  int run_once(bool fetch);

  // Commit of the last successful or rejected run, "" before the first.
  std::string last_commit() const;

 private:
  struct ZoneState;

  void worker();
  UnixTime next_wakeup() const;
  std::optional<std::string> resolve_head(bool fetch);
  int reconcile_commit(const std::string& commit);
  int resign_due();

  TenantContext context_;
  bool remote_ = false;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool check_ = false;
  bool fetch_ = false;
  std::thread thread_;

  // Touched only by the thread running run_once().
  std::map<std::string, std::shared_ptr<ZoneState>> zones_;
  std::string last_commit_;  // guarded by mutex_ for last_commit()
  UnixTime last_fetch_ = 0;
  UnixTime last_poll_ = 0;
};

}  // namespace signet::service
