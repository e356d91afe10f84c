// Serves one signed zone file with the Signet transfer server until
// SIGTERM, for the AXFR/IXFR benchmark. With --previous, the difference
// from that version becomes the IXFR journal.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "support/zone_files.h"
#include "transfer/server.h"
#include "transfer/tsig.h"
#include "zone/diff.h"

namespace {

using namespace signet;

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    flags[argv[i]] = argv[i + 1];
  }
  return flags;
}

std::shared_ptr<zone::Zone> load(const std::string& path,
                                 const zone::Name& origin) {
  std::string error;
  auto loaded = testing::load_master_file(path, origin, &error);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", error.c_str());
    std::exit(1);
  }
  return loaded;
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = parse_flags(argc, argv);
  for (const char* required :
       {"--zone", "--file", "--port", "--key-name", "--key-file"}) {
    if (!flags.count(required)) {
      std::fprintf(stderr,
                   "usage: %s --zone NAME --file SIGNED_FILE --port PORT "
                   "--key-name NAME --key-file BASE64_FILE "
                   "[--previous SIGNED_FILE]\nmissing %s\n",
                   argv[0], required);
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto origin = zone::Name::parse(flags["--zone"]).value();
  std::string error;
  auto key = transfer::read_tsig_key_file(
      flags["--key-file"], flags["--key-name"], "hmac-sha256", &error);
  if (!key) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }

  auto started = std::chrono::steady_clock::now();
  auto published = std::make_shared<transfer::PublishedZone>();
  published->tenant = "bench";
  published->zone = load(flags["--file"], origin);
  if (flags.count("--previous")) {
    auto previous = load(flags["--previous"], origin);
    published->journal.push_back(std::make_shared<zone::ZoneDiff>(
        zone::diff_zones(*previous, *published->zone)));
  }
  published->secondaries = {{"bench", "127.0.0.1", 9, key->name, ""}};
  published->tsig_keys = {*key};
  double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();

  transfer::ServerOptions options;
  options.listen = {
      {"127.0.0.1", static_cast<uint16_t>(std::stoi(flags["--port"]))}};
  options.soa_poll_interval_ms = 0;
  if (flags.count("--max-output")) {
    options.max_tcp_output_bytes = std::stoul(flags["--max-output"]);
  }
  options.notify_max_attempts = 0;
  transfer::Server server(options);
  server.start();
  server.publish(published);
  std::printf("ready records=%zu load_seconds=%.1f journal_records=%zu\n",
              published->zone->rr_count(), load_seconds,
              published->journal.empty()
                  ? 0
                  : published->journal[0]->removed.size() +
                        published->journal[0]->added.size());
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
