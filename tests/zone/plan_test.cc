#include "zone/plan.h"

#include <catch2/catch.hpp>

#include "zone/masterfile.h"

using namespace signet;
using zone::Name;

namespace {

zone::Zone read(const std::string& text) {
  model::Diagnostics diagnostics;
  auto zone = zone::parse_master_text("$TTL 300\n" + text, "test.zone",
                                      *Name::parse("example."), diagnostics);
  REQUIRE(zone);
  return std::move(*zone);
}

}  // namespace

TEST_CASE("plan diff finds added, removed, changed", "[plan]") {
  zone::Zone base = read("a A 192.0.2.1\nb A 192.0.2.2\nc TXT same\n");
  zone::Zone head =
      read("a 600 A 192.0.2.1\nc TXT same\nd A 192.0.2.4\nd TXT new\n");
  auto changes = zone::diff_rrsets(base, head);
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].owner == *Name::parse("a.example."));
  CHECK(changes[0].kind == zone::ChangeKind::kChanged);
  CHECK(changes[0].before->ttl == 300);
  CHECK(changes[0].after->ttl == 600);
  CHECK(changes[1].owner == *Name::parse("b.example."));
  CHECK(changes[1].kind == zone::ChangeKind::kRemoved);
  CHECK(changes[2].kind == zone::ChangeKind::kAdded);
  CHECK(changes[2].type == zone::rrtype::A);
  CHECK(changes[3].kind == zone::ChangeKind::kAdded);
  CHECK(changes[3].type == zone::rrtype::TXT);

  zone::Plan plan = zone::make_plan({&base}, {&head});
  plan.base = "main";
  plan.head = "topic";
  // A TTL change shows every record of the RRset leaving and returning.
  CHECK(zone::format_plan_text(plan) ==
        "Changes from main to topic:\n"
        "\n"
        "zone example.: 2 RRsets added, 1 removed, 1 changed\n"
        "- a.example.\t300\tIN\tA\t192.0.2.1\n"
        "+ a.example.\t600\tIN\tA\t192.0.2.1\n"
        "- b.example.\t300\tIN\tA\t192.0.2.2\n"
        "+ d.example.\t300\tIN\tA\t192.0.2.4\n"
        "+ d.example.\t300\tIN\tTXT\t\"new\"\n");
}

TEST_CASE("plan markdown cuts long zones", "[plan]") {
  zone::Zone base = read("");
  zone::Zone head = read("a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n");
  zone::Plan plan = zone::make_plan({&base}, {&head});
  plan.base = "main";
  plan.head = "topic";
  CHECK(zone::format_plan_markdown(plan, 2) ==
        "### Signet plan\n\n"
        "Comparing `main` to `topic`.\n\n"
        "**`example.`**: 3 RRsets added, 0 removed, 0 changed\n\n"
        "```diff\n"
        "+ a.example.\t300\tIN\tA\t192.0.2.1\n"
        "+ b.example.\t300\tIN\tA\t192.0.2.2\n"
        "```\n\n"
        "…and 1 more RRset; run `signet plan` locally for the full list.\n\n");
}

TEST_CASE("plan of identical zones is empty", "[plan]") {
  zone::Zone base = read("a A 192.0.2.1\n");
  zone::Zone head = read("a A 192.0.2.1\n");
  zone::Plan plan = zone::make_plan({&base}, {&head});
  CHECK(plan.empty());
  zone::Plan added = zone::make_plan({}, {&head});
  REQUIRE(added.zones.size() == 1);
  CHECK(added.zones[0].kind == zone::ChangeKind::kAdded);
  CHECK(added.zones[0].rrset_count == 1);
}
