#include "service/reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>

#include "kasp/zone_signer.h"
#include "repo/git.h"
#include "service/zone_state.h"
#include "state/serial.h"
#include "state/store.h"
#include "transfer/server.h"
#include "zone/diff.h"
#include "zone/load.h"

namespace signet::service {

Reconciler::Reconciler(TenantContext context)
    : context_(std::move(context)),
      remote_(repo::is_remote_url(context_.tenant.repository)) {}

Reconciler::~Reconciler() {
  stop();
}

void Reconciler::start() {
  std::lock_guard lock(mutex_);
  stop_ = false;
  check_ = true;
  fetch_ = remote_;
  thread_ = std::thread([this] { worker(); });
}

void Reconciler::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Reconciler::trigger(bool fetch) {
  {
    std::lock_guard lock(mutex_);
    check_ = true;
    fetch_ = fetch_ || fetch;
  }
  wake_.notify_all();
}

std::map<std::string, ZoneCounters> Reconciler::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

bool Reconciler::loaded() const {
  std::lock_guard lock(mutex_);
  return loaded_;
}

std::string Reconciler::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void Reconciler::worker() {
  try {
    restore();
  } catch (const std::exception& e) {
    spdlog::error("zones not restored: tenant={} error={}", tenant(), e.what());
  }
  std::unique_lock lock(mutex_);
  while (!stop_) {
    UnixTime now = context_.clock->now();
    bool poll_due = now - last_poll_ >= context_.poll_interval;
    bool fetch_due =
        remote_ && now - last_fetch_ >= context_.tenant.fetch_interval;
    bool resign_due = next_refresh() <= now;
    if (check_ || poll_due || fetch_due || resign_due) {
      bool fetch = fetch_ || fetch_due;
      check_ = false;
      fetch_ = false;
      lock.unlock();
      try {
        run_once(fetch);
      } catch (const std::exception& e) {
        // Each step handles its own failures; this keeps a surprise from
        // ending the process, and the next trigger tries again.
        spdlog::error("reconcile pass failed: tenant={} error={}", tenant(),
                      e.what());
      }
      lock.lock();
      continue;
    }
    // Wake at least once a second so a moved test clock is noticed.
    wake_.wait_for(lock, std::chrono::seconds(1));
  }
}

UnixTime Reconciler::next_refresh() const {
  UnixTime due = std::numeric_limits<UnixTime>::max();
  for (const auto& [name, zone] : zones_) {
    if (zone->version.refresh_due > 0) {
      due = std::min(due, zone->version.refresh_due);
    }
  }
  return due;
}

int Reconciler::run_once(bool fetch) {
  UnixTime now = context_.clock->now();
  last_poll_ = now;
  if (fetch) {
    last_fetch_ = now;
  }
  int published = 0;
  std::optional<std::string> head = resolve_head(fetch);
  if (head && *head != processed_commit_) {
    published += reconcile_commit(*head);
    processed_commit_ = *head;
  }
  published += resign_due();
  std::lock_guard lock(mutex_);
  loaded_ = true;
  return published;
}

std::optional<std::string> Reconciler::resolve_head(bool fetch) {
  try {
    if (!repository_) {
      open_repository();
    } else if (fetch) {
      repository_->fetch();
    }
    std::optional<std::string> head =
        repository_->branch_commit(context_.tenant.branch);
    if (!head) {
      set_error("branch " + context_.tenant.branch + " not found");
    } else {
      set_error("");
    }
    return head;
  } catch (const std::exception& e) {
    set_error(e.what());
    return std::nullopt;
  }
}

void Reconciler::open_repository() {
  if (!repository_) {
    repository_ = std::make_unique<repo::Repository>(repo::Repository::open_any(
        context_.tenant.repository, context_.cache_dir));
  }
}

void Reconciler::set_error(const std::string& error) {
  std::lock_guard lock(mutex_);
  if (!error.empty() && error != last_error_) {
    spdlog::error("repository unavailable: tenant={} repository={} reason={}",
                  tenant(), context_.tenant.repository, error);
  }
  last_error_ = error;
}

}  // namespace signet::service
