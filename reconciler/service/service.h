// The reconciler service behind `signet run`: every tenant's loop, the DNS
// server, the HTTP endpoints and the state store, started and stopped
// together.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "model/config.h"

namespace signet::service {

class Reconciler;

// How this process takes part in a sharded deployment: it runs the tenants
// whose stable hash of the name, modulo `count`, equals `index`.
struct Shard {
  unsigned index = 0;
  unsigned count = 1;
};

// True when `tenant` belongs to `shard` (FNV-1a of the name, so every
// replica computes the same assignment).
bool in_shard(const std::string& tenant, const Shard& shard);

struct ServiceOptions {
  Shard shard;
  unsigned signer_threads = 0;  // 0: the number of hardware threads
  int64_t poll_interval = 30;   // seconds between safety-net ref checks
};

// Owns the state store, the transfer server, the HTTP server and one
// Reconciler per tenant of this shard.
class Service {
 public:
  Service(model::OperatorConfig config, const Clock& clock,
          ServiceOptions options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Opens the store, re-publishes every zone's last published version,
  // starts the DNS and HTTP servers, the watchers and the tenant loops.
  // Throws std::runtime_error when the store or a listen address fails.
  void start();

  // Stops the loops after their current step, then the servers.
  void stop();

  // Asks `tenant` to fetch and check its branch now (webhook push).
  // Returns false when this process does not run that tenant.
  bool trigger(const std::string& tenant);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signet::service
