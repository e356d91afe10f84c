// Subcommands of the `signet` binary. Each adds itself to the CLI11 app
// and, when run, stores its exit status in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace signet::cli {

// Exit statuses shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;  // the input is invalid
inline constexpr int kExitUsage = 2;    // bad usage, or an I/O error

void add_validate_command(CLI::App& app, int& exit_code);
void add_plan_command(CLI::App& app, int& exit_code);
void add_import_export_commands(CLI::App& app, int& exit_code);
void add_sign_command(CLI::App& app, int& exit_code);
void add_keys_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_status_history_commands(CLI::App& app, int& exit_code);

}  // namespace signet::cli
