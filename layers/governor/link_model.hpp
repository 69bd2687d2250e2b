// A fluid model of one bottleneck link, for tests, the governor trace tool and
// the discrete-event simulator: capacity C, one FIFO queue with a byte limit
// (tail drop), optional random loss, and RTT = base RTT + queue / C. Flows
// offer a rate each step; bytes are served in proportion to each flow's share
// of the queue. Pure and deterministic (seeded RNG). Not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "layers/util/rng.hpp"

namespace bc::governor {

struct BottleneckLinkOptions {
  double capacity_bytes_per_s = 1.25e6;  // default 10 Mbit/s
  double buffer_ms = 500;                // queue limit as time at capacity; default 500 ms
  double random_loss_per_packet = 0;     // probability a packet is lost at random; default 0
  double packet_bytes = 1500;            // for the random-loss draw; default 1500
  uint64_t seed = 1;                     // RNG seed for random loss
};

class BottleneckLink {
 public:
  BottleneckLink(BottleneckLinkOptions opts, size_t flows);

  // Advances the link by dt_ms; flow i offers offered_bytes_per_s[i].
  // REQUIRES: offered.size() == flows.
  void step(double dt_ms, std::span<const double> offered_bytes_per_s);

  double queuing_delay_ms() const { return queue_total() * 1000.0 / opts_.capacity_bytes_per_s; }
  // Bytes delivered to / loss events of flow i since the last take_*.
  double take_delivered(size_t i);
  int64_t take_losses(size_t i);

 private:
  double queue_total() const;
  BottleneckLinkOptions opts_;
  std::vector<double> queue_;      // bytes of each flow in the queue
  std::vector<double> delivered_;
  std::vector<int64_t> losses_;
  SplitMix64 rng_;  // the same losses for a seed on every standard library
};

}  // namespace bc::governor
