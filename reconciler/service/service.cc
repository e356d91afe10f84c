#include "service/service.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "dnssec/key_store.h"
#include "http/server.h"
#include "service/reconciler.h"
#include "service/watcher.h"
#include "service/zone_claims.h"
#include "state/store.h"
#include "transfer/server.h"
#include "transfer/tsig.h"

namespace signet::service {
namespace fs = std::filesystem;

bool in_shard(const std::string& tenant, const Shard& shard) {
  if (shard.count <= 1) {
    return true;
  }
  uint32_t hash = 2166136261u;  // FNV-1a, 32 bits
  for (unsigned char c : tenant) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash % shard.count == shard.index;
}

namespace {

// How often the transfer layer's view of each secondary is copied into
// the store, where `signet status` reads it. Seconds.
constexpr int kSecondaryStatusInterval = 5;

std::vector<transfer::TsigKey> read_tsig_keys(const model::Tenant& tenant) {
  std::vector<transfer::TsigKey> keys;
  for (const model::TsigKeyRef& ref : tenant.tsig_keys) {
    std::string error;
    std::optional<transfer::TsigKey> key = transfer::read_tsig_key_file(
        ref.secret_file, ref.name, ref.algorithm, &error);
    if (key) {
      keys.push_back(std::move(*key));
    } else {
      spdlog::error("tsig key not loaded: tenant={} key={} error={}",
                    tenant.name, ref.name, error);
    }
  }
  return keys;
}

std::optional<std::string> read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string secret = buffer.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' ||
                             secret.back() == ' ')) {
    secret.pop_back();
  }
  if (secret.empty()) {
    return std::nullopt;
  }
  return secret;
}

}  // namespace

struct Service::Impl final : http::StatusProvider, http::WebhookSink {
  Impl(model::OperatorConfig c, const Clock& k, ServiceOptions o)
      : config(std::move(c)), clock(k), options(o), claims(config.tenants) {}

  http::StatusSnapshot status() const override;
  std::optional<std::string> webhook_secret(
      const std::string& tenant) const override;
  void on_push(const http::PushEvent& event) override;

  void start_tenants();
  void copy_secondary_status();
  void status_loop();
  const model::Tenant* find_tenant(const std::string& name) const;

  model::OperatorConfig config;
  const Clock& clock;
  ServiceOptions options;
  ZoneClaims claims;
  std::unique_ptr<state::Store> store;
  std::unique_ptr<transfer::Server> dns;
  std::unique_ptr<http::Server> http;
  std::map<std::string, std::unique_ptr<Reconciler>> reconcilers;
  RefWatcher watcher;

  std::mutex status_mutex;
  std::condition_variable status_wake;
  bool stopping = false;
  std::thread status_thread;
};

const model::Tenant* Service::Impl::find_tenant(const std::string& name) const {
  for (const model::Tenant& tenant : config.tenants) {
    if (tenant.name == name) {
      return &tenant;
    }
  }
  return nullptr;
}

void Service::Impl::start_tenants() {
  unsigned threads = options.signer_threads != 0
                         ? options.signer_threads
                         : std::max(1u, std::thread::hardware_concurrency());
  for (const model::Tenant& tenant : config.tenants) {
    if (!in_shard(tenant.name, options.shard)) {
      continue;
    }
    TenantContext context;
    context.tenant = tenant;
    context.clock = &clock;
    context.store = store.get();
    context.server = dns.get();
    context.claims = &claims;
    context.tsig_keys = read_tsig_keys(tenant);
    context.cache_dir =
        (fs::path(config.state_dir) / "repositories" / tenant.name).string();
    context.journal_depth = config.journal_depth;
    context.signer_threads = threads;
    context.poll_interval = options.poll_interval;
    try {
      context.keys = open_key_store(tenant);
    } catch (const std::exception& e) {
      // The published zones need no keys, so they keep serving; signing
      // opens the store again and rejects each attempt until it is fixed.
      spdlog::error("key store unusable: tenant={} error={}", tenant.name,
                    e.what());
    }
    auto reconciler = std::make_unique<Reconciler>(std::move(context));
    std::string git_dir = local_git_dir(tenant.repository);
    if (!git_dir.empty()) {
      Reconciler* target = reconciler.get();
      watcher.add(git_dir, tenant.branch, [target] { target->trigger(); });
    }
    reconcilers.emplace(tenant.name, std::move(reconciler));
  }
  for (auto& [name, reconciler] : reconcilers) {
    reconciler->start();
  }
  spdlog::info("tenants started: count={} shard={}/{}", reconcilers.size(),
               options.shard.index, options.shard.count);
}

http::StatusSnapshot Service::Impl::status() const {
  http::StatusSnapshot snapshot;
  snapshot.now = clock.now();
  state::StatusSnapshot stored = store->status();
  for (const auto& [name, reconciler] : reconcilers) {
    http::TenantStatus tenant;
    tenant.name = name;
    tenant.loaded = reconciler->loaded();
    tenant.last_error = reconciler->last_error();
    std::map<std::string, ZoneCounters> counters = reconciler->counters();
    tenant.rejections_total = counters[""].rejections;
    for (const state::Rejection& r : stored.tenant_rejections) {
      if (r.tenant == name && tenant.last_error.empty()) {
        tenant.last_error =
            r.location.empty() ? r.reason : r.location + ": " + r.reason;
      }
    }
    for (const state::ZoneStatus& z : stored.zones) {
      if (z.tenant != name) {
        continue;
      }
      http::ZoneStatus zone;
      zone.name = z.zone.text();
      if (z.published) {
        zone.serial = z.published->serial;
        zone.commit = z.published->commit.id;
        zone.publish_time = z.published->publish_time;
        zone.signature_expiry = z.published->signature_expiry;
      }
      if (z.last_rejection) {
        zone.last_rejected_commit = z.last_rejection->commit;
        zone.last_rejection =
            z.last_rejection->location.empty()
                ? z.last_rejection->reason
                : z.last_rejection->location + ": " + z.last_rejection->reason;
        zone.last_rejection_time = z.last_rejection->time;
      }
      const ZoneCounters& c = counters[zone.name];
      zone.publishes_total = c.publishes;
      zone.rejections_total = c.rejections;
      zone.sign_seconds_sum = c.sign_seconds;
      zone.sign_count = c.sign_count;
      for (const transfer::SecondaryStatus& s : dns->secondary_status(z.zone)) {
        zone.secondaries.push_back({s.name, s.secondary_serial, s.in_sync});
      }
      tenant.zones.push_back(std::move(zone));
    }
    snapshot.tenants.push_back(std::move(tenant));
  }
  return snapshot;
}

std::optional<std::string> Service::Impl::webhook_secret(
    const std::string& tenant) const {
  const model::Tenant* found = find_tenant(tenant);
  if (found == nullptr || found->webhook_secret_file.empty() ||
      reconcilers.count(tenant) == 0) {
    return std::nullopt;
  }
  return read_secret(found->webhook_secret_file);
}

void Service::Impl::on_push(const http::PushEvent& event) {
  auto it = reconcilers.find(event.tenant);
  if (it == reconcilers.end()) {
    return;
  }
  spdlog::info("push received: tenant={} ref={} commit={}", event.tenant,
               event.ref, event.after);
  it->second->trigger(true);
}

void Service::Impl::copy_secondary_status() {
  for (const auto& [owner, origin] : store->published_zones()) {
    if (reconcilers.count(owner) == 0) {
      continue;
    }
    for (const transfer::SecondaryStatus& s : dns->secondary_status(origin)) {
      state::SecondaryState row;
      row.tenant = owner;
      row.zone = origin;
      row.secondary = s.name;
      row.serial_served = s.secondary_serial;
      row.last_notify_ack = s.last_notify_ack;
      row.last_transfer = s.last_transfer;
      row.in_sync = s.in_sync;
      store->record_secondary_state(row);
    }
  }
}

void Service::Impl::status_loop() {
  std::unique_lock lock(status_mutex);
  while (!stopping) {
    status_wake.wait_for(lock, std::chrono::seconds(kSecondaryStatusInterval));
    if (stopping) {
      break;
    }
    lock.unlock();
    try {
      copy_secondary_status();
    } catch (const std::exception& e) {
      spdlog::warn("secondary status not stored: error={}", e.what());
    }
    lock.lock();
  }
}

Service::Service(model::OperatorConfig config, const Clock& clock,
                 ServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), clock, options)) {}

Service::~Service() {
  stop();
}

void Service::start() {
  Impl& s = *impl_;
  state::StoreOptions store_options;
  store_options.journal_depth = s.config.journal_depth;
  s.store = std::make_unique<state::Store>(s.config.state_dir, s.clock,
                                           store_options);

  transfer::ServerOptions dns_options;
  dns_options.listen = s.config.dns_listen;
  dns_options.clock = &s.clock;
  s.dns = std::make_unique<transfer::Server>(dns_options);
  s.dns->start();

  s.start_tenants();
  s.watcher.start();

  http::ServerOptions http_options;
  for (const model::ListenAddress& a : s.config.http_listen) {
    http_options.listen.push_back({a.host, a.port});
  }
  s.http = std::make_unique<http::Server>(http_options, s, s);
  s.http->start();
  s.status_thread = std::thread([&s] { s.status_loop(); });
  spdlog::info("service started: state={} tenants={}", s.store->path(),
               s.reconcilers.size());
}

void Service::stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.status_mutex);
    if (s.stopping) {
      return;
    }
    s.stopping = true;
  }
  s.status_wake.notify_all();
  if (s.status_thread.joinable()) {
    s.status_thread.join();
  }
  if (s.http) {
    s.http->stop();
  }
  s.watcher.stop();
  for (auto& [name, reconciler] : s.reconcilers) {
    reconciler->stop();
  }
  if (s.dns) {
    s.dns->stop();
  }
  spdlog::info("service stopped");
}

bool Service::trigger(const std::string& tenant) {
  auto it = impl_->reconcilers.find(tenant);
  if (it == impl_->reconcilers.end()) {
    return false;
  }
  it->second->trigger(true);
  return true;
}

}  // namespace signet::service
