// `signet sign`: signs a zone YAML or master file with a tenant's keys and
// writes the signed zone as a master file.
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "base/clock.h"
#include "base/file.h"
#include "cli/commands.h"
#include "cli/dnssec_options.h"
#include "dnssec/key_store.h"
#include "kasp/zone_signer.h"
#include "zone/load.h"
#include "zone/masterfile.h"

namespace signet::cli {

namespace {

namespace fs = std::filesystem;

struct SignOptions {
  std::string input;
  std::string keys = "keys";
  std::string policy;
  std::string output;
  std::string origin;
  unsigned threads = 0;
};

bool is_yaml(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  return ext == ".yaml" || ext == ".yml";
}

void print_diagnostics(const model::Diagnostics& diagnostics) {
  for (const model::Diagnostic& d : diagnostics.all()) {
    std::cerr << d.text() << "\n";
  }
}

// Loads the input zone and the policy that applies to it.
std::optional<zone::Zone> load_input(const SignOptions& o,
                                     std::optional<model::Policy>& policy,
                                     model::Diagnostics& diagnostics) {
  if (is_yaml(o.input)) {
    std::string text = read_file(o.input);
    std::optional<model::Policy> given;
    if (!o.policy.empty()) {
      given = load_policy(o.policy, diagnostics);
      if (!given) {
        return std::nullopt;
      }
    }
    auto loaded = zone::load_zone_yaml(o.input, text, diagnostics,
                                       given ? &*given : nullptr);
    if (!loaded || diagnostics.has_errors()) {
      return std::nullopt;
    }
    if (given) {
      policy = given;
    } else {
      // A zone YAML names its policy; tenant repositories keep it in
      // policies/<name>.yaml beside the zones/ folder.
      std::string name = loaded->file->policy;
      fs::path file = fs::path(o.input).parent_path() / ".." / "policies" /
                      (name + ".yaml");
      policy = load_policy(
          name == "default" || !fs::exists(file) ? name : file.string(),
          diagnostics);
    }
    return std::move(loaded->zone);
  }
  if (o.origin.empty()) {
    std::cerr << "signet sign: --origin is required for a master file ("
              << o.input << ")\n";
    return std::nullopt;
  }
  auto origin = zone::Name::parse(o.origin);
  if (!origin) {
    std::cerr << "signet sign: invalid --origin '" << o.origin << "'\n";
    return std::nullopt;
  }
  auto z = zone::read_master_file(o.input, *origin, diagnostics);
  if (!z || diagnostics.has_errors()) {
    return std::nullopt;
  }
  policy = load_policy(o.policy.empty() ? "default" : o.policy, diagnostics);
  return z;
}

int run_sign(const SignOptions& o) {
  model::Diagnostics diagnostics;
  std::optional<model::Policy> policy;
  std::optional<zone::Zone> input = load_input(o, policy, diagnostics);
  print_diagnostics(diagnostics);
  if (!input || !policy) {
    return kExitInvalid;
  }
  if (input->serial() == 0) {
    input->set_serial(static_cast<uint32_t>(SystemClock::instance().now()));
  }
  dnssec::FileKeyStore store(o.keys);
  size_t keys_before = store.list_keys(input->origin()).size();
  kasp::ZoneSigner signer(store, SystemClock::instance(), o.threads);
  zone::Name origin = input->origin();
  uint32_t serial = input->serial();
  kasp::SignedVersion version = signer.sign_owned(std::move(*input), *policy);
  input.reset();

  // The text goes out a piece at a time, formatted on every signing
  // thread, so it is never held whole next to the zone.
  unsigned threads = o.threads != 0
                         ? o.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  if (o.output.empty()) {
    zone::write_master_file(
        *version.signed_zone,
        [](std::string_view piece) { std::cout << piece; }, threads);
  } else {
    AtomicFileWriter out(o.output);
    zone::write_master_file(
        *version.signed_zone,
        [&out](std::string_view piece) { out.write(piece); }, threads);
    out.commit();
  }
  size_t keys_after = store.list_keys(origin).size();
  std::cerr << "signed " << origin.text() << " serial " << serial << ": "
            << version.rrsigs_made << " RRSIGs, " << keys_after - keys_before
            << " new key(s) in " << o.keys << "\n";
  return kExitOk;
}

}  // namespace

void add_sign_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SignOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sign", "Sign a zone YAML or master file and write a signed master file");
  cmd->add_option("INPUT", options->input,
                  "zones/<zone>.yaml, or a master file with --origin")
      ->required();
  cmd->add_option("--keys", options->keys,
                  "Key folder of the tenant (created with mode 0700; keys are "
                  "made there when the zone has none)")
      ->capture_default_str();
  cmd->add_option("--policy", options->policy,
                  "Policy file (policies/<name>.yaml) or \"default\"; a zone "
                  "YAML names its own policy otherwise");
  cmd->add_option("--output", options->output,
                  "Where to write the signed zone (default: standard output)");
  cmd->add_option("--origin", options->origin,
                  "Zone name of a master file INPUT");
  cmd->add_option("--threads", options->threads,
                  "Signing threads (default: one per core)");
  cmd->callback([options, &exit_code] {
    try {
      exit_code = run_sign(*options);
    } catch (const std::exception& e) {
      std::cerr << "signet sign: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace signet::cli
