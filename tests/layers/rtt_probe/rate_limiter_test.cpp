#include <doctest/doctest.h>

#include "layers/rtt_probe/source_rate_limiter.hpp"

using namespace bc::rtt_probe;

namespace {
SourceKey v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  SourceKey k;
  k.bytes[0] = a; k.bytes[1] = b; k.bytes[2] = c; k.bytes[3] = d;
  return k;
}
int allowed_in(SourceRateLimiter& l, const SourceKey& k, int tries, int64_t now_us) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += l.allow(k, now_us) ? 1 : 0;
  return n;
}
}  // namespace

TEST_CASE("rate limiter: a source gets its burst, then its rate, and other sources are unaffected") {
  SourceRateLimiter l({.replies_per_s = 10, .burst = 5, .max_total_replies_per_s = 1000, .max_sources = 16});
  const auto a = v4(10, 0, 0, 1), b = v4(10, 0, 0, 2);
  CHECK(allowed_in(l, a, 100, 0) == 5);
  CHECK(allowed_in(l, a, 100, 100'000) == 1);       // 100 ms at 10/s
  CHECK(allowed_in(l, a, 100, 1'100'000) == 5);     // refill caps at the burst
  CHECK(allowed_in(l, b, 100, 1'100'000) == 5);
  // Over 10 simulated seconds of flooding, a source gets burst + rate * time.
  int total = 0;
  for (int64_t t = 2'000'000; t < 12'000'000; t += 1000) total += allowed_in(l, a, 3, t);
  CHECK(total >= 99);
  CHECK(total <= 5 + 100);
}

TEST_CASE("rate limiter: a rate of 0 refuses every request; options are validated") {
  SourceRateLimiter l({.replies_per_s = 0, .burst = 5});
  CHECK(allowed_in(l, v4(1, 2, 3, 4), 10, 0) == 0);
  CHECK(SourceRateLimiterOptions{.burst = 0.5}.validate().code() == bc::Status::Code::invalid_argument);
  CHECK(!SourceRateLimiterOptions{.replies_per_s = -1}.validate().ok());
  CHECK(!SourceRateLimiterOptions{.max_sources = 0}.validate().ok());
  CHECK(SourceRateLimiterOptions{}.validate().ok());
}

TEST_CASE("rate limiter: the source table holds its limit and evicts the least recently seen") {
  SourceRateLimiter l({.replies_per_s = 1, .burst = 1, .max_sources = 4});
  for (uint8_t i = 0; i < 100; ++i) l.allow(v4(10, 0, 0, i), 0);
  CHECK(l.tracked_sources() == 4);
  CHECK(l.evictions() == 96);
  // 10.0.0.99 is still tracked (bucket empty); 10.0.0.0 was evicted (fresh bucket).
  CHECK_FALSE(l.allow(v4(10, 0, 0, 99), 0));
  CHECK(l.allow(v4(10, 0, 0, 0), 0));
}

TEST_CASE("rate limiter: the total cap bounds many sources, and a throttled source does not drain it") {
  SourceRateLimiter l({.replies_per_s = 100, .burst = 1, .max_total_replies_per_s = 10, .max_sources = 4096});
  int n = 0;
  for (int i = 0; i < 1000; ++i) n += l.allow(v4(10, 1, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)), 0) ? 1 : 0;
  CHECK(n == 10);
  SourceRateLimiter m({.replies_per_s = 1, .burst = 1, .max_total_replies_per_s = 2, .max_sources = 16});
  CHECK(allowed_in(m, v4(1, 1, 1, 1), 50, 0) == 1);  // its own limit stops it at one
  CHECK(allowed_in(m, v4(2, 2, 2, 2), 1, 0) == 1);   // the total still had room
}
