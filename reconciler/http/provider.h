// What the HTTP endpoints need from the running reconciler. The service
// implements these interfaces, so this library never depends on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace signet::http {

struct SecondaryStatus {
  std::string name;
  std::optional<uint32_t> serial_served;
  bool in_sync = false;
};

// One zone as the status page and /metrics show it.
struct ZoneStatus {
  std::string name;  // absolute, e.g. "example.com."
  std::optional<uint32_t> serial;
  std::string commit;
  UnixTime publish_time = 0;
  UnixTime signature_expiry = 0;  // earliest RRSIG expiration; 0 if unknown
  std::string last_rejected_commit;
  std::string last_rejection;  // "file:line:col: reason", empty if none
  UnixTime last_rejection_time = 0;
  uint64_t publishes_total = 0;
  uint64_t rejections_total = 0;
  double sign_seconds_sum = 0;  // total time spent signing this zone
  uint64_t sign_count = 0;
  std::vector<SecondaryStatus> secondaries;
};

struct TenantStatus {
  std::string name;
  // True once the tenant's first commit has been published or rejected,
  // or its repository failed to load; /readyz waits for every tenant.
  bool loaded = false;
  std::string last_error;         // tenant-wide problem, such as a failed fetch
  uint64_t rejections_total = 0;  // tenant-wide rejections (no zone)
  std::vector<ZoneStatus> zones;
};

struct StatusSnapshot {
  UnixTime now = 0;
  std::vector<TenantStatus> tenants;
};

// Supplies the current status and each tenant's webhook secret. Called
// from HTTP worker threads, so implementations must be thread-safe.
class StatusProvider {
 public:
  virtual ~StatusProvider() = default;

  virtual StatusSnapshot status() const = 0;

  // The raw webhook secret of `tenant`, or nullopt when the tenant is
  // unknown or has no webhook secret (its hooks are then rejected).
  virtual std::optional<std::string> webhook_secret(
      const std::string& tenant) const = 0;
};

enum class Forge { kGitHub, kGitea, kGitLab };

// A push event whose signature or token was verified.
struct PushEvent {
  std::string tenant;
  Forge forge = Forge::kGitHub;
  std::string ref;    // e.g. "refs/heads/main"
  std::string after;  // the commit id the ref now points to
};

// Receives verified push events. Called from HTTP worker threads; must
// return quickly (schedule the fetch, do not run it).
class WebhookSink {
 public:
  virtual ~WebhookSink() = default;
  virtual void on_push(const PushEvent& event) = 0;
};

}  // namespace signet::http
