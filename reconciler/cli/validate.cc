#include "cli/commands.h"

namespace signet::cli {

void add_validate_command(CLI::App& app, int& exit_code) {
  (void)app;
  (void)exit_code;
}

}  // namespace signet::cli
