// ProbeSession without sockets: time is passed in, replies are made with
// the responder's own codec function.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "layers/rtt_probe/probe_codec.hpp"
#include "layers/rtt_probe/probe_session.hpp"

using namespace bc::rtt_probe;

namespace {
constexpr int64_t kMs = 1000;

// Sends whatever is due at `now_us` and returns the datagram (empty if none).
std::vector<uint8_t> send_at(ProbeSession& s, int64_t now_us) {
  std::array<uint8_t, kMaxProbeBytes> buf{};
  auto n = s.poll_send(now_us, buf);
  if (!n) return {};
  return std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>(*n));
}
std::vector<uint8_t> echo(std::vector<uint8_t> d) {
  REQUIRE(make_echo_reply(d).ok());
  return d;
}
}  // namespace

TEST_CASE("session: every answered probe yields one sample with the RTT on the session's clock") {
  ProbeSession s({.interval_ms = 100, .timeout_ms = 1000});
  for (int i = 0; i < 10; ++i) {
    const int64_t t = i * 100 * kMs;
    auto probe = send_at(s, t);
    REQUIRE(!probe.empty());
    CHECK(send_at(s, t + 50 * kMs).empty());  // not due again before the interval
    s.on_datagram(echo(probe), t + 7 * kMs + i);
  }
  ProbeBatch b = s.drain();
  CHECK(b.sent == 10);
  CHECK(b.lost == 0);
  REQUIRE(b.samples.size() == 10);
  for (int i = 0; i < 10; ++i) {
    CHECK(b.samples[i].rtt_ms == doctest::Approx(7.0 + i / 1000.0));
    CHECK(b.samples[i].sent_at_ms == i * 100);
  }
  CHECK(s.counters().min_rtt_ms == doctest::Approx(7.0));
  // A second drain returns nothing: no double counting.
  ProbeBatch again = s.drain();
  CHECK(again.samples.empty());
  CHECK(again.sent == 0);
  CHECK(s.counters().answered == 10);
}

TEST_CASE("session: unanswered probes are lost after the timeout; late replies are ignored and counted") {
  ProbeSession s({.interval_ms = 100, .timeout_ms = 300});
  auto p1 = send_at(s, 0);
  auto p2 = send_at(s, 100 * kMs);
  s.expire(299 * kMs);
  CHECK(s.counters().lost == 0);
  s.expire(300 * kMs);
  CHECK(s.counters().lost == 1);
  s.on_datagram(echo(p1), 310 * kMs);  // late
  s.on_datagram(echo(p2), 310 * kMs);  // in time
  s.on_datagram(echo(p2), 311 * kMs);  // duplicate
  ProbeBatch b = s.drain();
  CHECK(b.sent == 2);
  CHECK(b.lost == 1);
  CHECK(b.late == 1);
  REQUIRE(b.samples.size() == 1);
  CHECK(b.samples[0].rtt_ms == doctest::Approx(210.0));
  auto c = s.counters();
  CHECK(c.duplicate == 1);
  CHECK(c.answered == 1);
  CHECK(c.in_flight == 0);
  // A reply exactly at the deadline counts as lost, not as a sample.
  auto p3 = send_at(s, 400 * kMs);
  s.on_datagram(echo(p3), 700 * kMs);
  b = s.drain();
  CHECK(b.lost == 1);
  CHECK(b.late == 1);
  CHECK(b.samples.empty());
}

TEST_CASE("session: forged, foreign and malformed datagrams never become samples") {
  ProbeSession s({.first_sequence = 100});
  auto p = send_at(s, 0);
  auto forged = echo(p);
  forged[23] ^= 1;  // right sequence, wrong timestamp
  s.on_datagram(forged, 1 * kMs);
  std::vector<uint8_t> foreign(kProbeHeaderBytes);
  REQUIRE(encode_probe(ProbePacket{.reply = true, .sequence = 5}, foreign).ok());
  s.on_datagram(foreign, 1 * kMs);
  s.on_datagram(p, 1 * kMs);  // a request, not a reply
  s.on_datagram(std::vector<uint8_t>{1, 2, 3}, 1 * kMs);
  auto c = s.counters();
  CHECK(c.unmatched == 3);
  CHECK(c.malformed == 1);
  CHECK(c.in_flight == 1);
  s.on_datagram(echo(p), 2 * kMs);
  CHECK(s.drain().samples.size() == 1);
}

TEST_CASE("session: the in-flight table holds its limit; due probes are skipped and counted") {
  ProbeSession s({.interval_ms = 10, .timeout_ms = 1000, .max_in_flight = 3});
  for (int64_t t = 0; t < 500 * kMs; t += 10 * kMs) {
    send_at(s, t);
    CHECK(s.counters().in_flight <= 3);
  }
  auto c = s.counters();
  CHECK(c.sent == 3);
  CHECK(c.skipped_full == 47);
  s.expire(1020 * kMs);  // sent at 0, 10, 20 ms
  CHECK(s.counters().lost == 3);
  CHECK(!send_at(s, 1020 * kMs).empty());  // room again
}

TEST_CASE("session: after a stall the prober resumes its cadence without a burst") {
  ProbeSession s({.interval_ms = 100});
  CHECK(!send_at(s, 0).empty());
  CHECK(!send_at(s, 1000 * kMs).empty());  // the loop was blocked for 10 intervals
  CHECK(send_at(s, 1000 * kMs).empty());
  CHECK(send_at(s, 1099 * kMs).empty());
  CHECK(!send_at(s, 1100 * kMs).empty());
}

TEST_CASE("session: a counted run finishes once every probe is answered or lost; wakeups follow deadlines") {
  ProbeSession s({.interval_ms = 100, .timeout_ms = 250, .probe_count = 2});
  CHECK(s.next_wakeup_us() == INT64_MIN);  // never polled: due at once
  auto p1 = send_at(s, 0);
  CHECK(s.next_wakeup_us() == 100 * kMs);
  send_at(s, 100 * kMs);
  CHECK(s.next_wakeup_us() == 250 * kMs);  // p1's deadline; no more sends
  s.on_datagram(echo(p1), 120 * kMs);
  CHECK(s.next_wakeup_us() == 350 * kMs);
  CHECK(!s.finished());
  s.expire(350 * kMs);
  CHECK(s.finished());
  CHECK(s.next_wakeup_us() == INT64_MAX);
  CHECK(send_at(s, 400 * kMs).empty());
}

TEST_CASE("session: the sample buffer is bounded between drains") {
  ProbeSession s({.interval_ms = 1, .max_pending_samples = 4});
  for (int i = 0; i < 10; ++i) s.on_datagram(echo(send_at(s, i * kMs)), i * kMs + 10);
  CHECK(s.drain().samples.size() == 4);
  CHECK(s.counters().samples_dropped == 6);
  CHECK(s.counters().answered == 10);
}

TEST_CASE("session: options are validated") {
  CHECK(ProbeSessionOptions{}.validate().ok());
  CHECK(!ProbeSessionOptions{.interval_ms = 0}.validate().ok());
  CHECK(!ProbeSessionOptions{.timeout_ms = 0}.validate().ok());
  CHECK(!ProbeSessionOptions{.probe_bytes = 1201}.validate().ok());
  CHECK(!ProbeSessionOptions{.max_in_flight = 0}.validate().ok());
}

TEST_CASE("session: a send the socket refused is forgotten: neither sent, nor in flight, nor lost") {
  ProbeSession s({.interval_ms = 10, .timeout_ms = 50});
  auto p = send_at(s, 0);
  REQUIRE(!p.empty());
  s.cancel_last_send();
  s.expire(1000 * kMs);
  auto c = s.counters();
  CHECK(c.sent == 0);
  CHECK(c.lost == 0);
  CHECK(c.in_flight == 0);
  CHECK(c.send_errors == 1);
  CHECK(c.bytes_sent == 0);
  CHECK(s.drain().sent == 0);
  // The sequence is reused by the next probe, so no gap looks like a loss.
  auto q = send_at(s, 1000 * kMs);
  CHECK(decode_probe(q)->sequence == decode_probe(p)->sequence);
  // In a counted run a refused send is an attempt: the run still ends.
  ProbeSession counted({.interval_ms = 10, .probe_count = 2});
  send_at(counted, 0);
  counted.cancel_last_send();
  send_at(counted, 10 * kMs);
  counted.cancel_last_send();
  CHECK(counted.finished());
  CHECK(send_at(counted, 20 * kMs).empty());
}
