// Time is injected. Pure cores take a Clock (or plain time values) so tests
// and the simulator can move time; only drivers use SystemClock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace bc {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time in milliseconds since an arbitrary epoch.
  virtual int64_t now_ms() const = 0;
  // Monotonic time in microseconds, same epoch as now_ms(). Clocks that only
  // know milliseconds inherit this default (RTT probing on fast paths needs a
  // real microsecond clock).
  virtual int64_t now_us() const { return now_ms() * 1000; }
  // Wall-clock time in seconds since the Unix epoch (for timestamps people read).
  virtual int64_t unix_s() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  int64_t now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  int64_t unix_s() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that moves only when told to. For tests and the simulator. Safe to
// read from any thread while its owner moves it (a swarm node's request pacer
// reads its clock on libtorrent's network thread).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0, int64_t unix_start_s = 1'700'000'000)
      : now_ms_(start_ms), unix_start_s_(unix_start_s) {}
  int64_t now_ms() const override { return now_ms_.load(std::memory_order_relaxed); }
  int64_t unix_s() const override { return unix_start_s_ + now_ms() / 1000; }
  void advance_ms(int64_t d) { now_ms_.fetch_add(d, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_ms_;
  int64_t unix_start_s_;
};

}  // namespace bc
