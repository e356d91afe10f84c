// Condensing the IXFR journal into one difference (RFC 1995 section 4).
#include "transfer/xfr.h"

#include <catch2/catch.hpp>

#include "fixture.h"

namespace signet::testing {
namespace {

zone::Rr a_record(const zone::Zone& z, const std::string& owner,
                  uint8_t last_octet) {
  return {*zone::Name::parse(owner, z.origin()), zone::rrtype::A, 3600,
          std::string("\xc0\x00\x02", 3) + static_cast<char>(last_octet)};
}

// The zone `from` with its serial set to `serial` after `change` is
// applied, and the journal entry for it.
std::pair<std::shared_ptr<zone::Zone>, std::shared_ptr<zone::ZoneDiff>>
next_version(const zone::Zone& from, uint32_t serial,
             const std::function<void(zone::Zone&)>& change) {
  auto to = std::make_shared<zone::Zone>(from);
  change(*to);
  to->set_serial(serial);
  return {to, std::make_shared<zone::ZoneDiff>(zone::diff_zones(from, *to))};
}

}  // namespace

TEST_CASE("xfr condensed journal cancels add then remove") {
  auto v1 = std::make_shared<zone::Zone>(*make_plain_zone("c.test.", 1, 5));
  auto [v2, d12] = next_version(*v1, 2, [&](zone::Zone& z) {
    z.insert(a_record(z, "temporary", 1));
    z.insert(a_record(z, "kept", 2));
  });
  auto [v3, d23] = next_version(*v2, 3, [&](zone::Zone& z) {
    z.remove(a_record(z, "temporary", 1));
    z.remove_rrset(*zone::Name::parse("host1.c.test."), zone::rrtype::A);
  });
  transfer::PublishedZone published;
  published.zone = v3;
  published.journal = {d12, d23};

  auto condensed = transfer::condense_journal(published, 1);
  REQUIRE(condensed);
  CHECK(condensed->from_serial == 1);
  CHECK(condensed->to_serial == 3);
  REQUIRE(condensed->removed.size() == 2);
  CHECK(condensed->removed[0] == d12->removed[0]);  // SOA of serial 1
  CHECK(condensed->removed[1].owner == *zone::Name::parse("host1.c.test."));
  REQUIRE(condensed->added.size() == 2);
  CHECK(condensed->added[0] == d23->added[0]);  // SOA of serial 3
  CHECK(condensed->added[1] == a_record(*v3, "kept", 2));

  zone::Zone applied = *v1;
  REQUIRE(zone::apply_diff(applied, *condensed));
  CHECK(applied.rr_count() == v3->rr_count());

  // From the middle of the journal, the last entry alone.
  auto from_two = transfer::condense_journal(published, 2);
  REQUIRE(from_two);
  CHECK(from_two->removed == d23->removed);
  CHECK(from_two->added == d23->added);

  // A serial the journal does not start from, and a broken chain.
  CHECK_FALSE(transfer::condense_journal(published, 7));
  published.journal = {d12};
  CHECK_FALSE(transfer::condense_journal(published, 1));
}

}  // namespace signet::testing
