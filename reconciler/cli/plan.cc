// `signet plan`: what a change between two commits does to each zone.
#include "zone/plan.h"

#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "cli/commands.h"
#include "repo/git.h"
#include "zone/load.h"
#include "zone/rdata.h"

namespace signet::cli {

namespace {

namespace fs = std::filesystem;

struct PlanOptions {
  std::string repository;
  std::string base;
  std::string head = "HEAD";
  std::string subfolder;
  std::string format = "text";
  std::string output;
  std::string cache;
};

// A default cache folder for a remote URL, stable across runs.
std::string cache_for(const std::string& url) {
  return (fs::temp_directory_path() /
          ("signet-plan-" + std::to_string(std::hash<std::string>()(url))))
      .string();
}

nlohmann::json rrset_json(const zone::RrsetChange& change,
                          const zone::Rrset& rrset) {
  nlohmann::json records = nlohmann::json::array();
  for (const std::string& rdata : rrset.rdatas) {
    records.push_back(zone::format_rdata(change.type, rdata));
  }
  return {{"ttl", rrset.ttl}, {"records", records}};
}

std::string format_plan_json(const zone::Plan& plan) {
  nlohmann::json zones = nlohmann::json::array();
  for (const zone::ZonePlan& zone : plan.zones) {
    nlohmann::json changes = nlohmann::json::array();
    for (const zone::RrsetChange& change : zone.changes) {
      nlohmann::json item = {{"owner", change.owner.text()},
                             {"type", zone::type_name(change.type)},
                             {"change", zone::change_kind_name(change.kind)}};
      if (change.before) {
        item["before"] = rrset_json(change, *change.before);
      }
      if (change.after) {
        item["after"] = rrset_json(change, *change.after);
      }
      changes.push_back(std::move(item));
    }
    zones.push_back({{"zone", zone.origin.text()},
                     {"change", zone::change_kind_name(zone.kind)},
                     {"rrsets", zone.rrset_count},
                     {"changes", std::move(changes)}});
  }
  nlohmann::json out = {
      {"base", plan.base}, {"head", plan.head}, {"zones", std::move(zones)}};
  return out.dump(2) + "\n";
}

std::vector<const zone::Zone*> zones_of(const zone::LoadedTenant& tenant) {
  std::vector<const zone::Zone*> out;
  for (const zone::LoadedZone& loaded : tenant.zones) {
    out.push_back(&loaded.zone);
  }
  return out;
}

// "REV (0123456789ab)", or just the id when REV is the id.
std::string label(const std::string& revision, const std::string& id) {
  std::string short_id = id.substr(0, 12);
  if (id.rfind(revision, 0) == 0) {
    return short_id;
  }
  return revision + " (" + short_id + ")";
}

int run_plan(const PlanOptions& options) {
  std::string cache =
      options.cache.empty() ? cache_for(options.repository) : options.cache;
  repo::Repository repository =
      repo::Repository::open_any(options.repository, cache);
  std::string base_id = repository.resolve(options.base);
  std::string head_id = repository.resolve(options.head);

  repo::GitSource head_source(repository, head_id, options.subfolder);
  model::Diagnostics head_diagnostics;
  zone::LoadedTenant head = zone::load_tenant(head_source, head_diagnostics);
  if (head_diagnostics.has_errors()) {
    head_diagnostics.sort();
    for (const model::Diagnostic& d : head_diagnostics.all()) {
      std::cerr << d.text() << "\n";
    }
    std::cerr << "signet plan: head " << label(options.head, head_id)
              << " is invalid: " << head_diagnostics.error_count()
              << " error(s)\n";
    return kExitInvalid;
  }

  // The base is compared as loaded even when it has errors, because a
  // change may be the fix for them.
  model::Diagnostics base_diagnostics;
  zone::LoadedTenant base;
  try {
    repo::GitSource base_source(repository, base_id, options.subfolder);
    base = zone::load_tenant(base_source, base_diagnostics);
  } catch (const repo::GitError&) {
    // The subfolder may not exist yet at the base: every zone is new.
  }
  if (base_diagnostics.has_errors()) {
    std::cerr << "signet plan: warning: base " << label(options.base, base_id)
              << " has " << base_diagnostics.error_count()
              << " error(s); comparing the zones that loaded\n";
  }

  zone::Plan plan = zone::make_plan(zones_of(base), zones_of(head));
  plan.base = label(options.base, base_id);
  plan.head = label(options.head, head_id);
  std::string text;
  if (options.format == "json") {
    text = format_plan_json(plan);
  } else if (options.format == "markdown") {
    text = zone::format_plan_markdown(plan);
  } else {
    text = zone::format_plan_text(plan);
  }
  if (options.output.empty()) {
    std::cout << text;
  } else {
    write_file_atomic(options.output, text);
  }
  return kExitOk;
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<PlanOptions>();
  CLI::App* plan = app.add_subcommand(
      "plan",
      "Show the RRsets each zone gains, loses or changes between two commits");
  plan->add_option("repository", options->repository,
                   "Git repository: a local path, or a URL to mirror")
      ->required();
  plan->add_option("--base", options->base,
                   "Revision to compare from (branch, tag, commit, HEAD~1)")
      ->required();
  plan->add_option("--head", options->head,
                   "Revision to compare to (default: HEAD)");
  plan->add_option("--subfolder", options->subfolder,
                   "Folder of the tenant files inside the repository");
  plan->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  plan->add_option("--output", options->output,
                   "Write the plan to this file instead of standard output");
  plan->add_option("--cache", options->cache,
                   "Folder for the mirror of a remote repository");
  plan->callback([options, &exit_code]() {
    try {
      exit_code = run_plan(*options);
    } catch (const std::exception& e) {
      std::cerr << "signet plan: error: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace signet::cli
