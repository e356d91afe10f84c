// `signet run`: the reconciler in the foreground, logging to stderr.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "model/config_loader.h"
#include "service/service.h"

namespace signet::cli {
namespace {

struct RunOptions {
  std::string config;
  std::string log_level = "info";
};

void set_up_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("signet");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// Reads the shard of this replica from SIGNET_SHARD_INDEX and
// SIGNET_SHARD_COUNT; both unset means one shard with every tenant.
bool read_shard(service::Shard& shard) {
  const char* index = std::getenv("SIGNET_SHARD_INDEX");
  const char* count = std::getenv("SIGNET_SHARD_COUNT");
  if (index == nullptr && count == nullptr) {
    return true;
  }
  try {
    shard.index = static_cast<unsigned>(std::stoul(index ? index : ""));
    shard.count = static_cast<unsigned>(std::stoul(count ? count : ""));
  } catch (const std::exception&) {
    shard.count = 0;
  }
  if (shard.count == 0 || shard.index >= shard.count) {
    std::fprintf(stderr,
                 "signet run: error: SIGNET_SHARD_INDEX and SIGNET_SHARD_COUNT "
                 "must both be set, with 0 <= index < count\n");
    return false;
  }
  return true;
}

int run(const RunOptions& options) {
  model::Diagnostics diagnostics;
  model::OperatorConfig config =
      model::load_operator_config(options.config, diagnostics);
  for (const model::Diagnostic& d : diagnostics.all()) {
    std::fprintf(stderr, "%s\n", d.text().c_str());
  }
  if (diagnostics.has_errors()) {
    return kExitInvalid;
  }
  service::ServiceOptions service_options;
  if (!read_shard(service_options.shard)) {
    return kExitUsage;
  }
  set_up_logging(options.log_level);

  // Block the stop signals before any thread starts, so every thread
  // inherits the mask and only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  service::Service service(std::move(config), SystemClock::instance(),
                           service_options);
  try {
    service.start();
  } catch (const std::exception& e) {
    spdlog::critical("service not started: config={} error={}", options.config,
                     e.what());
    return kExitUsage;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("stopping: signal={}", signal_number);
  service.stop();
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Watch every tenant's repository, sign and publish each new commit, "
      "and serve the zones to their secondaries (foreground, logs to stderr)");
  command->add_option("--config", options->config, "operator config file")
      ->required();
  command
      ->add_option("--log-level", options->log_level,
                   "lowest level logged: trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  command->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace signet::cli
