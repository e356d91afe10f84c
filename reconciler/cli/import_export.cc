// `signet import` (master file to zone YAML) and `signet export` (zone
// YAML to master file).
#include <iostream>
#include <memory>
#include <system_error>

#include "base/file.h"
#include "cli/commands.h"
#include "zone/checks.h"
#include "zone/load.h"
#include "zone/masterfile.h"
#include "zone/to_yaml.h"

namespace signet::cli {

namespace {

struct ImportOptions {
  std::string origin;
  std::optional<uint32_t> ttl;
  std::string output;
  std::string policy = "default";
  bool check_only = false;
  std::string master_file;
};

struct ExportOptions {
  std::string output;
  uint32_t serial = 0;
  std::string zone_file;
};

void print(const model::Diagnostics& diagnostics) {
  for (const model::Diagnostic& d : diagnostics.all()) {
    std::cerr << d.text() << "\n";
  }
}

// Records the signer makes, and ZONEMD, whose digest signing invalidates.
bool made_when_signing(zone::RrType type) {
  return type == zone::rrtype::RRSIG || type == zone::rrtype::NSEC ||
         type == zone::rrtype::NSEC3 || type == zone::rrtype::NSEC3PARAM ||
         type == zone::rrtype::DNSKEY || type == zone::rrtype::ZONEMD;
}

// Removes DNSSEC records from an imported signed zone; returns how many.
size_t strip_signing_records(zone::Zone& zone) {
  std::vector<zone::Rr> dropped;
  zone.for_each_rr([&dropped](const zone::Rr& rr) {
    if (made_when_signing(rr.type)) {
      dropped.push_back(rr);
    }
  });
  for (const zone::Rr& rr : dropped) {
    zone.remove(rr);
  }
  return dropped.size();
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::cout << text;
  } else {
    write_file_atomic(path, text);
  }
}

int run_import(const ImportOptions& options) {
  std::string error;
  auto origin = zone::Name::parse(options.origin, &error);
  if (!origin) {
    std::cerr << "signet import: error: invalid --origin '" << options.origin
              << "': " << error << "\n";
    return kExitUsage;
  }
  zone::MasterFileLocations locations;
  zone::MasterFileOptions read_options;
  read_options.default_ttl = options.ttl;
  read_options.locations = &locations;
  model::Diagnostics diagnostics;
  auto zone = zone::read_master_file(options.master_file, *origin, read_options,
                                     diagnostics);
  if (zone) {
    zone::check_zone(*zone, locations.as_source_map(), diagnostics);
  }
  print(diagnostics);
  if (!zone) {
    // An unreadable file has no line; that is an I/O error, not bad input.
    bool io_error = diagnostics.all().size() == 1 &&
                    diagnostics.all()[0].location.line == 0;
    return io_error ? kExitUsage : kExitInvalid;
  }
  if (diagnostics.has_errors()) {
    return kExitInvalid;
  }

  if (options.check_only) {
    return kExitOk;
  }
  if (size_t stripped = strip_signing_records(*zone)) {
    std::cerr << "signet import: note: dropped " << stripped
              << " DNSSEC record(s) (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, "
                 "ZONEMD); Signet makes them when it signs the zone\n";
  }
  zone::YamlOptions yaml;
  yaml.policy = options.policy;
  yaml.default_ttl = options.ttl.value_or(0);
  write_output(options.output, zone::zone_to_yaml(*zone, yaml));
  return kExitOk;
}

int run_export(const ExportOptions& options) {
  std::string text;
  try {
    text = read_file(options.zone_file);
  } catch (const std::system_error& e) {
    std::cerr << "signet export: error: " << e.what() << "\n";
    return kExitUsage;
  }
  model::Diagnostics diagnostics;
  auto loaded = zone::load_zone_yaml(options.zone_file, text, diagnostics);
  print(diagnostics);
  if (!loaded || diagnostics.has_errors()) {
    return kExitInvalid;
  }
  loaded->zone.set_serial(options.serial);
  write_output(options.output, zone::write_master_file(loaded->zone));
  return kExitOk;
}

template <typename Options>
void run_guarded(const char* name, int (*run)(const Options&),
                 const Options& options, int& exit_code) {
  try {
    exit_code = run(options);
  } catch (const std::exception& e) {
    std::cerr << "signet " << name << ": error: " << e.what() << "\n";
    exit_code = kExitUsage;
  }
}

}  // namespace

void add_import_export_commands(CLI::App& app, int& exit_code) {
  auto import_options = std::make_shared<ImportOptions>();
  CLI::App* import = app.add_subcommand(
      "import", "Convert an RFC 1035 master file into zone YAML");
  import
      ->add_option("master-file", import_options->master_file,
                   "Master file to read")
      ->required();
  import
      ->add_option("--origin", import_options->origin,
                   "Zone name, the initial $ORIGIN")
      ->required();
  import->add_option("--ttl", import_options->ttl,
                     "TTL in seconds for records that have none and no $TTL "
                     "before them; also the YAML default TTL");
  import->add_option("--policy", import_options->policy,
                     "DNSSEC policy name written to the YAML");
  import->add_flag("--check", import_options->check_only,
                   "Only read and check the master file; write no YAML");
  import->add_option("--output", import_options->output,
                     "Write the YAML to this file instead of standard output");
  import->callback([import_options, &exit_code]() {
    run_guarded("import", run_import, *import_options, exit_code);
});

auto export_options = std::make_shared<ExportOptions>();
CLI::App* exporter = app.add_subcommand(
    "export", "Write a zone YAML file as an RFC 1035 master file");
exporter
    ->add_option("zone-file", export_options->zone_file,
                 "zones/<zone>.yaml file to read")
    ->required();
exporter->add_option("--serial", export_options->serial,
                     "SOA serial to write (default 0; Signet sets serials "
                     "when it publishes)");
exporter->add_option(
    "--output", export_options->output,
    "Write the master file to this file instead of standard output");
exporter->callback([export_options, &exit_code]() {
  run_guarded("export", run_export, *export_options, exit_code);
});
}  // namespace signet::cli

}  // namespace signet::cli
