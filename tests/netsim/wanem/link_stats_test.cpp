#include "netsim/wanem/link_stats.hpp"

#include <doctest/doctest.h>

namespace bc::netsim {
namespace {

TEST_CASE("the time series records bytes and drops and backlog and worst queue delay per interval") {
  LinkOptions o;
  o.rate_bytes_per_s = 1'000'000;  // 1 byte/us
  o.queue_limit_bytes = 10'000;
  LinkScheduler link(o);
  DirectionSeries series(3);
  series.sample(0, link);
  for (int i = 0; i < 12; ++i) link.offer(0, PacketBytes(1000));  // 10 queued, 2 dropped
  std::vector<Departure> out;
  link.take_due(100'000'000, out);  // 100 ms: all 10 sent
  series.sample(100'000'000, link);
  REQUIRE(series.points().size() == 1);
  const SeriesPoint& p = series.points().back();
  CHECK(p.t_ms == 100);
  CHECK(p.bytes_out == 10'000);
  CHECK(p.packets_out == 10);
  CHECK(p.drops == 2);
  CHECK(p.backlog_bytes == 0);
  CHECK(p.max_queue_delay_us == 9000);
  for (int i = 2; i <= 5; ++i) series.sample(i * 100'000'000, link);
  CHECK(series.points().size() == 3);  // bounded: oldest points discarded
  CHECK(series.discarded() == 2);
  nlohmann::json j = series_json(series);
  CHECK(j["t_ms"].size() == 3);
  CHECK(j["t_ms"][0] == 300);
  nlohmann::json c = counters_json(link.counters());
  CHECK(c["dropped_queue_full"] == 2);
}

}  // namespace
}  // namespace bc::netsim
