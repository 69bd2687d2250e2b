// Shows one layer's download progress: on a terminal a redrawn bar (bytes,
// rate, ETA, bytes by source) on stderr; otherwise a line on the node's
// logger every few seconds. Time comes from the caller (the agent's injected
// clock). One per layer, owned by the agent's loop thread.
#pragma once

#include <cstdint>
#include <string>

#include <spdlog/logger.h>

#include "layers/swarm/swarm_events.hpp"

namespace bc::endpoint {

class LayerProgressView {
 public:
  // `log` must outlive the view.
  LayerProgressView(std::string label, spdlog::logger& log);
  void update(const LayerProgress& p, int64_t now_ms);
  void finish(uint64_t total_bytes, const BytesBySource& by_source);

 private:
  std::string label_;
  spdlog::logger* log_;
  bool tty_;
  bool finished_ = false;
  bool shown_ = false;
  int64_t last_ms_ = 0;
};

// "origin 1.2 MiB / reflector 0 B / peer 3.0 MiB"
std::string source_split(const BytesBySource& b);

}  // namespace bc::endpoint
