// Publishes versions of example.test. into a state folder until killed or
// until COUNT versions are published. Used by crash_test, which kills it
// with SIGKILL at random moments or through SIGNET_STATE_FAULT.
//
// Usage: crash_publisher STATE_DIR COUNT
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "state/store.h"
#include "test_zones.h"

int main(int argc, char** argv) {
  using namespace signet;
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_publisher STATE_DIR COUNT\n");
    return 2;
  }
  try {
    state::Store store(argv[1], SystemClock::instance(),
                       state::StoreOptions{.journal_depth = 5});
    const zone::Name origin = *zone::Name::parse("example.test.");
    long count = std::atol(argv[2]);
    for (long i = 0; i < count; ++i) {
      std::optional<state::Version> last = store.latest_version("t1", origin);
      uint32_t serial = last ? last->serial + 1 : 1;
      zone::Zone next = state::testing::crash_zone(serial);
      zone::ZoneDiff diff;
      state::PublishRequest request;
      request.tenant = "t1";
      request.signed_zone = &next;
      request.commit = {"commit" + std::to_string(serial), "crash test", serial,
                        "version " + std::to_string(serial)};
      if (last) {
        // The diff comes from the stored snapshot, as after a restart.
        std::shared_ptr<zone::Zone> previous =
            store.zone_snapshot("t1", origin);
        diff = zone::diff_zones(*previous, next);
        request.diff = &diff;
      }
      store.record_publish(request);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash_publisher: %s\n", e.what());
    return 1;
  }
  return 0;
}
