// `signet status` and `signet history`: read-only views of the state
// database, safe to run while `signet run` writes it.
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "base/clock.h"
#include "cli/commands.h"
#include "model/config_loader.h"
#include "state/store.h"
#include "zone/rdata.h"

namespace signet::cli {

namespace {

// "2026-12-04 17:03:32 UTC", or "-" for 0.
std::string format_time(UnixTime time) {
  return format_utc(time, "%Y-%m-%d %H:%M:%S UTC");
}

std::string short_commit(const std::string& id) {
  return id.substr(0, 12);
}

// Loads the operator config, printing its errors. Returns nullopt when the
// config is unusable.
std::optional<model::OperatorConfig> load_config(const std::string& path) {
  model::Diagnostics diagnostics;
  model::OperatorConfig config = model::load_operator_config(path, diagnostics);
  for (const model::Diagnostic& d : diagnostics.all()) {
    std::fprintf(stderr, "%s\n", d.text().c_str());
  }
  if (diagnostics.has_errors()) {
    return std::nullopt;
  }
  return config;
}

std::unique_ptr<state::Store> open_store(const model::OperatorConfig& config) {
  state::StoreOptions options;
  options.read_only = true;
  options.journal_depth = config.journal_depth;
  return std::make_unique<state::Store>(config.state_dir,
                                        SystemClock::instance(), options);
}

// One zone of `signet status`, whether or not the state has it yet.
struct ZoneRow {
  std::string tenant;
  std::string zone;
  const state::ZoneStatus* stored = nullptr;
};

// Zones of every tenant in the config (allowed zones), plus zones the
// state holds for tenants or zones no longer configured.
std::vector<ZoneRow> status_rows(const model::OperatorConfig& config,
                                 const state::StatusSnapshot& snapshot) {
  std::map<std::pair<std::string, std::string>, const state::ZoneStatus*> rows;
  for (const model::Tenant& tenant : config.tenants) {
    for (const std::string& zone : tenant.allowed_zones) {
      rows[{tenant.name, zone}] = nullptr;
    }
  }
  for (const state::ZoneStatus& z : snapshot.zones) {
    rows[{z.tenant, z.zone.text()}] = &z;
  }
  std::vector<ZoneRow> out;
  for (const auto& [key, stored] : rows) {
    out.push_back({key.first, key.second, stored});
  }
  return out;
}

std::string secondaries_text(const state::ZoneStatus& z, uint32_t serial) {
  std::string out;
  for (const state::SecondaryState& s : z.secondaries) {
    out += "\n    secondary " + s.secondary + ": ";
    out += s.in_sync ? "in sync" : "not in sync";
    if (s.serial_served) {
      out += " (serves " + std::to_string(*s.serial_served);
      out += *s.serial_served == serial ? ")" : ", behind)";
    } else {
      out += " (never transferred)";
    }
  }
  return out;
}

void print_status_text(const std::vector<ZoneRow>& rows,
                       const state::StatusSnapshot& snapshot, UnixTime now) {
  for (const state::Rejection& r : snapshot.tenant_rejections) {
    std::printf("tenant %s: last rejected commit %s at %s: %s%s%s\n",
                r.tenant.c_str(), short_commit(r.commit).c_str(),
                format_time(r.time).c_str(), r.location.c_str(),
                r.location.empty() ? "" : ": ", r.reason.c_str());
  }
  for (const ZoneRow& row : rows) {
    std::printf("%s %s\n", row.tenant.c_str(), row.zone.c_str());
    const state::ZoneStatus* z = row.stored;
    if (z == nullptr || !z->published) {
      std::printf("  published: none\n");
    } else {
      const state::Version& v = *z->published;
      std::printf("  published: serial %u, commit %s, at %s\n", v.serial,
                  short_commit(v.commit.id).c_str(),
                  format_time(v.publish_time).c_str());
      const char* expired = v.signature_expiry != 0 && v.signature_expiry <= now
                                ? " (EXPIRED)"
                                : "";
      std::printf("  signatures expire: %s%s\n",
                  format_time(v.signature_expiry).c_str(), expired);
    }
    if (z != nullptr && z->last_rejection) {
      const state::Rejection& r = *z->last_rejection;
      std::printf("  last rejected commit: %s at %s: %s%s%s\n",
                  short_commit(r.commit).c_str(), format_time(r.time).c_str(),
                  r.location.c_str(), r.location.empty() ? "" : ": ",
                  r.reason.c_str());
    }
    if (z != nullptr && !z->secondaries.empty()) {
      uint32_t serial = z->published ? z->published->serial : 0;
      std::printf("  secondaries:%s\n", secondaries_text(*z, serial).c_str());
    }
  }
}

nlohmann::json rejection_json(const state::Rejection& r) {
  return {{"commit", r.commit},
          {"location", r.location},
          {"reason", r.reason},
          {"time", r.time}};
}

void print_status_json(const std::vector<ZoneRow>& rows,
                       const state::StatusSnapshot& snapshot) {
  nlohmann::json zones = nlohmann::json::array();
  for (const ZoneRow& row : rows) {
    nlohmann::json z = {{"tenant", row.tenant},
                        {"zone", row.zone},
                        {"published", nullptr},
                        {"last_rejection", nullptr},
                        {"secondaries", nlohmann::json::array()}};
    if (row.stored != nullptr && row.stored->published) {
      const state::Version& v = *row.stored->published;
      z["published"] = {{"serial", v.serial},
                        {"commit", v.commit.id},
                        {"publish_time", v.publish_time},
                        {"signature_expiry", v.signature_expiry}};
    }
    if (row.stored != nullptr && row.stored->last_rejection) {
      z["last_rejection"] = rejection_json(*row.stored->last_rejection);
    }
    if (row.stored != nullptr) {
      for (const state::SecondaryState& s : row.stored->secondaries) {
        z["secondaries"].push_back(
            {{"name", s.secondary},
             {"serial_served", s.serial_served
                                   ? nlohmann::json(*s.serial_served)
                                   : nlohmann::json()},
             {"last_notify_ack", s.last_notify_ack},
             {"last_transfer", s.last_transfer},
             {"in_sync", s.in_sync}});
      }
    }
    zones.push_back(std::move(z));
  }
  nlohmann::json tenants = nlohmann::json::array();
  for (const state::Rejection& r : snapshot.tenant_rejections) {
    tenants.push_back(
        {{"tenant", r.tenant}, {"last_rejection", rejection_json(r)}});
  }
  nlohmann::json doc = {{"zones", zones}, {"tenant_rejections", tenants}};
  std::printf("%s\n",
              doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                  .c_str());
}

int run_status(const std::string& config_path, const std::string& format) {
  std::optional<model::OperatorConfig> config = load_config(config_path);
  if (!config) {
    return kExitInvalid;
  }
  std::unique_ptr<state::Store> store = open_store(*config);
  state::StatusSnapshot snapshot = store->status();
  std::vector<ZoneRow> rows = status_rows(*config, snapshot);
  if (format == "json") {
    print_status_json(rows, snapshot);
  } else {
    print_status_text(rows, snapshot, SystemClock::instance().now());
  }
  return kExitOk;
}

// The tenant that owns `zone`: `requested` when given, else the single
// configured tenant allowed to publish it, else the single tenant the
// state has versions for.
std::optional<std::string> history_tenant(const model::OperatorConfig& config,
                                          state::Store& store,
                                          const zone::Name& zone,
                                          const std::string& requested) {
  if (!requested.empty()) {
    return requested;
  }
  std::set<std::string> owners;
  for (const model::Tenant& tenant : config.tenants) {
    for (const std::string& allowed : tenant.allowed_zones) {
      if (allowed == zone.text()) {
        owners.insert(tenant.name);
      }
    }
  }
  if (owners.empty()) {
    for (const auto& [tenant, name] : store.published_zones()) {
      if (name == zone) {
        owners.insert(tenant);
      }
    }
  }
  if (owners.size() == 1) {
    return *owners.begin();
  }
  if (owners.empty()) {
    std::fprintf(stderr,
                 "signet: error: no tenant has zone %s; check the zone name "
                 "or pass --tenant\n",
                 zone.text().c_str());
  } else {
    std::string names;
    for (const std::string& owner : owners) {
      names += " " + owner;
    }
    std::fprintf(stderr,
                 "signet: error: zone %s belongs to several tenants (%s); "
                 "pass --tenant\n",
                 zone.text().c_str(), names.c_str() + 1);
  }
  return std::nullopt;
}

bool is_dnssec_type(zone::RrType type) {
  using namespace zone::rrtype;
  return type == RRSIG || type == NSEC || type == NSEC3 || type == NSEC3PARAM ||
         type == DNSKEY || type == CDS || type == CDNSKEY;
}

// Prints a version's record changes; DNSSEC records only as counts unless
// `all_records`.
void print_diff(const zone::ZoneDiff& diff, bool all_records) {
  size_t dnssec_removed = 0;
  size_t dnssec_added = 0;
  auto print = [&](const std::vector<zone::Rr>& rrs, char sign,
                   size_t& dnssec) {
    for (const zone::Rr& rr : rrs) {
      if (rr.type == zone::rrtype::SOA) {
        continue;
      }
      if (!all_records && is_dnssec_type(rr.type)) {
        ++dnssec;
        continue;
      }
      std::printf("    %c %s\n", sign, zone::format_rr(rr).c_str());
    }
  };
  print(diff.removed, '-', dnssec_removed);
  print(diff.added, '+', dnssec_added);
  if (dnssec_removed + dnssec_added > 0) {
    std::printf(
        "    (DNSSEC records: %zu removed, %zu added; --dnssec shows "
        "them)\n",
        dnssec_removed, dnssec_added);
  }
}

void print_version(state::Store& store, const std::string& tenant,
                   const state::Version& v, bool all_records) {
  std::printf("serial %u  commit %s  published %s\n", v.serial,
              v.commit.id.empty() ? "-" : v.commit.id.c_str(),
              format_time(v.publish_time).c_str());
  if (!v.commit.author.empty()) {
    std::printf("  author: %s, %s\n", v.commit.author.c_str(),
                format_time(v.commit.time).c_str());
  }
  if (v.reason != "commit") {
    std::printf("  reason: %s\n", v.reason.c_str());
  }
  std::string message = v.commit.message;
  while (!message.empty() && message.back() == '\n') {
    message.pop_back();
  }
  size_t start = 0;
  while (!message.empty() && start <= message.size()) {
    size_t end = message.find('\n', start);
    std::printf("    %s\n", message.substr(start, end - start).c_str());
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  if (!v.has_diff) {
    std::printf("  changes: not in the journal (first version, or pruned)\n");
  } else if (std::optional<zone::ZoneDiff> diff =
                 store.diff_to(tenant, v.zone, v.serial)) {
    std::printf("  changes:\n");
    print_diff(*diff, all_records);
  }
  std::printf("\n");
}

int run_history(const std::string& config_path, const std::string& tenant,
                const std::string& zone_text, size_t limit, bool all_records) {
  std::string error;
  std::optional<zone::Name> zone = zone::Name::parse(zone_text, &error);
  if (!zone) {
    std::fprintf(stderr, "signet: error: zone name '%s' is invalid: %s\n",
                 zone_text.c_str(), error.c_str());
    return kExitUsage;
  }
  std::optional<model::OperatorConfig> config = load_config(config_path);
  if (!config) {
    return kExitInvalid;
  }
  std::unique_ptr<state::Store> store = open_store(*config);
  std::optional<std::string> owner =
      history_tenant(*config, *store, *zone, tenant);
  if (!owner) {
    return kExitUsage;
  }
  std::vector<state::Version> versions = store->history(*owner, *zone, limit);
  if (versions.empty()) {
    std::printf("tenant %s zone %s: no published version\n", owner->c_str(),
                zone->text().c_str());
    return kExitOk;
  }
  std::printf("tenant %s zone %s\n\n", owner->c_str(), zone->text().c_str());
  for (const state::Version& v : versions) {
    print_version(*store, *owner, v, all_records);
  }
  return kExitOk;
}

// Runs `body` and turns state errors into a message and exit status 2.
template <typename Fn>
int guarded(Fn body) {
  try {
    return body();
  } catch (const state::StoreError& e) {
    std::fprintf(stderr, "signet: error: %s\n", e.what());
    return kExitUsage;
  }
}

}  // namespace

void add_status_history_commands(CLI::App& app, int& exit_code) {
  struct StatusOptions {
    std::string config;
    std::string format = "text";
  };
  auto status_options = std::make_shared<StatusOptions>();
  CLI::App* status = app.add_subcommand(
      "status",
      "Show each tenant's zones: published serial and commit, last rejected "
      "commit and why, signature expiry, secondaries in sync");
  status
      ->add_option("--config", status_options->config,
                   "Operator configuration file (signet.yaml)")
      ->required();
  status
      ->add_option("--format", status_options->format,
                   "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  status->callback([status_options, &exit_code] {
    exit_code = guarded([&] {
      return run_status(status_options->config, status_options->format);
    });
  });

  struct HistoryOptions {
    std::string config;
    std::string tenant;
    std::string zone;
    size_t limit = 0;
    bool dnssec = false;
  };
  auto history_options = std::make_shared<HistoryOptions>();
  CLI::App* history = app.add_subcommand(
      "history",
      "List the published versions of a zone with serial, commit, author, "
      "time, message and record changes");
  history
      ->add_option("--config", history_options->config,
                   "Operator configuration file (signet.yaml)")
      ->required();
  history->add_option("--tenant", history_options->tenant,
                      "Tenant that owns the zone (needed only when several "
                      "tenants list it)");
  history->add_option("--limit", history_options->limit,
                      "Show at most this many versions, newest first "
                      "(default: all)");
  history->add_flag("--dnssec", history_options->dnssec,
                    "Also list changed DNSSEC records (RRSIG, NSEC, NSEC3, "
                    "DNSKEY, CDS, CDNSKEY)");
  history->add_option("ZONE", history_options->zone, "Zone name")->required();
  history->callback([history_options, &exit_code] {
    exit_code = guarded([&] {
      return run_history(history_options->config, history_options->tenant,
                         history_options->zone, history_options->limit,
                         history_options->dnssec);
    });
  });
}

}  // namespace signet::cli
