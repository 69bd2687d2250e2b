#include "netsim/wanem/link_stats.hpp"

namespace bc::netsim {

void DirectionSeries::sample(std::int64_t now_ns, LinkScheduler& link, const PayloadTotals* tally) {
  const LinkCounters& c = link.counters();
  const PayloadTotals t = tally != nullptr ? *tally : PayloadTotals{};
  if (!started_) {
    started_ = true;
    origin_ns_ = now_ns;
    last_ = c;
    last_tally_ = t;
    link.take_interval_max_queue_delay_ns();
    link.take_interval_mean_queue_delay_ns();
    link.take_interval_marked_delays_ms();
    link.take_interval_marked_added_ms();
    return;
  }
  SeriesPoint p;
  p.t_ms = (now_ns - origin_ns_) / 1'000'000;
  p.bytes_out = c.bytes_out - last_.bytes_out;
  p.packets_out = c.packets_out - last_.packets_out;
  p.drops = (c.dropped_queue_full - last_.dropped_queue_full) + (c.dropped_loss - last_.dropped_loss);
  p.backlog_bytes = link.backlog_bytes(now_ns);
  p.max_queue_delay_us = link.take_interval_max_queue_delay_ns() / 1000;
  p.mean_queue_delay_us = link.take_interval_mean_queue_delay_ns() / 1000;
  p.xt_queue_delay_ms = link.take_interval_marked_delays_ms();
  p.xt_added_delay_ms = link.take_interval_marked_added_ms();
  p.payload_bytes_out = t.payload_bytes - last_tally_.payload_bytes;
  p.xt_bytes_out = t.marked_ip_bytes - last_tally_.marked_ip_bytes;
  p.xt_payload_bytes_out = t.marked_payload_bytes - last_tally_.marked_payload_bytes;
  last_ = c;
  last_tally_ = t;
  if (points_.size() >= max_points_) {
    points_.pop_front();
    discarded_++;
  }
  points_.push_back(p);
}

nlohmann::json histogram_json(const LatencyHistogram& h) {
  auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  return {{"count", h.count()},
          {"p50_us", us(h.percentile_ns(0.50))},
          {"p95_us", us(h.percentile_ns(0.95))},
          {"p99_us", us(h.percentile_ns(0.99))},
          {"max_us", us(h.max_ns())},
          {"mean_us", h.mean_ns() / 1000.0}};
}

nlohmann::json counters_json(const LinkCounters& c) {
  return {{"packets_in", c.packets_in},
          {"bytes_in", c.bytes_in},
          {"packets_out", c.packets_out},
          {"bytes_out", c.bytes_out},
          {"dropped_queue_full", c.dropped_queue_full},
          {"dropped_queue_full_bytes", c.dropped_queue_full_bytes},
          {"dropped_loss", c.dropped_loss},
          {"dropped_oversize", c.dropped_oversize},
          {"dropped_delay_line", c.dropped_delay_line}};
}

nlohmann::json series_json(const DirectionSeries& s) {
  nlohmann::json t = nlohmann::json::array(), bytes = nlohmann::json::array(),
                 drops = nlohmann::json::array(), backlog = nlohmann::json::array(),
                 qdelay = nlohmann::json::array(), qmean = nlohmann::json::array(),
                 payload = nlohmann::json::array(), xt = nlohmann::json::array(), xt_payload = nlohmann::json::array(),
                 xt_qd = nlohmann::json::array(), xt_added = nlohmann::json::array();
  for (const SeriesPoint& p : s.points()) {
    nlohmann::json h = nlohmann::json::array();
    for (const auto& [ms, n] : p.xt_queue_delay_ms) h.push_back({ms, n});
    xt_qd.push_back(std::move(h));
    nlohmann::json a = nlohmann::json::array();
    for (const auto& [ms, n] : p.xt_added_delay_ms) a.push_back({ms, n});
    xt_added.push_back(std::move(a));
    qmean.push_back(p.mean_queue_delay_us);
    payload.push_back(p.payload_bytes_out);
    xt.push_back(p.xt_bytes_out);
    xt_payload.push_back(p.xt_payload_bytes_out);
    t.push_back(p.t_ms);
    bytes.push_back(p.bytes_out);
    drops.push_back(p.drops);
    backlog.push_back(p.backlog_bytes);
    qdelay.push_back(p.max_queue_delay_us);
  }
  return {{"t_ms", t},           {"bytes_out", bytes},           {"drops", drops},
          {"backlog_bytes", backlog}, {"max_queue_delay_us", qdelay},
          {"mean_queue_delay_us", qmean}, {"payload_bytes_out", payload}, {"xt_bytes_out", xt},
          {"xt_payload_bytes_out", xt_payload}, {"xt_queue_delay_ms", xt_qd}, {"xt_added_delay_ms", xt_added},
          {"discarded_points", s.discarded()}};
}

}  // namespace bc::netsim
