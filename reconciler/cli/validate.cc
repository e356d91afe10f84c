// `signet validate`: checks a tenant repository (a folder or a Git
// revision) and reports every problem in one run.
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "model/config_loader.h"
#include "model/source.h"
#include "repo/git.h"
#include "zone/load.h"

namespace signet::cli {

namespace {

namespace fs = std::filesystem;

struct ValidateOptions {
  std::string path;
  std::string config;
  std::string tenant;
  std::string revision;
  std::string format = "text";
};

// Escapes a GitHub Actions workflow command value; properties also escape
// ':' and ','.
std::string github_escape(const std::string& text, bool property) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else if (property && c == ':') {
      out += "%3A";
    } else if (property && c == ',') {
      out += "%2C";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void print_text(const model::Diagnostics& diagnostics,
                const std::string& subject, size_t zones) {
  size_t warnings = diagnostics.all().size() - diagnostics.error_count();
  for (const model::Diagnostic& d : diagnostics.all()) {
    std::cout << d.text() << "\n";
  }
  if (diagnostics.has_errors()) {
    std::cout << subject << ": invalid, " << diagnostics.error_count()
              << " error(s), " << warnings << " warning(s)\n";
  } else {
    std::cout << subject << ": valid, " << zones << " zone(s), " << warnings
              << " warning(s)\n";
  }
}

void print_github(const model::Diagnostics& diagnostics) {
  for (const model::Diagnostic& d : diagnostics.all()) {
    std::cout << (d.severity == model::Severity::kError ? "::error"
                                                        : "::warning")
              << " file=" << github_escape(d.location.file, true);
    if (d.location.line > 0) {
      std::cout << ",line=" << d.location.line;
      if (d.location.column > 0) {
        std::cout << ",col=" << d.location.column;
      }
    }
    std::cout << "::" << github_escape(d.message, false) << "\n";
  }
}

void print_json(const model::Diagnostics& diagnostics,
                const std::string& subject,
                const std::vector<std::string>& zones) {
  nlohmann::json out;
  out["path"] = subject;
  out["valid"] = !diagnostics.has_errors();
  out["errors"] = diagnostics.error_count();
  out["warnings"] = diagnostics.all().size() - diagnostics.error_count();
  out["zones"] = zones;
  out["diagnostics"] = nlohmann::json::array();
  for (const model::Diagnostic& d : diagnostics.all()) {
    out["diagnostics"].push_back(
        {{"file", d.location.file},
         {"line", d.location.line},
         {"column", d.location.column},
         {"severity",
          d.severity == model::Severity::kError ? "error" : "warning"},
         {"message", d.message}});
  }
  std::cout << out.dump(2) << "\n";
}

void print(const ValidateOptions& options,
           const model::Diagnostics& diagnostics, const std::string& subject,
           const std::vector<std::string>& zones) {
  if (options.format == "json") {
    print_json(diagnostics, subject, zones);
  } else if (options.format == "github") {
    print_github(diagnostics);
  } else {
    print_text(diagnostics, subject, zones.size());
  }
}

// Prefixes every message's file with `prefix` (the folder or subfolder
// the tenant's files were read from), so paths are right for the reader.
model::Diagnostics with_prefix(const model::Diagnostics& diagnostics,
                               const std::string& prefix) {
  model::Diagnostics out;
  for (model::Diagnostic d : diagnostics.all()) {
    if (!prefix.empty() && !d.location.file.empty()) {
      d.location.file =
          (fs::path(prefix) / d.location.file).lexically_normal().string();
    }
    out.add(std::move(d));
  }
  out.sort();
  return out;
}

// Loads the tenant named in the options from the operator configuration.
// Returns nullptr after printing the reason when it cannot.
std::unique_ptr<model::Tenant> load_tenant_config(
    const ValidateOptions& options) {
  model::Diagnostics diagnostics;
  model::OperatorConfig config =
      model::load_operator_config(options.config, diagnostics);
  if (diagnostics.has_errors()) {
    diagnostics.sort();
    print(options, diagnostics, options.config, {});
    return nullptr;
  }
  for (const model::Tenant& tenant : config.tenants) {
    if (tenant.name == options.tenant) {
      return std::make_unique<model::Tenant>(tenant);
    }
  }
  std::vector<std::string> names;
  for (const model::Tenant& tenant : config.tenants) {
    names.push_back(tenant.name);
  }
  std::cerr << "signet validate: tenant '" << options.tenant
            << "' not found in " << options.config << "; configured tenants: ";
  for (size_t i = 0; i < names.size(); ++i) {
    std::cerr << (i > 0 ? ", " : "") << names[i];
  }
  std::cerr << "\n";
  return nullptr;
}

std::vector<std::string> zone_names(const zone::LoadedTenant& tenant) {
  std::vector<std::string> names;
  for (const zone::LoadedZone& zone : tenant.zones) {
    names.push_back(zone.zone.origin().text());
  }
  return names;
}

int validate_file(const ValidateOptions& options) {
  model::Diagnostics diagnostics;
  std::string text;
  try {
    // An absolute path is read from its folder: the folder source joins
    // what it reads onto its root.
    fs::path path(options.path);
    bool absolute = path.is_absolute();
    model::FolderSource source(absolute ? path.parent_path().string() : ".");
    std::optional<std::string> read =
        source.read(absolute ? path.filename().string() : options.path);
    if (!read) {
      std::cerr << "signet validate: cannot read " << options.path << "\n";
      return kExitUsage;
    }
    text = *read;
  } catch (const std::exception& e) {
    std::cerr << "signet validate: " << e.what() << "\n";
    return kExitUsage;
  }
  std::optional<zone::LoadedZone> zone =
      zone::load_zone_yaml(options.path, text, diagnostics);
  diagnostics.sort();
  std::vector<std::string> zones;
  if (zone) {
    zones.push_back(zone->zone.origin().text());
  }
  print(options, diagnostics, options.path, zones);
  return diagnostics.has_errors() ? kExitInvalid : kExitOk;
}

// Returns an error message for options that do not fit together, or "".
std::string usage_problem(const ValidateOptions& options) {
  if (options.config.empty() != options.tenant.empty()) {
    return "--config and --tenant go together";
  }
  if (options.format != "text" && options.format != "json" &&
      options.format != "github") {
    return "--format must be text, json or github";
  }
  return "";
}

// The tenant's repository as a path relative to the working folder when it
// is below it, so messages stay short.
std::string display_path(const std::string& repository) {
  fs::path relative =
      fs::path(repository).lexically_proximate(fs::current_path());
  bool below = !relative.empty() && *relative.begin() != "..";
  return below ? relative.string() : repository;
}

// Loads the tenant's files from a folder or a Git revision and prints the
// result. `tenant` may be null.
int validate_tenant(const ValidateOptions& options,
                    const model::Tenant* tenant) {
  std::string subfolder = tenant != nullptr ? tenant->subfolder : "";
  model::Diagnostics diagnostics;
  zone::LoadedTenant loaded;
  std::string prefix;
  try {
    std::unique_ptr<model::FileSource> source;
    if (options.revision.empty()) {
      prefix = (fs::path(options.path) / subfolder).lexically_normal().string();
      source = std::make_unique<model::FolderSource>(prefix);
    } else {
      // Paths in messages are relative to the repository root, as CI
      // annotations expect.
      repo::Repository repository = repo::Repository::open(options.path);
      source = std::make_unique<repo::GitSource>(repository, options.revision,
                                                 subfolder);
      prefix = subfolder;
    }
    loaded = tenant != nullptr
                 ? zone::load_tenant(*source, diagnostics, *tenant)
                 : zone::load_tenant(*source, diagnostics);
  } catch (const std::exception& e) {
    std::cerr << "signet validate: " << e.what() << "\n";
    return kExitUsage;
  }

  if (prefix == ".") {
    prefix.clear();
  }
  model::Diagnostics shown = with_prefix(diagnostics, prefix);
  std::string subject = options.path;
  if (!options.revision.empty()) {
    subject += "@" + options.revision;
  }
  print(options, shown, subject, zone_names(loaded));
  return shown.has_errors() ? kExitInvalid : kExitOk;
}

int run_validate(ValidateOptions options) {
  if (std::string problem = usage_problem(options); !problem.empty()) {
    std::cerr << "signet validate: " << problem << "\n";
    return kExitUsage;
  }

  std::unique_ptr<model::Tenant> tenant;
  if (!options.config.empty()) {
    tenant = load_tenant_config(options);
    if (tenant == nullptr) {
      return kExitUsage;
    }
    if (options.path.empty()) {
      options.path = display_path(tenant->repository);
    }
  }
  if (options.path.empty()) {
    std::cerr << "signet validate: missing the tenant folder or repository "
                 "to check; give its path, or --config and --tenant\n";
    return kExitUsage;
  }
  if (repo::is_remote_url(options.path)) {
    std::cerr << "signet validate: " << options.path
              << " is a URL; clone it and give the local path\n";
    return kExitUsage;
  }

  std::error_code ec;
  if (options.revision.empty() && fs::is_regular_file(options.path, ec)) {
    return validate_file(options);
  }
  if (options.revision.empty() && !fs::is_directory(options.path, ec)) {
    std::cerr << "signet validate: " << options.path
              << " not found or not a folder or file\n";
    return kExitUsage;
  }
  return validate_tenant(options, tenant.get());
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command = app.add_subcommand(
      "validate",
      "Check a tenant's zones, policies and secondaries (a folder, a Git "
      "revision, or one zone file) and report every problem");
  command->add_option("path", options->path,
                      "Tenant folder, Git repository (with --rev) or zone "
                      "YAML file; defaults to the tenant's repository with "
                      "--config");
  command->add_option("--config", options->config,
                      "Operator configuration; with --tenant, zones outside "
                      "the tenant's allowed names and unknown TSIG keys are "
                      "errors");
  command->add_option("--tenant", options->tenant,
                      "Tenant name in the operator configuration");
  command->add_option("--rev", options->revision,
                      "Git revision to read without a checkout (branch, tag "
                      "or commit)");
  command
      ->add_option("--format", options->format,
                   "Output format: text, json or github (GitHub Actions "
                   "annotations)")
      ->check(CLI::IsMember({"text", "json", "github"}));
  command->callback(
      [options, &exit_code]() { exit_code = run_validate(*options); });
}

}  // namespace signet::cli
