// Statistics of one link direction as JSON: counters, queue-delay and timer
// lateness percentiles, and a bounded time series sampled by the driver (for
// plots: bytes sent, backlog and worst queue delay per interval).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsim/wanem/histogram.hpp"
#include "netsim/wanem/link_scheduler.hpp"
#include "netsim/wanem/payload_tally.hpp"

namespace bc::netsim {

struct SeriesPoint {
  std::int64_t t_ms = 0;             // since the series started
  std::uint64_t bytes_out = 0;       // delivered during the interval
  std::uint64_t packets_out = 0;
  std::uint64_t drops = 0;           // tail drops + random loss during the interval
  std::uint64_t backlog_bytes = 0;   // FIFO occupancy at the sample
  std::int64_t max_queue_delay_us = 0;  // worst queue delay of packets queued in the interval
  std::int64_t mean_queue_delay_us = 0;  // mean queue delay of packets queued in the interval
  // From the PayloadTally of delivered packets (0 when the caller passes none):
  std::uint64_t payload_bytes_out = 0;     // L4 payload delivered
  std::uint64_t xt_bytes_out = 0;          // IP bytes from/to the marked (cross-traffic) host
  std::uint64_t xt_payload_bytes_out = 0;  // their L4 payload
  // Queue delays of the cross traffic's packets queued in the interval:
  // {whole ms, packets} (LinkScheduler::take_interval_marked_delays_ms).
  std::vector<std::pair<std::int32_t, std::uint32_t>> xt_queue_delay_ms;
  // What the rest of the traffic added to those delays (their delay minus
  // the delay in a queue of the cross traffic alone), likewise
  // (LinkScheduler::take_interval_marked_added_ms).
  std::vector<std::pair<std::int32_t, std::uint32_t>> xt_added_delay_ms;
};

// A bounded time series: the newest `max_points` samples are kept.
class DirectionSeries {
 public:
  // REQUIRES: max_points >= 1
  explicit DirectionSeries(std::size_t max_points = 36'000) : max_points_(max_points) {}

  // Records the interval ending at now_ns. The first call only sets the origin.
  // `tally`: the delivered packets' payload tally (cumulative), or nullptr.
  void sample(std::int64_t now_ns, LinkScheduler& link, const PayloadTotals* tally = nullptr);
  const std::deque<SeriesPoint>& points() const { return points_; }
  std::uint64_t discarded() const { return discarded_; }

 private:
  std::size_t max_points_;
  std::deque<SeriesPoint> points_;
  std::uint64_t discarded_ = 0;
  bool started_ = false;
  std::int64_t origin_ns_ = 0;
  LinkCounters last_{};
  PayloadTotals last_tally_{};
};

// {"p50_us":..,"p95_us":..,"p99_us":..,"max_us":..,"mean_us":..,"count":..}
nlohmann::json histogram_json(const LatencyHistogram& h);
nlohmann::json counters_json(const LinkCounters& c);
nlohmann::json series_json(const DirectionSeries& s);

}  // namespace bc::netsim
