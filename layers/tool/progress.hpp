// A progress reporter for long work: a redrawn bar on a terminal, a log line
// every few seconds otherwise (so CI logs and pipes stay readable).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace bc::tool {

class Progress {
 public:
  explicit Progress(std::string label)
      : label_(std::move(label)), tty_(::isatty(STDERR_FILENO)), start_(clock::now()) {}

  void update(uint64_t done, uint64_t total) {
    auto now = clock::now();
    double secs = std::chrono::duration<double>(now - start_).count();
    bool final = done == total;
    if (final && finished_) return;
    finished_ = finished_ || final;
    if (!tty_ && !final && now - last_ < std::chrono::seconds(3)) return;
    if (tty_ && !final && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double pct = total ? 100.0 * double(done) / double(total) : 100.0;
    double rate = secs > 0 ? double(done) / secs / (1 << 20) : 0;
    double eta = rate > 0 ? double(total - done) / (1 << 20) / rate : 0;
    if (tty_) {
      int width = 30, fill = int(pct / 100 * width);
      std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%% %8.1f MiB/s ETA %4.0fs", label_.c_str(), fill,
                   "##############################", width - fill, "", pct, rate, eta);
      if (final) std::fputc('\n', stderr);
    } else {
      std::fprintf(stderr, "%s: %5.1f%% (%llu/%llu bytes, %.1f MiB/s)\n", label_.c_str(), pct,
                   (unsigned long long)done, (unsigned long long)total, rate);
    }
  }

 private:
  using clock = std::chrono::steady_clock;
  std::string label_;
  bool tty_;
  bool finished_ = false;
  clock::time_point start_, last_{};
};

}  // namespace bc::tool
