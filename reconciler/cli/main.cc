// The `signet` command: thin wiring over the reconciler libraries.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Signet: Git-driven DNSSEC signer and hidden primary"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "signet 0.1.0");

  int exit_code = signet::cli::kExitOk;
  signet::cli::add_validate_command(app, exit_code);
  signet::cli::add_plan_command(app, exit_code);
  signet::cli::add_import_export_commands(app, exit_code);
  signet::cli::add_sign_command(app, exit_code);
  signet::cli::add_keys_command(app, exit_code);
  signet::cli::add_run_command(app, exit_code);
  signet::cli::add_status_history_commands(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : signet::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "signet: error: %s\n", e.what());
    return signet::cli::kExitUsage;
  }
  return exit_code;
}
