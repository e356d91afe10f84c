#include "state/serial.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>

namespace signet::state {
namespace {

struct GtCase {
  uint32_t a;
  uint32_t b;
  bool a_gt_b;
};

// RFC 1982 section 3.2 with SERIAL_BITS = 32.
constexpr GtCase kGtCases[] = {
    {1, 0, true},
    {0, 1, false},
    {5, 5, false},
    {0, 0xffffffffu, true},            // wrapped past 2^32 - 1
    {0xffffffffu, 0, false},           //
    {0x7fffffffu, 0, true},            // 2^31 - 1 ahead
    {0x80000000u, 0, false},           // exactly 2^31 apart: undefined
    {0, 0x80000000u, false},           //
    {0x80000001u, 0, false},           // more than 2^31 ahead is behind
    {0, 0x80000001u, true},            //
    {2026120400u, 2026120399u, true},  //
    {100, 0xfffffff0u, true},          //
};

TEST_CASE("serial_gt follows RFC 1982", "[serial]") {
  for (const GtCase& c : kGtCases) {
    CAPTURE(c.a, c.b);
    CHECK(serial_gt(c.a, c.b) == c.a_gt_b);
    CHECK(serial_lt(c.b, c.a) == c.a_gt_b);
  }
}

struct NextCase {
  const char* what;
  SerialPolicy policy;
  std::optional<uint32_t> last;
  UnixTime now;
  uint32_t expected;
};

constexpr UnixTime kDec4 = 1796342400;  // 2026-12-04T00:00:00Z

const NextCase kNextCases[] = {
    {"increment first", SerialPolicy::kIncrement, std::nullopt, kDec4, 1},
    {"increment", SerialPolicy::kIncrement, 41, kDec4, 42},
    {"increment wraps", SerialPolicy::kIncrement, 0xffffffffu, kDec4, 0},
    {"unixtime first", SerialPolicy::kUnixTime, std::nullopt, kDec4,
     1796342400u},
    {"unixtime ahead", SerialPolicy::kUnixTime, 1796342000u, kDec4,
     1796342400u},
    {"unixtime same second", SerialPolicy::kUnixTime, 1796342400u, kDec4,
     1796342401u},
    {"unixtime clock went back", SerialPolicy::kUnixTime, 1796349999u, kDec4,
     1796350000u},
    {"unixtime after 2106 wrap", SerialPolicy::kUnixTime, 0xfffffff0u,
     UnixTime{1} << 32 | 5, 5},
    {"unixtime ahead across the wrap", SerialPolicy::kUnixTime, 0xfffffffeu,
     kDec4, 1796342400u},
    {"dateserial first", SerialPolicy::kDateSerial, std::nullopt, kDec4,
     2026120400u},
    {"dateserial new day", SerialPolicy::kDateSerial, 2026120317u, kDec4 + 3600,
     2026120400u},
    {"dateserial same day", SerialPolicy::kDateSerial, 2026120400u, kDec4 + 60,
     2026120401u},
    {"dateserial 100th of a day", SerialPolicy::kDateSerial, 2026120499u,
     kDec4 + 60, 2026120500u},
    {"dateserial clock went back", SerialPolicy::kDateSerial, 2026120600u,
     kDec4, 2026120601u},
    {"dateserial from increment", SerialPolicy::kDateSerial, 7, kDec4,
     2026120400u},
    {"dateserial ahead across the wrap", SerialPolicy::kDateSerial, 0xffffffffu,
     kDec4, 2026120400u},
    {"dateserial half the space behind", SerialPolicy::kDateSerial,
     2026120400u + 0x80000000u, kDec4, 2026120400u + 0x80000001u},
};

TEST_CASE("next_serial per policy", "[serial]") {
  for (const NextCase& c : kNextCases) {
    CAPTURE(c.what);
    uint32_t next = next_serial(c.policy, c.last, c.now);
    CHECK(next == c.expected);
    if (c.last) {
      CHECK(serial_gt(next, *c.last));
    }
  }
}

TEST_CASE("next_serial always moves forward", "[serial]") {
  // Walk every policy through a wrap and a clock that jumps back and forth.
  const UnixTime clock[] = {
      kDec4,     kDec4 - 86400 * 400, kDec4 + 5, kDec4 + 5, kDec4 + 86400,
      kDec4 - 1, kDec4 * 3,           kDec4,     0};
  for (SerialPolicy policy : {SerialPolicy::kIncrement, SerialPolicy::kUnixTime,
                              SerialPolicy::kDateSerial}) {
    uint32_t serial = 0xfffffff0u;
    for (int round = 0; round < 40; ++round) {
      uint32_t next = next_serial(policy, serial, clock[round % 9]);
      CAPTURE(static_cast<int>(policy), round, serial, next);
      REQUIRE(serial_gt(next, serial));
      serial = next;
    }
  }
}

}  // namespace
}  // namespace signet::state
