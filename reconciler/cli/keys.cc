// `signet keys generate|list|ds`: a tenant's DNSSEC keys for one zone.
#include <ctime>
#include <filesystem>
#include <iostream>

#include "base/clock.h"
#include "base/file.h"
#include "cli/commands.h"
#include "cli/dnssec_options.h"
#include "dnssec/crypto.h"
#include "dnssec/key_store.h"
#include "kasp/key_schedule.h"
#include "model/tenant_files.h"
#include "zone/rdata.h"

namespace signet::cli {

namespace fs = std::filesystem;

std::optional<model::Policy> load_policy(const std::string& name_or_file,
                                         model::Diagnostics& diagnostics) {
  if (name_or_file == "default") {
    return model::default_policy();
  }
  if (!fs::is_regular_file(name_or_file)) {
    std::cerr << "policy '" << name_or_file
              << "' is neither \"default\" nor a policy file; pass "
                 "--policy policies/<name>.yaml\n";
    return std::nullopt;
  }
  std::string name = fs::path(name_or_file).stem().string();
  auto policy = model::parse_policy_file(name_or_file, name,
                                         read_file(name_or_file), diagnostics);
  if (diagnostics.has_errors()) {
    return std::nullopt;
  }
  return policy;
}

namespace {

struct KeysOptions {
  std::string keys = "keys";
  std::string zone;
  std::string policy = "default";
};

std::string time_text(UnixTime t) {
  if (t == 0) {
    return "-";
  }
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const char* role_text(model::KeyRole role) {
  switch (role) {
    case model::KeyRole::kKsk:
      return "KSK";
    case model::KeyRole::kZsk:
      return "ZSK";
    case model::KeyRole::kCsk:
      return "CSK";
  }
  return "?";
}

// RFC 7583 state of a key at `now`.
const char* state_text(const dnssec::KeyInfo& key, UnixTime now) {
  const dnssec::KeyTiming& t = key.timing;
  if (t.remove != 0 && now >= t.remove) {
    return "removed";
  }
  if (t.inactive != 0 && now >= t.inactive) {
    return "retired";
  }
  if (key.active_at(now)) {
    return "active";
  }
  if (key.published_at(now)) {
    return "published";
  }
  return "generated";
}

zone::Name parse_zone(const std::string& text) {
  std::string error;
  auto name = zone::Name::parse(text, &error);
  if (!name) {
    throw std::runtime_error("invalid --zone '" + text + "': " + error);
  }
  return *name;
}

void print_keys(const std::vector<dnssec::KeyInfo>& keys, UnixTime now) {
  for (const dnssec::KeyInfo& key : keys) {
    const dnssec::KeyTiming& t = key.timing;
    std::cout << key.id << " " << role_text(key.role) << " "
              << dnssec::algorithm_name(key.algorithm) << " tag " << key.key_tag
              << " " << state_text(key, now) << "\n"
              << "  created " << time_text(t.created) << " publish "
              << time_text(t.publish) << " active " << time_text(t.active)
              << " inactive " << time_text(t.inactive) << " delete "
              << time_text(t.remove) << "\n"
              << "  ds-submit " << time_text(t.ds_submit) << " ds-published "
              << time_text(t.ds_published) << " ds-removed "
              << time_text(t.ds_removed) << "\n";
  }
}

void print_ds(const zone::Name& zone, const std::vector<dnssec::KeyInfo>& keys,
              const model::Policy& policy, UnixTime now) {
  for (const dnssec::KeyInfo& key : keys) {
    if (!key.signs_keys() || !key.published_at(now)) {
      continue;
    }
    std::string dnskey = key.dnskey_rdata();
    for (uint8_t digest : {dnssec::kDigestSha256, dnssec::kDigestSha384}) {
      std::cout << zone::format_rr(
                       zone::Rr{zone, zone::rrtype::DS, policy.ds_ttl,
                                dnssec::ds_rdata(zone, dnskey, digest)})
                << "\n";
    }
    std::cout << zone::format_rr(zone::Rr{zone, zone::rrtype::DNSKEY,
                                          policy.dnskey_ttl, dnskey})
              << "\n";
  }
}

int run_keys(const std::string& action, const KeysOptions& o) {
  zone::Name zone = parse_zone(o.zone);
  model::Diagnostics diagnostics;
  std::optional<model::Policy> policy = load_policy(o.policy, diagnostics);
  for (const model::Diagnostic& d : diagnostics.all()) {
    std::cerr << d.text() << "\n";
  }
  if (!policy) {
    return kExitInvalid;
  }
  // Only generate may create the folder: listing a mistyped path must not
  // leave an empty key folder behind or print nothing and succeed.
  if (action != "generate" && !std::filesystem::is_directory(o.keys)) {
    std::cerr << "signet keys " << action << ": key folder " << o.keys
              << " not found; check --keys\n";
    return kExitUsage;
  }
  dnssec::FileKeyStore store(o.keys);
  UnixTime now = SystemClock::instance().now();
  if (action == "generate") {
    size_t before = store.list_keys(zone).size();
    kasp::KeySchedule schedule(store, SystemClock::instance());
    schedule.update(zone, *policy, policy->dnskey_ttl);
    size_t made = store.list_keys(zone).size() - before;
    std::cerr << "generated " << made << " key(s) for " << zone.text() << " in "
              << o.keys << "\n";
  }
  std::vector<dnssec::KeyInfo> keys = store.list_keys(zone);
  if (keys.empty()) {
    std::cerr << "signet keys " << action << ": no keys for " << zone.text()
              << " in " << o.keys << "; run `signet keys generate`\n";
    return kExitInvalid;
  }
  if (action == "ds") {
    print_ds(zone, keys, *policy, now);
  } else {
    print_keys(keys, now);
  }
  return kExitOk;
}

void add_keys_action(CLI::App& keys_cmd, const std::string& action,
                     const std::string& help, int& exit_code) {
  auto options = std::make_shared<KeysOptions>();
  CLI::App* cmd = keys_cmd.add_subcommand(action, help);
  cmd->add_option("--keys", options->keys, "Key folder of the tenant")
      ->capture_default_str();
  cmd->add_option("--zone", options->zone, "Zone name, e.g. example.com.")
      ->required();
  cmd->add_option("--policy", options->policy,
                  "Policy file (policies/<name>.yaml) or \"default\"")
      ->capture_default_str();
  cmd->callback([options, action, &exit_code] {
    try {
      exit_code = run_keys(action, *options);
    } catch (const std::exception& e) {
      std::cerr << "signet keys " << action << ": " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace

void add_keys_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("keys", "Manage a tenant's DNSSEC keys");
  cmd->require_subcommand(1);
  add_keys_action(*cmd, "generate",
                  "Create the keys the policy asks for when the zone has none, "
                  "then list them",
                  exit_code);
  add_keys_action(*cmd, "list", "List keys with state and RFC 7583 timing",
                  exit_code);
  add_keys_action(*cmd, "ds",
                  "Print DS (SHA-256, SHA-384) and DNSKEY records of the "
                  "KSKs/CSKs for the parent",
                  exit_code);
}

}  // namespace signet::cli
