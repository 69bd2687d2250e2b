#include <doctest/doctest.h>

#include "layers/governor/delay_tracker.hpp"

using namespace bc::governor;

TEST_CASE("base delay is the minimum over the window and expires with it") {
  DelayTracker d;  // 20 x 30 s buckets
  d.add_sample(0, 50);
  d.add_sample(1'000, 40);
  d.add_sample(1'200, 70);
  CHECK(*d.base_ms() == 40);
  CHECK(*d.current_ms() == 40);  // min of the last 4
  CHECK(*d.queuing_delay_ms() == 0);
  for (int i = 0; i < 4; ++i) d.add_sample(2'000 + i, 65);
  CHECK(*d.queuing_delay_ms() == 25);
  // Ten minutes later the 40 ms sample has expired (a long gap: no route rule needed).
  d.add_sample(700'000, 60);
  CHECK(*d.base_ms() == 60);
}

TEST_CASE("a base RTT that stays higher for two whole buckets is adopted (route change up)") {
  DelayTracker d;
  int64_t t = 0;
  for (; t < 120'000; t += 1'000) d.add_sample(t, 40);
  bool changed = false;
  for (; t < 300'000 && !changed; t += 1'000) changed = d.add_sample(t, 90);
  CHECK(changed);
  CHECK(t <= 120'000 + 3 * 30'000 + 1'000);
  CHECK(*d.base_ms() == 90);
}

TEST_CASE("a base RTT that drops is adopted at once (route change down)") {
  DelayTracker d;
  for (int64_t t = 0; t < 60'000; t += 1'000) d.add_sample(t, 40);
  d.add_sample(60'000, 25);
  CHECK(*d.base_ms() == 25);
}

TEST_CASE("a short rise of the minimum is not taken for a route change") {
  DelayTracker d;
  int64_t t = 0;
  for (; t < 120'000; t += 1'000) d.add_sample(t, 40);
  for (; t < 150'000; t += 1'000) CHECK_FALSE(d.add_sample(t, 90));  // one bucket high
  for (; t < 300'000; t += 1'000) CHECK_FALSE(d.add_sample(t, 41));
  CHECK(*d.base_ms() == 40);
}
