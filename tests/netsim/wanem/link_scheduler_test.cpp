#include "netsim/wanem/link_scheduler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace bc::netsim {
namespace {

constexpr std::int64_t kMs = 1'000'000;

LinkOptions options(std::uint64_t rate, std::uint64_t delay_us, std::uint64_t queue_bytes, double loss = 0) {
  LinkOptions o;
  o.rate_bytes_per_s = rate;
  o.delay_us = delay_us;
  o.queue_limit_bytes = queue_bytes;
  o.loss_probability = loss;
  return o;
}

PacketBytes packet(std::size_t size, std::uint8_t tag = 0) { return PacketBytes(size, tag); }

TEST_CASE("each packet leaves size/rate after the previous one plus the propagation delay") {
  // 1.25 MB/s (10 Mbit/s): a 1500-byte packet takes 1.2 ms.
  LinkScheduler link(options(1'250'000, 5000, 1 << 20));
  for (int i = 0; i < 10; ++i) REQUIRE(link.offer(0, packet(1500)) == LinkScheduler::Verdict::queued);
  std::vector<Departure> out;
  for (int i = 0; i < 10; ++i) {
    const std::int64_t due = (i + 1) * 1'200'000 + 5 * kMs;
    CHECK(link.next_due_ns() == due);
    CHECK(link.take_due(due - 1, out) == 0);
    CHECK(link.take_due(due, out) == 1);
    CHECK(out.back().due_ns == due);
  }
  CHECK(!link.next_due_ns().has_value());
  CHECK(link.counters().bytes_out == 15000);
}

TEST_CASE("the queue delays of marked (cross-traffic) packets are kept apart, by whole ms, and reset when taken") {
  // 1.25 MB/s: each 1500-byte packet adds 1.2 ms of queue for the next.
  LinkScheduler link(options(1'250'000, 0, 1 << 20));
  for (int i = 0; i < 5; ++i) REQUIRE(link.offer(0, packet(1500), /*marked=*/i % 2 == 0) == LinkScheduler::Verdict::queued);
  // Marked: packets 0, 2, 4 waited 0, 2.4 and 4.8 ms.
  const auto h = link.take_interval_marked_delays_ms();
  REQUIRE(h.size() == 3);
  CHECK(h[0] == std::pair<std::int32_t, std::uint32_t>{0, 1});
  CHECK(h[1] == std::pair<std::int32_t, std::uint32_t>{2, 1});
  CHECK(h[2] == std::pair<std::int32_t, std::uint32_t>{4, 1});
  CHECK(link.take_interval_marked_delays_ms().empty());
  CHECK(link.queue_delay().count() == 5);  // every packet still counts in the link's histogram
}

TEST_CASE("what the unmarked traffic adds to a marked packet is its delay beyond a queue of the marked packets alone") {
  // 1.25 MB/s: 1500 bytes take 1.2 ms.
  LinkScheduler link(options(1'250'000, 0, 1 << 20));
  // Two marked packets back to back: the second waits 1.2 ms behind the
  // first, which it would alone too: nothing added.
  REQUIRE(link.offer(0, packet(1500), true) == LinkScheduler::Verdict::queued);
  REQUIRE(link.offer(0, packet(1500), true) == LinkScheduler::Verdict::queued);
  auto a = link.take_interval_marked_added_ms();
  REQUIRE(a.size() == 1);
  CHECK(a[0] == std::pair<std::int32_t, std::uint32_t>{0, 2});
  // 10 ms on: the link is idle. Five unmarked packets (6 ms of work), then a
  // marked one: it waits 6 ms, alone it would not wait: 6 ms added.
  for (int i = 0; i < 5; ++i) REQUIRE(link.offer(10 * kMs, packet(1500)) == LinkScheduler::Verdict::queued);
  REQUIRE(link.offer(10 * kMs, packet(1500), true) == LinkScheduler::Verdict::queued);
  // One more marked right behind it: 7.2 ms behind everything, 1.2 ms behind
  // its marked predecessor alone: 6 ms added again.
  REQUIRE(link.offer(10 * kMs, packet(1500), true) == LinkScheduler::Verdict::queued);
  a = link.take_interval_marked_added_ms();
  REQUIRE(a.size() == 1);
  CHECK(a[0] == std::pair<std::int32_t, std::uint32_t>{6, 2});
  const auto d = link.take_interval_marked_delays_ms();
  REQUIRE(d.size() == 4);  // 0, 1 (1.2 ms), then 6 and 7 (7.2 ms)
  CHECK(d[2] == std::pair<std::int32_t, std::uint32_t>{6, 1});
  CHECK(d[3] == std::pair<std::int32_t, std::uint32_t>{7, 1});
  CHECK(link.take_interval_marked_added_ms().empty());
}

TEST_CASE("a long busy period is exact to the nanosecond whatever the packet sizes") {
  // 1e9 / 12345679 is not whole: the carried remainder must keep the total exact.
  const std::uint64_t rate = 12'345'679;
  LinkScheduler link(options(rate, 0, 64 << 20));
  std::uint64_t bytes = 0;
  for (int i = 0; i < 20000; ++i) {
    std::size_t size = 64 + static_cast<std::size_t>(i * 37) % 1437;
    bytes += size;
    REQUIRE(link.offer(0, packet(size)) == LinkScheduler::Verdict::queued);
  }
  const auto expected_end = static_cast<std::int64_t>(bytes * 1'000'000'000ull / rate);
  CHECK(*link.next_due_ns() > 0);
  std::vector<Departure> out;
  link.take_due(expected_end - 1, out);
  CHECK(out.size() == 19999);
  link.take_due(expected_end, out);
  CHECK(out.size() == 20000);
}

TEST_CASE("an idle link starts a packet on arrival: no credit is saved up while idle") {
  LinkScheduler link(options(1'000'000, 0, 1 << 20));  // 1 byte/us
  REQUIRE(link.offer(0, packet(1000)) == LinkScheduler::Verdict::queued);
  std::vector<Departure> out;
  CHECK(link.take_due(1 * kMs, out) == 1);
  // After 10 ms idle, two packets back to back still take 1 ms each.
  link.offer(11 * kMs, packet(1000));
  link.offer(11 * kMs, packet(1000));
  CHECK(link.next_due_ns() == 12 * kMs);
  CHECK(link.take_due(12 * kMs, out) == 1);
  CHECK(link.next_due_ns() == 13 * kMs);
}

TEST_CASE("a full queue tail-drops and frees space as packets are serialized") {
  LinkScheduler link(options(1'500'000, 0, 10 * 1500));  // 1 ms per 1500-byte packet
  int queued = 0, dropped = 0;
  for (int i = 0; i < 20; ++i) {
    auto v = link.offer(0, packet(1500));
    (v == LinkScheduler::Verdict::queued ? queued : dropped)++;
    if (v != LinkScheduler::Verdict::queued) CHECK(v == LinkScheduler::Verdict::dropped_queue_full);
  }
  CHECK(queued == 10);
  CHECK(dropped == 10);
  CHECK(link.counters().dropped_queue_full == 10);
  CHECK(link.counters().dropped_queue_full_bytes == 15000);
  CHECK(link.backlog_bytes(0) == 15000);
  // After 3.5 ms three packets are through: three fit again, the fourth does not.
  CHECK(link.backlog_bytes(3 * kMs + kMs / 2) == 7 * 1500);
  for (int i = 0; i < 3; ++i) CHECK(link.offer(3 * kMs + kMs / 2, packet(1500)) == LinkScheduler::Verdict::queued);
  CHECK(link.offer(3 * kMs + kMs / 2, packet(1500)) == LinkScheduler::Verdict::dropped_queue_full);
}

TEST_CASE("queued packets wait for the backlog ahead of them: queue delay = backlog / rate") {
  LinkScheduler link(options(1'000'000, 0, 1 << 20));  // 1 byte/us
  for (int i = 0; i < 100; ++i) link.offer(0, packet(1000));  // packet i waits i ms
  CHECK(link.queue_delay().count() == 100);
  CHECK(link.queue_delay().min_ns() == 0);
  CHECK(link.queue_delay().max_ns() == 99 * kMs);
  CHECK(std::abs(link.queue_delay().percentile_ns(0.5) - 49 * kMs) < 49 * kMs / 100);  // histogram: 1%
  CHECK(std::abs(link.queue_delay().percentile_ns(0.99) - 98 * kMs) < kMs);
  CHECK(link.take_interval_max_queue_delay_ns() == 99 * kMs);
  CHECK(link.take_interval_max_queue_delay_ns() == 0);
  CHECK(link.take_interval_mean_queue_delay_ns() == 99 * kMs / 2);  // mean of 0..99 ms
  CHECK(link.take_interval_mean_queue_delay_ns() == 0);
}

TEST_CASE("the delay line keeps order and delivers nothing before it is due") {
  LinkScheduler link(options(10'000'000, 40'000, 1 << 20));  // 40 ms one way
  std::int64_t t = 0;
  for (std::uint8_t i = 0; i < 50; ++i) {
    link.offer(t, packet(100 + i, i));
    t += 100'000 + (i % 7) * 10'000;  // irregular arrivals
  }
  std::vector<Departure> out;
  std::int64_t now = 0;
  while (link.next_due_ns()) {
    std::int64_t next = *link.next_due_ns();
    REQUIRE(next >= now);
    now = next;
    link.take_due(now, out);
  }
  REQUIRE(out.size() == 50);
  for (std::size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].bytes.size() == 100 + i);
    CHECK(out[i].bytes[0] == i);
    if (i > 0) CHECK(out[i].due_ns > out[i - 1].due_ns);
  }
  CHECK(out.front().due_ns == 10'000 + 40 * kMs);  // 100 B at 10 MB/s = 10 us
}

TEST_CASE("random loss matches its probability and is reproducible from the seed") {
  auto run = [](std::uint64_t seed) {
    LinkOptions o = options(1'000'000'000, 0, 256 << 20, 0.05);
    o.seed = seed;
    LinkScheduler link(o);
    std::vector<bool> lost;
    for (int i = 0; i < 100'000; ++i) lost.push_back(link.offer(i * 1000, packet(100)) == LinkScheduler::Verdict::dropped_loss);
    return lost;
  };
  auto a = run(42), b = run(42), c = run(43);
  CHECK(a == b);
  CHECK(a != c);
  double n = static_cast<double>(a.size());
  double losses = static_cast<double>(std::count(a.begin(), a.end(), true));
  double sigma = std::sqrt(n * 0.05 * 0.95);
  CHECK(std::abs(losses - 0.05 * n) < 4 * sigma);
}

TEST_CASE("packets above the MTU and a full delay line are dropped and counted") {
  LinkOptions o = options(1'000'000, 1'000'000, 1 << 20);
  o.max_delay_line_packets = 3;
  LinkScheduler link(o);
  CHECK(link.offer(0, packet(1501)) == LinkScheduler::Verdict::dropped_oversize);
  CHECK(link.offer(0, packet(0)) == LinkScheduler::Verdict::dropped_oversize);
  for (int i = 0; i < 3; ++i) CHECK(link.offer(0, packet(100)) == LinkScheduler::Verdict::queued);
  CHECK(link.offer(0, packet(100)) == LinkScheduler::Verdict::dropped_delay_line);
  CHECK(link.counters().dropped_oversize == 2);
  CHECK(link.counters().dropped_delay_line == 1);
  CHECK(link.counters().packets_in == 6);
}

TEST_CASE("link options refuse values outside their bounds with a message naming them") {
  LinkOptions o;
  CHECK(o.validate().ok());
  o.rate_bytes_per_s = 10;
  CHECK(o.validate().message().find("rate") != std::string::npos);
  o = LinkOptions();
  o.queue_limit_bytes = 1000;  // below one MTU
  CHECK(o.validate().message().find("queue limit") != std::string::npos);
  o = LinkOptions();
  o.loss_probability = 1.0;
  CHECK(!o.validate().ok());
  o = LinkOptions();
  o.delay_us = kMaxDelayUs + 1;
  CHECK(!o.validate().ok());
  CHECK(bytes_for_ms(1'250'000, 100) == 125'000);
  CHECK(mbit_to_bytes_per_s(100) == 12'500'000);
}

}  // namespace
}  // namespace bc::netsim
