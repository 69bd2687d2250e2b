// Renders layer push progress (ctl/push/layer_push.hpp): a bar redrawn in
// place on a terminal, plain lines (each phase, every 10%) otherwise, so a
// log file or CI output stays readable. Writes to stderr; stdout keeps the
// result for scripts.
#pragma once

#include <cstdint>
#include <string>

#include "ctl/push/layer_push.hpp"

namespace bc::ctl {

class BarProgress final : public PushProgress {
 public:
  explicit BarProgress(bool tty) : tty_(tty) {}
  ~BarProgress() override { finish(); }
  void phase(std::string_view what) override;
  void bytes(uint64_t done, uint64_t total) override;
  void finish();  // ends the bar's line on a terminal

 private:
  bool tty_;
  std::string phase_;
  int last_decile_ = -1;
  bool drawn_ = false;
};

}  // namespace bc::ctl
