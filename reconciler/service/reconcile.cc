// The steps that turn one commit, or one signature refresh, into
// published zone versions.
#include <spdlog/spdlog.h>

#include <chrono>
#include <limits>
#include <set>

#include "kasp/zone_signer.h"
#include "repo/git.h"
#include "service/reconciler.h"
#include "service/versions.h"
#include "service/zone_state.h"
#include "state/serial.h"
#include "state/store.h"
#include "transfer/server.h"
#include "zone/diff.h"
#include "zone/load.h"
#include "zone/load_cache.h"

namespace signet::service {

std::shared_ptr<dnssec::KeyStore> open_key_store(const model::Tenant& tenant) {
  if (tenant.keys.kind != model::KeyStoreKind::kFiles) {
    throw std::runtime_error("PKCS#11 key stores are not supported yet");
  }
  return std::make_shared<dnssec::FileKeyStore>(tenant.keys.path);
}

namespace {

// Seconds before a failed signature refresh is tried again.
constexpr UnixTime kRetryDelay = 60;

std::vector<transfer::SecondaryPeer> peers_for(
    const std::vector<model::Secondary>& all,
    const std::vector<model::Reference>& wanted) {
  std::set<std::string> names;
  for (const model::Reference& ref : wanted) {
    names.insert(ref.name);
  }
  std::vector<transfer::SecondaryPeer> out;
  for (const model::Secondary& s : all) {
    if (names.empty() || names.count(s.name) > 0) {
      out.push_back({s.name, s.address, s.port, s.tsig_key_name, ""});
    }
  }
  return out;
}

bool same_peers(const std::vector<transfer::SecondaryPeer>& a,
                const std::vector<transfer::SecondaryPeer>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].address != b[i].address ||
        a[i].port != b[i].port || a[i].tsig_key_name != b[i].tsig_key_name) {
      return false;
    }
  }
  return true;
}

state::CommitInfo commit_metadata(const repo::Repository& repository,
                                  const std::string& commit) {
  repo::CommitInfo info = repository.commit_info(commit);
  std::string author = info.author_name;
  if (!info.author_email.empty()) {
    author += " <" + info.author_email + ">";
  }
  return {info.id, author, info.time, info.message};
}

// The first error and how many follow, as one rejection reason.
std::pair<std::string, std::string> first_error(
    const model::Diagnostics& diagnostics) {
  for (const model::Diagnostic& d : diagnostics.all()) {
    if (d.severity != model::Severity::kError) {
      continue;
    }
    std::string reason = d.message;
    if (diagnostics.error_count() > 1) {
      reason +=
          fmt::format(" (and {} more errors)", diagnostics.error_count() - 1);
    }
    return {d.location.text(), reason};
  }
  return {"", "invalid input"};
}

}  // namespace

void Reconciler::reject(const std::string& zone, const std::string& commit,
                        const std::string& location,
                        const std::string& reason) {
  spdlog::error(
      "commit rejected: tenant={} zone={} commit={} location={} reason={}",
      tenant(), zone.empty() ? "-" : zone, commit, location, reason);
  try {
    context_.store->record_rejection(
        {tenant(), zone, commit, location, reason, context_.clock->now()});
  } catch (const std::exception& e) {
    spdlog::error("rejection not recorded: tenant={} commit={} error={}",
                  tenant(), commit, e.what());
  }
  if (zone.empty()) {
    // A rejection of the whole tenant concerns every zone: the next good
    // commit publishes each again, which also supersedes this rejection
    // in the status.
    for (auto& [origin, state] : zones_) {
      state->rejected_since_publish = true;
    }
  } else if (std::optional<zone::Name> origin = zone::Name::parse(zone)) {
    auto it = zones_.find(*origin);
    if (it != zones_.end()) {
      it->second->rejected_since_publish = true;
    }
  }
  std::lock_guard lock(mutex_);
  counters_[zone].rejections++;
}

int Reconciler::reconcile_commit(const std::string& commit) {
  model::Diagnostics diagnostics;
  zone::LoadedTenant loaded;
  state::CommitInfo metadata;
  try {
    metadata = commit_metadata(*repository_, commit);
    repo::GitSource source(*repository_, commit, context_.tenant.subfolder);
    // The cache keeps only results of files without errors, and every
    // check that spans files runs again, so a rejected commit leaves
    // nothing in it that a later commit could wrongly reuse.
    if (!load_cache_) {
      load_cache_ = std::make_shared<zone::LoadCache>();
    }
    loaded = zone::load_tenant(source, diagnostics, context_.tenant,
                               load_cache_.get());
    const zone::LoadCache::Stats& stats = load_cache_->stats();
    spdlog::debug(
        "tenant loaded: tenant={} commit={} files_reused={} files_loaded={} "
        "owners_reused={} owners_parsed={}",
        tenant(), commit, stats.files_reused, stats.files_loaded,
        stats.owners_reused, stats.owners_parsed);
  } catch (const std::exception& e) {
    reject("", commit, "", e.what());
    return 0;
  }
  if (diagnostics.has_errors()) {
    diagnostics.sort();
    auto [location, reason] = first_error(diagnostics);
    reject(zone_of_file(loaded, location), commit, location, reason);
    return 0;
  }

  // reconcile_zone() takes the zones out of `loaded`, so note them first.
  std::set<zone::Name> present;
  for (const zone::LoadedZone& z : loaded.zones) {
    present.insert(z.zone.origin());
  }
  int published = 0;
  for (zone::LoadedZone& loaded_zone : loaded.zones) {
    published += reconcile_zone(loaded, loaded_zone, metadata) ? 1 : 0;
  }
  report_removed_zones(present, commit);
  return published;
}

void Reconciler::report_removed_zones(const std::set<zone::Name>& present,
                                      const std::string& commit) {
  // Withdrawing a zone makes its secondaries drop it once their expire
  // timer runs out, so a deleted file alone does not do it: the zone
  // keeps serving and the commit's removal is reported.
  for (const auto& [origin, state] : zones_) {
    if (present.count(origin) != 0) {
      continue;
    }
    std::string file = origin.is_root() ? "root" : origin.text();
    if (file.back() == '.') {
      file.pop_back();
    }
    reject(origin.text(), commit, "zones/" + file + ".yaml",
           "zone file removed; the last published version keeps serving. "
           "To withdraw the zone, ask the operator to remove " +
               origin.text() + " from the tenant's allowed zones");
  }
}

std::string Reconciler::zone_of_file(const zone::LoadedTenant& loaded,
                                     const std::string& location) {
  for (const zone::LoadedZone& z : loaded.zones) {
    const std::string& path = z.file->path;
    if (!path.empty() && location.rfind(path, 0) == 0) {
      return z.zone.origin().text();
    }
  }
  return "";
}

bool Reconciler::reconcile_zone(const zone::LoadedTenant& loaded,
                                zone::LoadedZone& loaded_zone,
                                const state::CommitInfo& commit) {
  const zone::Name& origin = loaded_zone.zone.origin();
  if (!context_.claims->owned_by(origin.text(), tenant())) {
    reject(origin.text(), commit.id, loaded_zone.file->zone_location.text(),
           "zone " + origin.text() + " belongs to tenant " +
               context_.claims->owner(origin.text()));
    return false;
  }

  auto policy_it = loaded.policies.find(loaded_zone.file->policy);
  model::Policy policy = policy_it != loaded.policies.end()
                             ? policy_it->second
                             : model::default_policy();
  std::string fingerprint = policy_fingerprint(policy);
  std::vector<transfer::SecondaryPeer> peers =
      peers_for(loaded.secondaries, loaded_zone.file->secondaries);

  std::shared_ptr<ZoneState>& slot = zones_[origin];
  bool first = slot == nullptr;
  if (first) {
    slot = std::make_shared<ZoneState>();
    slot->origin = origin;
  }
  ZoneState& state = *slot;
  bool was_restored = !first && !state.policy_known;
  // NOTE: the store keeps no policy, so a policy edited while the service
  // was down takes effect with the zone's next change or refresh.
  bool policy_changed =
      !was_restored && fingerprint != state.policy_fingerprint;
  if (!first) {
    // Unchanged names then share memory with the published version, and
    // the comparisons below and in the signer skip them at once.
    loaded_zone.zone.share_nodes_with(*state.version.unsigned_zone);
  }
  bool inputs_changed = first || state.rejected_since_publish ||
                        policy_changed ||
                        !same_data_ignoring_serial(*state.version.unsigned_zone,
                                                   loaded_zone.zone);
  bool peers_changed = !same_peers(peers, state.secondaries);

  state.policy = policy;
  state.policy_fingerprint = fingerprint;
  state.policy_known = true;
  state.serial_policy = serial_policy(loaded_zone.file->soa.serial);
  state.secondaries = peers;

  if (!inputs_changed) {
    if (was_restored) {
      state.version.refresh_due = restored_refresh_due(state);
    }
    if (peers_changed) {
      publish_current(state);
    }
    return false;
  }
  auto input = std::make_shared<zone::Zone>(std::move(loaded_zone.zone));
  return publish_zone(state, std::move(input), commit, "commit");
}

UnixTime Reconciler::restored_refresh_due(const ZoneState& state) {
  UnixTime expiry = 0;
  try {
    std::optional<state::Version> latest =
        context_.store->latest_version(tenant(), state.origin);
    expiry = latest ? latest->signature_expiry : 0;
  } catch (const std::exception& e) {
    spdlog::warn("signature expiry unknown: tenant={} zone={} error={}",
                 tenant(), state.origin.text(), e.what());
  }
  // Without a known expiry, re-sign now rather than risk expired RRSIGs.
  return expiry == 0 ? context_.clock->now()
                     : expiry - state.policy.signature_refresh;
}

// NOTE: key events (a rollover step coming due) wake the loop only when
// the signer folds them into SignedVersion::refresh_due, because the
// signer exposes no separate key schedule.
int Reconciler::resign_due() {
  UnixTime now = context_.clock->now();
  int published = 0;
  for (auto& [origin, zone] : zones_) {
    if (!zone->policy_known || zone->version.refresh_due == 0 ||
        zone->version.refresh_due > now) {
      continue;
    }
    auto input = std::make_shared<zone::Zone>(*zone->version.unsigned_zone);
    published += publish_zone(*zone, input, zone->commit, "refresh") ? 1 : 0;
  }
  return published;
}

bool Reconciler::publish_zone(ZoneState& state,
                              std::shared_ptr<zone::Zone> input,
                              const state::CommitInfo& commit,
                              const std::string& reason) {
  auto started = std::chrono::steady_clock::now();
  UnixTime now = context_.clock->now();
  const std::string zone_name = state.origin.text();
  bool first = state.version.signed_zone == nullptr;
  try {
    // Serials move forward in RFC 1982 terms, also for a refresh alone.
    std::optional<uint32_t> last;
    if (!first) {
      last = state.serial;
    }
    uint32_t serial = state::next_serial(state.serial_policy, last, now);
    input->set_serial(serial);

    if (!context_.keys) {
      context_.keys = open_key_store(context_.tenant);
    }
    if (!signer_) {
      signer_ = std::make_unique<kasp::ZoneSigner>(
          *context_.keys, *context_.clock, context_.signer_threads);
    }
    kasp::SignedVersion version =
        signer_->sign(input, state.policy, first ? nullptr : &state.version);

    std::shared_ptr<const zone::ZoneDiff> diff;
    if (!first) {
      diff = std::make_shared<zone::ZoneDiff>(
          zone::diff_zones(*state.version.signed_zone, *version.signed_zone));
    }
    state::PublishRequest request;
    request.tenant = tenant();
    request.signed_zone = version.signed_zone.get();
    request.diff = diff.get();
    request.commit = commit;
    request.signature_expiry =
        version.earliest_expiration == std::numeric_limits<UnixTime>::max()
            ? 0
            : version.earliest_expiration;
    request.reason = reason;
    context_.store->record_publish(request);

    state.version = version;
    state.serial = serial;
    state.commit = commit;
    state.rejected_since_publish = false;
    append_journal(state, diff);
    publish_current(state);

    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - started)
                         .count();
    spdlog::info(
        "zone published: tenant={} zone={} serial={} commit={} reason={} "
        "rrsigs_made={} visited={} seconds={:.3f}",
        tenant(), zone_name, serial, commit.id, reason, version.rrsigs_made,
        version.visited_changes_only ? "changes" : "all", seconds);
    std::lock_guard lock(mutex_);
    ZoneCounters& counters = counters_[zone_name];
    counters.publishes++;
    counters.sign_count++;
    counters.sign_seconds += seconds;
    return true;
  } catch (const std::exception& e) {
    reject(zone_name, commit.id, "", e.what());
    if (first) {
      zone::Name origin = state.origin;
      zones_.erase(origin);  // nothing of it was published
    } else {
      // A failed refresh is retried later, not on every pass of the loop.
      state.version.refresh_due = now + kRetryDelay;
    }
    return false;
  }
}

void Reconciler::append_journal(ZoneState& state,
                                std::shared_ptr<const zone::ZoneDiff> diff) {
  if (!diff) {
    state.journal.clear();
    return;
  }
  state.journal.push_back(std::move(diff));
  size_t depth = static_cast<size_t>(std::max(context_.journal_depth, 0));
  if (state.journal.size() > depth) {
    state.journal.erase(state.journal.begin(),
                        state.journal.end() - static_cast<long>(depth));
  }
}

void Reconciler::publish_current(const ZoneState& state) {
  auto zone = std::make_shared<transfer::PublishedZone>();
  zone->tenant = tenant();
  zone->zone = state.version.signed_zone;
  zone->journal = state.journal;
  zone->secondaries = state.secondaries;
  zone->tsig_keys = context_.tsig_keys;
  context_.server->publish(std::move(zone));
}

int Reconciler::restore() {
  std::vector<model::Secondary> secondaries = restore_secondaries();
  int restored = 0;
  for (const auto& [owner, origin] : context_.store->published_zones()) {
    if (owner != tenant()) {
      continue;
    }
    // The operator withdraws a zone by taking it out of allowed_zones.
    if (!context_.claims->owned_by(origin.text(), tenant())) {
      spdlog::warn("zone not restored, no longer allowed: tenant={} zone={}",
                   tenant(), origin.text());
      continue;
    }
    try {
      restore_zone(origin, secondaries);
      ++restored;
    } catch (const std::exception& e) {
      spdlog::error("zone not restored: tenant={} zone={} error={}", tenant(),
                    origin.text(), e.what());
    }
  }
  return restored;
}

void Reconciler::restore_zone(
    const zone::Name& origin,
    const std::vector<model::Secondary>& secondaries) {
  std::shared_ptr<zone::Zone> snapshot =
      context_.store->zone_snapshot(tenant(), origin);
  std::optional<state::Version> latest =
      context_.store->latest_version(tenant(), origin);
  if (!snapshot || !latest) {
    return;
  }
  // NOTE: a restored zone is re-signed only once a commit of the tenant has
  // loaded again, because its policy lives in the repository. While the
  // repository stays unreachable, the restored signatures age.
  auto state = std::make_shared<ZoneState>();
  state->origin = origin;
  state->version.unsigned_zone = strip_dnssec(*snapshot);
  state->version.signed_zone = snapshot;
  state->version.earliest_expiration = latest->signature_expiry;
  state->serial = latest->serial;
  state->commit = latest->commit;
  state->secondaries = peers_for(secondaries, {});
  for (zone::ZoneDiff& diff : context_.store->journal(tenant(), origin)) {
    state->journal.push_back(std::make_shared<zone::ZoneDiff>(std::move(diff)));
  }
  publish_current(*state);
  zones_[origin] = std::move(state);
  spdlog::info("zone restored: tenant={} zone={} serial={} commit={}", tenant(),
               origin.text(), latest->serial, latest->commit.id);
}

// The secondaries of the last published commit, read without building any
// zone, so a restart serves transfers before the catch-up finishes.
std::vector<model::Secondary> Reconciler::restore_secondaries() {
  std::string commit;
  for (const auto& [owner, origin] : context_.store->published_zones()) {
    if (owner == tenant()) {
      std::optional<state::Version> v =
          context_.store->latest_version(tenant(), origin);
      if (v && !v->commit.id.empty()) {
        commit = v->commit.id;
      }
    }
  }
  if (commit.empty()) {
    return {};
  }
  try {
    open_repository();
    repo::GitSource source(*repository_, commit, context_.tenant.subfolder);
    std::optional<std::string> text = source.read("secondaries.yaml");
    model::Diagnostics diagnostics;
    return text ? model::parse_secondaries_file("secondaries.yaml", *text,
                                                diagnostics)
                : std::vector<model::Secondary>{};
  } catch (const std::exception& e) {
    spdlog::warn("secondaries not restored: tenant={} commit={} error={}",
                 tenant(), commit, e.what());
    return {};
  }
}

}  // namespace signet::service
