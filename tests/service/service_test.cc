// The whole service in-process: two tenants, one of them broken, on free
// loopback ports.
#include "service/service.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "service/tenant_repo.h"
#include "state/store.h"
#include "support/secondaries.h"
#include "zone/name.h"

namespace signet::service {
namespace {

using namespace std::chrono_literals;

model::Tenant make_tenant(const std::string& name,
                          const std::filesystem::path& repository,
                          const std::string& zone,
                          const std::filesystem::path& folder) {
  model::Tenant tenant;
  tenant.name = name;
  tenant.repository = repository.string();
  tenant.allowed_zones = {zone};
  tenant.keys.path = (folder / "keys" / name).string();
  return tenant;
}

// Polls the store, opened read-only as `signet status` does, until the
// zone has a published version.
std::optional<uint32_t> wait_for_serial(const std::string& state_dir,
                                        const std::string& tenant,
                                        const std::string& zone) {
  state::StoreOptions options;
  options.read_only = true;
  for (int i = 0; i < 300; ++i) {
    try {
      state::Store store(state_dir, SystemClock::instance(), options);
      auto v = store.latest_version(tenant, *zone::Name::parse(zone));
      if (v) {
        return v->serial;
      }
    } catch (const state::StoreError&) {
      // The file does not exist until the service opens it.
    }
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("service runs tenants independently") {
  testing::TempFolder folder;
  testing::TenantRepo repo(folder.path() / "good");
  repo.write("zones/good.test.yaml", testing::zone_yaml("good.test", 2));
  repo.commit("Add good.test");

  model::OperatorConfig config;
  config.state_dir = (folder.path() / "state").string();
  config.dns_listen = {{"127.0.0.1", testing::free_port()}};
  config.http_listen = {{"127.0.0.1", testing::free_port()}};
  config.tenants = {
      make_tenant("broken", folder.path() / "missing", "broken.test",
                  folder.path()),
      make_tenant("good", repo.folder(), "good.test", folder.path())};
  Service service(config, SystemClock::instance());
  service.start();

  CHECK(wait_for_serial(config.state_dir, "good", "good.test.") == 1u);

  // A new commit arrives through the ref watcher, without a poll.
  repo.write("zones/good.test.yaml", testing::zone_yaml("good.test", 3));
  repo.commit("Add host2");
  bool moved = false;
  for (int i = 0; i < 100 && !moved; ++i) {
    moved = wait_for_serial(config.state_dir, "good", "good.test.") == 2u;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(moved);
  CHECK(service.trigger("good"));
  CHECK_FALSE(service.trigger("unknown"));
  service.stop();
}

}  // namespace signet::service
