// Shows one layer's download progress: on a terminal a redrawn bar (bytes,
// rate, ETA, bytes by source); otherwise a log line every few seconds.
// Writes to stderr. One per layer, owned by the agent's loop thread.
#pragma once

#include <chrono>
#include <string>

#include "layers/swarm/swarm_events.hpp"

namespace bc::endpoint {

class LayerProgressView {
 public:
  explicit LayerProgressView(std::string label);
  void update(const LayerProgress& p);
  void finish(uint64_t total_bytes, const BytesBySource& by_source);

 private:
  using clock = std::chrono::steady_clock;
  std::string label_;
  bool tty_;
  bool finished_ = false;
  clock::time_point last_{};
};

// "origin 1.2 MiB / reflector 0 B / peer 3.0 MiB"
std::string source_split(const BytesBySource& b);

}  // namespace bc::endpoint
