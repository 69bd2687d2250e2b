// Request pacing: the WAN governor's actuator for downloads. A receiver's
// rate limit in libtorrent is enforced when it reads from the socket, in lumps
// of its limiter's tick, while the sender answers whatever was requested at
// line rate; on a WAN link those answers arrive as bursts that fill the
// bottleneck queue (measured: 0.25-1 MB bursts on 10 Mbit/s at a 300 KiB/s
// limit, docs/benchmarks.md). Pacing the *requests* instead paces the data at
// its source: the sender answers each 16 KiB request as it arrives, so the
// data reaches the bottleneck at the request rate.
//
// The pacer holds block requests a node is about to send to WAN peers and
// releases them by a token bucket at `rate` (a request may go while the
// bucket is not in debt; it holds at most 10 ms of rate, so one request plus
// 10 ms go at once at most), with at most `window` bytes requested and not yet answered
// (a bound on what a stalled sender can return in one burst). Pure: no
// sockets, no clock; the plugin glue (layers/swarm/pacer_plugin.*) feeds it
// libtorrent's callbacks and the time, and sends what it releases.
//
// Thread affinity: one thread (libtorrent's network thread in nodes).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <tuple>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::governor {

struct PacedRequest {
  int piece = 0;
  int start = 0;
  int length = 0;
  friend bool operator==(const PacedRequest& a, const PacedRequest& b) {
    return a.piece == b.piece && a.start == b.start && a.length == b.length;
  }
};

struct RequestPacerOptions {
  int64_t burst_ms = 10;          // the bucket holds at most this much of the rate; default 10 ms
  int64_t answer_timeout_ms = 30'000;  // a request unanswered this long no longer counts in flight; default 30 s
  size_t max_held = 4'096;        // requests held at most; beyond, admitted unpaced (counted); default 4096
  size_t max_in_flight = 16'384;  // requests tracked in flight at most; default 16384
  Status validate() const;
};

struct RequestPacerStats {
  uint64_t admitted = 0;     // requests sent at once
  uint64_t held = 0;         // requests held for later
  uint64_t released = 0;     // held requests released by the pacer
  uint64_t overflowed = 0;   // admitted unpaced because max_held was reached
  uint64_t expired = 0;      // in-flight requests dropped unanswered after answer_timeout_ms
  int64_t in_flight_bytes = 0;
  size_t held_now = 0;
};

class RequestPacer {
 public:
  using PeerId = uint64_t;

  // REQUIRES: options.validate().ok().
  explicit RequestPacer(RequestPacerOptions options = {});

  // rate bytes/s (0 = no pacing: every request goes at once); window bytes in
  // flight at most (0 = no bound). Takes effect for held requests at the next
  // release(). `now_us` monotonic.
  void set_pace(int64_t rate_bytes_per_s, int64_t window_bytes, int64_t now_us);

  // libtorrent is about to send `r` to `peer`. true: send it now (it counts in
  // flight); false: held, release() hands it out later. Requests behind held
  // ones wait their turn (first in, first out across peers).
  bool admit(PeerId peer, const PacedRequest& r, int64_t now_us);
  // The peer answered `r` (a piece or a reject): it no longer counts in flight.
  void answered(PeerId peer, const PacedRequest& r);
  // libtorrent cancelled `r`. true when it was still held: it is dropped here
  // and the caller decides what the peer must see.
  bool cancelled(PeerId peer, const PacedRequest& r);
  // Every request held for `peer`, in order, taken out of the queue and
  // counted in flight (the peer choked us: it must reject them itself).
  std::vector<PacedRequest> take_held(PeerId peer);
  // The peer is gone: its held and in-flight requests are forgotten.
  void forget(PeerId peer);

  // Held requests due now, in order; each counts in flight.
  std::vector<std::pair<PeerId, PacedRequest>> release(int64_t now_us);
  // When release() may next hand something out: -1 = nothing held.
  int64_t next_release_us(int64_t now_us) const;

  RequestPacerStats stats() const;

 private:
  struct Held {
    PeerId peer;
    PacedRequest r;
  };
  struct Flight {
    int length;
    int64_t sent_us;
  };
  using FlightKey = std::tuple<PeerId, int, int>;  // peer, piece, start

  void refill(int64_t now_us);
  void expire(int64_t now_us);
  bool can_send(int length) const;
  void send(PeerId peer, const PacedRequest& r, int64_t now_us);
  double bucket_bytes() const;

  RequestPacerOptions options_;
  int64_t rate_ = 0;
  int64_t window_ = 0;
  double tokens_ = 0;
  int64_t refilled_us_ = -1;
  int64_t in_flight_bytes_ = 0;
  int64_t expired_at_us_ = INT64_MIN / 2;
  std::deque<Held> held_;
  std::map<FlightKey, Flight> flight_;
  RequestPacerStats stats_;
};

}  // namespace bc::governor
