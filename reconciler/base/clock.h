// Time source shared by every component, so tests can move time by hand.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace signet {

// Seconds since the Unix epoch, the unit DNSSEC timestamps use.
using UnixTime = int64_t;

// A source of the current time. Components never read the system clock
// directly; they take a Clock so tests can run years of rollovers in seconds.
class Clock {
 public:
  virtual ~Clock() = default;

  // Returns the current time in seconds since the Unix epoch.
  virtual UnixTime now() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  UnixTime now() const override;

  // Returns the process-wide instance.
  static SystemClock& instance();
};

// A clock that moves only through set() and advance(). Safe to read from
// many threads.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixTime start) : now_(start) {}

  UnixTime now() const override { return now_.load(); }
  void set(UnixTime t) { now_.store(t); }
  void advance(int64_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<UnixTime> now_;
};

// Formats `time` in UTC with a strftime(3) format, or returns "-" for 0,
// which the state store uses for "never".
std::string format_utc(UnixTime time, const char* format);

}  // namespace signet
