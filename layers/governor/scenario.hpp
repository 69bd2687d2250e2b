// Drives one or more Governors over a BottleneckLink with cross traffic, in
// virtual time: the synthetic traces of the governor tests and the
// bc-governor-trace tool. Each governor's flow is backlogged (always sends at
// its limit); the cross traffic is an inelastic rate over time. Pure and
// deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "layers/governor/governor.hpp"
#include "layers/governor/link_model.hpp"
#include "layers/governor/wan_policy.hpp"

namespace bc::governor {

struct ScenarioSpec {
  int64_t duration_ms = 600'000;   // virtual time simulated; default 10 min
  int64_t tick_ms = 200;           // governor tick; default 200 ms
  int64_t sample_ms = 50;          // one RTT sample per this; default 50 ms
  int64_t step_ms = 5;             // link model step; default 5 ms
  BottleneckLinkOptions link;
  std::function<double(int64_t t_ms)> base_rtt_ms = [](int64_t) { return 40.0; };
  std::function<double(int64_t t_ms)> cross_bytes_per_s = [](int64_t) { return 0.0; };
  // Start time of each governor's flow; one governor per entry.
  std::vector<int64_t> governor_start_ms = {0};
  // When set, governor ticks in [gap_from_ms, gap_to_ms) carry no RTT samples.
  int64_t gap_from_ms = -1;
  int64_t gap_to_ms = -1;
  WanPolicy policy;
  GovernorOptions options;
  int64_t start_unix_s = 1'700'000'000;  // wall clock at t = 0 (a Tuesday, 22:13 UTC)
};

struct TraceRow {
  int64_t t_ms = 0;
  std::vector<double> limit_bytes_per_s;       // per governor, 0 before it starts
  std::vector<double> throughput_bytes_per_s;  // per governor, delivered in the tick
  double queuing_delay_ms = 0;                 // the link's true queuing delay at tick end
  double cross_bytes_per_s = 0;
  double base_rtt_ms = 0;
};

struct TimedEvent {
  int64_t t_ms;
  size_t governor;
  GovernorEvent event;
};

struct Trace {
  std::vector<TraceRow> rows;
  std::vector<std::pair<int64_t, double>> delay_samples;  // (t_ms, true queuing delay) per RTT sample
  std::vector<TimedEvent> events;                         // every event except `grow`
  double capacity_bytes_per_s = 0;
};

Trace run_scenario(const ScenarioSpec& spec);

// The named scenarios of the governor tests and bc-governor-trace, by default
// on a 10 Mbit/s link with a 40 ms base RTT and a 500 ms buffer:
//   step      cross traffic 0 -> 60% of C at t = 60 s; 180 s
//   drift     base RTT +20 ms linearly over 10 min (60..660 s), 30% cross; 720 s
//   route     base RTT 40 -> 80 ms at 120 s, -> 30 ms at 420 s, 30% cross; 720 s
//   latecomer a second governor starts at 60 s; no cross traffic; 600 s
//   loss      random loss 2e-4 per packet, 30% cross; 300 s
// `settle_from_ms` is where the steady-state summary window starts.
struct NamedScenario {
  std::string name;
  ScenarioSpec spec;
  int64_t settle_from_ms = 0;
};
std::vector<std::string> scenario_names();
// REQUIRES: name is one of scenario_names(); otherwise returns "step".
// `capacity_bytes_per_s` rescales the link and the cross traffic; when
// `declare_link` the policy declares the capacity (as an admin would), and
// the floor is at most 1/40 of the link.
NamedScenario named_scenario(const std::string& name, double capacity_bytes_per_s = 1.25e6,
                             bool declare_link = false);

// Summaries over [from_ms, to_ms).
double delay_percentile_ms(const Trace& t, int64_t from_ms, int64_t to_ms, double pct);
// Mean of all governors' throughput divided by the mean spare capacity (C - cross).
double spare_share(const Trace& t, int64_t from_ms, int64_t to_ms);
// Mean throughput of governor g.
double mean_throughput(const Trace& t, size_t g, int64_t from_ms, int64_t to_ms);
double min_limit(const Trace& t, size_t g, int64_t from_ms, int64_t to_ms);
double max_limit(const Trace& t, size_t g, int64_t from_ms, int64_t to_ms);

}  // namespace bc::governor
