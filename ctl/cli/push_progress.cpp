#include "ctl/cli/push_progress.hpp"

#include <iostream>

#include "ctl/cli/table.hpp"

namespace bc::ctl {

void BarProgress::phase(std::string_view what) {
  finish();
  phase_ = std::string(what);
  last_decile_ = -1;
  if (!tty_) std::cerr << phase_ << "\n";
}

void BarProgress::bytes(uint64_t done, uint64_t total) {
  const double f = total ? double(done) / double(total) : 1.0;
  if (tty_) {
    std::cerr << "\r\033[K" << phase_ << " " << progress_bar(f, 30) << " " << human_bytes(int64_t(done)) << " / "
              << human_bytes(int64_t(total)) << std::flush;
    drawn_ = true;
    return;
  }
  const int decile = int(f * 10);
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::cerr << phase_ << ": " << human_bytes(int64_t(done)) << " / " << human_bytes(int64_t(total)) << " ("
            << decile * 10 << "%)\n";
}

void BarProgress::finish() {
  if (tty_ && drawn_) std::cerr << "\n";
  drawn_ = false;
}

}  // namespace bc::ctl
