// The request pacer (layers/governor/request_pacer.hpp), driven with fake time.
#include "layers/governor/request_pacer.hpp"

#include <doctest/doctest.h>

using namespace bc::governor;

namespace {

constexpr int kBlock = 16'384;

PacedRequest block(int piece, int i) { return {piece, i * kBlock, kBlock}; }

using Flight = std::vector<std::pair<int64_t, std::pair<uint64_t, PacedRequest>>>;  // answer time, request

// Admits `n` blocks for `peer`; those sent at once are answered `rtt_us` later.
void admit_blocks(RequestPacer& p, uint64_t peer, int n, int64_t now_us, int64_t rtt_us, Flight& flight) {
  for (int i = 0; i < n; ++i)
    if (p.admit(peer, block(i / 16, i % 16), now_us)) flight.push_back({now_us + rtt_us, {peer, block(i / 16, i % 16)}});
}

// Runs `seconds` of fake time in 1 ms steps: answers each request `rtt_us`
// after it went, releases what is due; returns the bytes released.
int64_t run(RequestPacer& p, int64_t& now_us, double seconds, int64_t rtt_us, Flight& flight) {
  int64_t bytes = 0;
  const int64_t end = now_us + int64_t(seconds * 1e6);
  for (; now_us < end; now_us += 1'000) {
    for (auto it = flight.begin(); it != flight.end();) {
      if (it->first <= now_us) {
        p.answered(it->second.first, it->second.second);
        it = flight.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [peer, r] : p.release(now_us)) {
      bytes += r.length;
      flight.push_back({now_us + rtt_us, {peer, r}});
    }
  }
  return bytes;
}

}  // namespace

TEST_CASE("request pacer: unpaced, every request goes at once") {
  RequestPacer p;
  for (int i = 0; i < 100; ++i) CHECK(p.admit(1, block(0, i), 0));
  CHECK(p.stats().admitted == 100);
  CHECK(p.stats().in_flight_bytes == 100 * kBlock);
  CHECK(p.next_release_us(0) == -1);
}

TEST_CASE("request pacer: paced, requests leave at the rate (within one block over 10 s)") {
  RequestPacer p;
  int64_t now = 1'000'000;
  const int64_t rate = 500'000;
  p.set_pace(rate, 0, now);
  Flight flight;
  admit_blocks(p, 7, 2'000, now, 50'000, flight);
  CHECK(flight.size() == 1);  // the bucket starts empty: one request, then debt
  const int64_t sent = kBlock + run(p, now, 10.0, 50'000, flight);
  CHECK(sent >= 10 * rate - kBlock);
  CHECK(sent <= 10 * rate + kBlock);
  // Evenly: no 100 ms slice asks for more than 100 ms of rate plus one block.
  int64_t max_slice = 0;
  for (int s = 0; s < 20; ++s) max_slice = std::max(max_slice, run(p, now, 0.1, 50'000, flight));
  CHECK(max_slice <= rate / 10 + kBlock);
}

TEST_CASE("request pacer: the window bounds what is requested and not answered") {
  RequestPacer p;
  int64_t now = 0;
  p.set_pace(10'000'000, 4 * kBlock, now);  // the rate would allow far more
  Flight flight;
  admit_blocks(p, 1, 64, now, 100'000, flight);
  // 1 s with answers after 100 ms: 4 blocks per 100 ms.
  const int64_t sent = run(p, now, 1.0, 100'000, flight);
  CHECK(sent <= 10 * 4 * kBlock);
  CHECK(sent >= 9 * 4 * kBlock);
  CHECK(p.stats().in_flight_bytes <= 4 * kBlock);
}

TEST_CASE("request pacer: requests queue first in, first out across peers; a new one waits behind held ones") {
  RequestPacer p;
  int64_t now = 0;
  p.set_pace(kBlock * 10, 0, now);  // one block per 100 ms
  CHECK(p.admit(1, block(0, 0), now));  // the first goes, into debt
  CHECK_FALSE(p.admit(2, block(1, 0), now));
  now += 100'000;
  CHECK_FALSE(p.admit(1, block(0, 1), now));  // the debt is paid, but one is ahead
  auto out = p.release(now);
  REQUIRE(out.size() == 1);
  CHECK(out[0].first == 2);
  CHECK(out[0].second == block(1, 0));
  CHECK(p.next_release_us(now) == now + 100'000);
  now += 100'000;
  out = p.release(now);
  REQUIRE(out.size() == 1);
  CHECK(out[0].first == 1);
  CHECK(out[0].second == block(0, 1));
  CHECK(p.next_release_us(now) == -1);
}

TEST_CASE("request pacer: choke, cancel and a peer leaving") {
  RequestPacer p;
  int64_t now = 0;
  p.set_pace(kBlock, 0, now);  // slow: all but the first are held
  for (int i = 0; i < 4; ++i) p.admit(1, block(0, i), now);
  for (int i = 0; i < 3; ++i) p.admit(2, block(1, i), now);
  CHECK(p.stats().held_now == 6);
  CHECK(p.cancelled(1, block(0, 2)));
  CHECK_FALSE(p.cancelled(1, block(0, 2)));  // already gone
  const auto taken = p.take_held(1);  // choked: they go now, counted in flight
  REQUIRE(taken.size() == 2);
  CHECK(taken[0] == block(0, 1));
  CHECK(taken[1] == block(0, 3));
  CHECK(p.stats().in_flight_bytes == 3 * kBlock);
  p.answered(1, block(0, 0));
  CHECK(p.stats().in_flight_bytes == 2 * kBlock);
  p.forget(1);
  CHECK(p.stats().in_flight_bytes == 0);
  CHECK(p.stats().held_now == 3);
  p.forget(2);
  CHECK(p.stats().held_now == 0);
  CHECK(p.next_release_us(now) == -1);
}

TEST_CASE("request pacer: a request never answered stops counting after the timeout; the hold queue is bounded") {
  RequestPacerOptions o;
  o.max_held = 8;
  RequestPacer p(o);
  int64_t now = 0;
  p.set_pace(1000 * kBlock, 2 * kBlock, now);  // the bucket holds 10 blocks
  now += 1'000'000;
  CHECK(p.admit(1, block(0, 0), now));
  CHECK(p.admit(1, block(0, 1), now));
  CHECK_FALSE(p.admit(1, block(0, 2), now));  // the window is full
  for (int i = 3; i < 10; ++i) p.admit(1, block(0, i), now);
  CHECK(p.stats().held_now == 8);
  CHECK(p.admit(1, block(0, 10), now));  // beyond max_held: admitted, counted
  CHECK(p.stats().overflowed == 1);
  now += 31'000'000;  // nothing answered for 31 s
  const auto out = p.release(now);
  CHECK(p.stats().expired == 3);
  CHECK(out.size() == 2);
}

TEST_CASE("request pacer: pacing turned off releases everything held at once") {
  RequestPacer p;
  int64_t now = 0;
  p.set_pace(kBlock, 0, now);
  for (int i = 0; i < 5; ++i) p.admit(1, block(0, i), now);  // one goes, four are held
  p.set_pace(0, 0, now);
  CHECK(p.release(now).size() == 4);
}
