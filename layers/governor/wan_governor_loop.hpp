// The WAN governor as a node runs it: every tick (~200 ms, on the node's owner
// thread) it drains the RTT samples to the origin, reads the WAN-class bytes
// moved since the previous tick, ticks the pure Governor with the current
// policy and budget share, and applies the limits through a WanPort. Pure
// apart from the two seams (WanPort, RttSource): the driver passes the clocks,
// so a test drives it with a fake node and fake time.
//
// Thread affinity: one owner thread; not thread-safe. The seams are called
// only from poll().
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "layers/governor/governor.hpp"
#include "layers/governor/wan_policy.hpp"
#include "layers/util/status.hpp"

namespace bc::governor {

// Cumulative payload bytes a node moved with WAN-class peers since it started.
struct WanByteCounts {
  uint64_t down = 0;
  uint64_t up = 0;
};

// What the loop drives: the node's WAN peer class (SwarmNode in nodes, a fake
// in tests).
class WanPort {
 public:
  virtual ~WanPort() = default;
  // Cumulative counts; may step back when peers are reclassed (treated as 0).
  virtual WanByteCounts wan_bytes() = 0;
  // bytes/s, 0 = unlimited (libtorrent's notation).
  virtual void set_wan_limits(int64_t down_bytes_per_s, int64_t up_bytes_per_s) = 0;
  // Paces the block requests sent to WAN peers (layers/governor/request_pacer.hpp;
  // WanGovernorLoopOptions::request_pacing): rate bytes/s (0 = unpaced), at
  // most window bytes unanswered. Default: ignored.
  virtual void set_request_pace(int64_t rate_bytes_per_s, int64_t window_bytes) {
    (void)rate_bytes_per_s, (void)window_bytes;
  }
};

// RTTs to the origin and lost probes since the previous drain.
struct RttDrain {
  std::vector<double> rtt_ms;
  int64_t lost = 0;
};

// Where RTT samples come from (the RttProber in nodes, a fake in tests).
class RttSource {
 public:
  virtual ~RttSource() = default;
  virtual RttDrain drain() = 0;
};

struct WanGovernorLoopOptions {
  // false: the loop never touches the WAN limits (the node keeps its static
  // ones): the "no governor" and "uTP LEDBAT alone" arms of a comparison. Default true.
  bool enabled = true;
  int64_t tick_interval_ms = 200;  // governor cadence, ms, [50, 1000]; default 200
  // The node's own caps (config), applied on top of the policy; kNoLimit = none.
  int64_t node_down_cap_bytes_per_s = kNoLimit;
  int64_t node_up_cap_bytes_per_s = kNoLimit;
  GovernorOptions governor;
  // Every this many ticks a tick report is notable even without events (a
  // status line for the driver's log: limits, rate); 0 = never.
  // Default 25 (5 s at 200 ms ticks).
  int status_every_ticks = 25;
  // Request pacing. A receiver's class limit is enforced when libtorrent
  // reads, in lumps, and the sender answers whatever was requested at line
  // rate: on the emulated WAN the data arrived in 0.25-1 MB bursts at a
  // 300 KiB/s limit, each a queue in front of people's traffic. With pacing
  // the loop sets the rate of the *requests* to WAN peers to the down limit
  // (the pacer holds them, request_pacer.hpp), so the data leaves the sender
  // at that rate, block by block; the window (requested, not yet answered)
  // is the limit x (base RTT + window_rtt_margin_ms) + 2 blocks, a bound on
  // a stalled sender's burst. The class limit, when no cap binds, sits 25%
  // above as a backstop (web seeds are not paced). Default false here (a port
  // may not pace); nodes turn it on (NodeGovernorOptions::request_pacing).
  bool request_pacing = false;
  int64_t window_rtt_margin_ms = 100;  // [0, 10000]; default 100 ms
  // Seconds of smoothing for the bytes the governor sees per tick (its
  // application-limited test): libtorrent delivers in lumps, so a 200 ms tick
  // often sees nothing while the node is busy. [0, 10000] ms; default 2000.
  int64_t usage_window_ms = 2'000;
  Status validate() const;
};

// One tick, for the driver's log. Only worth logging when notable().
struct WanTickReport {
  int64_t down_limit_bytes_per_s = kNoLimit;  // as applied, kNoLimit = unlimited
  int64_t up_limit_bytes_per_s = kNoLimit;
  double queuing_delay_ms = -1;
  double base_delay_ms = -1;
  int window_index = -1;
  bool policy_changed = false;  // the first tick under a new policy or share
  bool periodic = false;        // the status_every_ticks-th tick
  int64_t down_bytes_per_s = 0;  // WAN payload moved down since the previous tick
  // The governor's events except `grow`, which fires nearly every tick below
  // target (logging it would log every tick).
  std::vector<GovernorEvent> events;
  bool notable() const { return policy_changed || periodic || !events.empty(); }
};

class WanGovernorLoop {
 public:
  // REQUIRES: options.validate().ok(). `port` must outlive the loop.
  WanGovernorLoop(WanGovernorLoopOptions options, WanPort& port);

  // The RTT source (not owned; nullptr = none, the governor then holds and
  // decays as without samples). Must outlive its use by poll().
  void set_rtt_source(RttSource* source) { rtt_ = source; }
  // The branch's policy; REQUIRES: policy.validate().ok().
  void set_policy(const WanPolicy& policy);
  // This node's share of the branch caps, (0, 1]; 1 = all of it (default).
  // Out-of-range values are clamped.
  void set_share(double fraction);

  // Ticks when tick_interval_ms passed since the previous tick (the first
  // call ticks). `now_ms` monotonic, `unix_s` wall clock for policy windows.
  // nullopt when no tick was due or the loop is disabled.
  std::optional<WanTickReport> poll(int64_t now_ms, int64_t unix_s);

  const WanPolicy& policy() const { return policy_; }
  double share() const { return share_; }
  bool enabled() const { return options_.enabled; }
  // Limits last applied through the port (kNoLimit = unlimited); nullopt before.
  std::optional<std::pair<int64_t, int64_t>> applied() const { return applied_; }

 private:
  // Payload bytes moved over dt_ms (a tick's gap).
  struct Moved {
    int64_t dt_ms, down, up;
  };
  int64_t budget(int64_t cap, int64_t node_cap) const;
  // The steps of one tick, in order.
  Moved take_moved(int64_t dt_ms);
  Moved smooth_usage(const Moved& raw);
  bool down_cap_binds(const GovernorDecision& d, const GovernorInput& in, const EffectiveCaps& caps) const;
  void apply_limits(std::pair<int64_t, int64_t> limits, bool in_slowdown, bool cap_down_binds);
  void apply_pace(int64_t down_limit, double base_delay_ms);
  WanTickReport make_report(const GovernorDecision& d, std::pair<int64_t, int64_t> limits, const Moved& raw);

  WanGovernorLoopOptions options_;
  WanPort& port_;
  RttSource* rtt_ = nullptr;
  Governor governor_;
  WanPolicy policy_;
  double share_ = 1.0;
  bool policy_changed_ = true;
  std::optional<int64_t> last_tick_ms_;
  std::optional<WanByteCounts> last_bytes_;
  std::optional<std::pair<int64_t, int64_t>> applied_;
  LinkCapacity capacity_;  // the governor's latest estimate, for percent caps in the budget

  int64_t ticks_ = 0;
  std::vector<Moved> usage_;  // the last usage_window_ms of ticks (bounded by it / tick)
  std::pair<int64_t, int64_t> pace_{-1, -1};  // rate, window last set; -1 = never
  int64_t request_window_for(int64_t down_limit, double base_ms) const;
};

}  // namespace bc::governor
