#include "layers/governor/request_pacer.hpp"

#include <algorithm>

namespace bc::governor {

namespace {
constexpr int64_t kExpireEveryUs = 1'000'000;
constexpr int64_t kWindowRecheckUs = 50'000;  // waiting on answers only: look again after this
}  // namespace

Status RequestPacerOptions::validate() const {
  if (burst_ms < 1 || burst_ms > 1'000) return Status::invalid_argument("request pacer: burst_ms must be in [1, 1000]");
  if (answer_timeout_ms < 1'000) return Status::invalid_argument("request pacer: answer_timeout_ms must be >= 1000");
  if (max_held < 1 || max_in_flight < 1) return Status::invalid_argument("request pacer: bounds must be >= 1");
  return {};
}

RequestPacer::RequestPacer(RequestPacerOptions options) : options_(options) {}

double RequestPacer::bucket_bytes() const { return double(rate_) * double(options_.burst_ms) / 1000.0; }

void RequestPacer::refill(int64_t now_us) {
  if (refilled_us_ >= 0 && now_us > refilled_us_ && rate_ > 0)
    tokens_ = std::min(bucket_bytes(), tokens_ + double(rate_) * double(now_us - refilled_us_) / 1e6);
  if (refilled_us_ < 0 || now_us > refilled_us_) refilled_us_ = now_us;
}

void RequestPacer::set_pace(int64_t rate_bytes_per_s, int64_t window_bytes, int64_t now_us) {
  refill(now_us);
  rate_ = std::max<int64_t>(0, rate_bytes_per_s);
  window_ = std::max<int64_t>(0, window_bytes);
  tokens_ = std::min(tokens_, bucket_bytes());
}

// A request may go when the bucket is not in debt (it then runs into debt by
// the request, paid back at the rate: no rounding is lost, however coarse the
// timer) and the window has room (an empty flight always has room, so one
// oversized request cannot stall).
bool RequestPacer::can_send(int length) const {
  if (rate_ == 0) return true;
  if (tokens_ < 0) return false;
  return window_ == 0 || in_flight_bytes_ == 0 || in_flight_bytes_ + length <= window_;
}

void RequestPacer::send(PeerId peer, const PacedRequest& r, int64_t now_us) {
  if (rate_ > 0) tokens_ -= double(r.length);
  if (flight_.size() >= options_.max_in_flight) return;  // untracked: it never counts against the window
  auto [it, inserted] = flight_.try_emplace(FlightKey{peer, r.piece, r.start}, Flight{r.length, now_us});
  if (inserted) in_flight_bytes_ += r.length;
}

// At most once a second: the flight is small (a window), but unpaced it may
// hold a deep libtorrent queue.
void RequestPacer::expire(int64_t now_us) {
  if (now_us - expired_at_us_ < kExpireEveryUs) return;
  expired_at_us_ = now_us;
  const int64_t limit_us = options_.answer_timeout_ms * 1000;
  for (auto it = flight_.begin(); it != flight_.end();) {
    if (now_us - it->second.sent_us > limit_us) {
      in_flight_bytes_ -= it->second.length;
      ++stats_.expired;
      it = flight_.erase(it);
    } else {
      ++it;
    }
  }
}

bool RequestPacer::admit(PeerId peer, const PacedRequest& r, int64_t now_us) {
  refill(now_us);
  expire(now_us);
  const bool queue_empty = held_.empty() || rate_ == 0;
  if (queue_empty && can_send(r.length)) {
    send(peer, r, now_us);
    ++stats_.admitted;
    return true;
  }
  if (held_.size() >= options_.max_held) {
    send(peer, r, now_us);
    ++stats_.overflowed;
    return true;
  }
  held_.push_back({peer, r});
  ++stats_.held;
  return false;
}

void RequestPacer::answered(PeerId peer, const PacedRequest& r) {
  auto it = flight_.find(FlightKey{peer, r.piece, r.start});
  if (it == flight_.end()) return;
  in_flight_bytes_ -= it->second.length;
  flight_.erase(it);
}

bool RequestPacer::cancelled(PeerId peer, const PacedRequest& r) {
  for (auto it = held_.begin(); it != held_.end(); ++it) {
    if (it->peer == peer && it->r == r) {
      held_.erase(it);
      return true;
    }
  }
  return false;
}

std::vector<PacedRequest> RequestPacer::take_held(PeerId peer) {
  std::vector<PacedRequest> out;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->peer != peer) {
      ++it;
      continue;
    }
    out.push_back(it->r);
    // Not paid from the bucket: these go to a peer that will reject them.
    auto [f, inserted] = flight_.try_emplace(FlightKey{peer, it->r.piece, it->r.start}, Flight{it->r.length, refilled_us_});
    if (inserted) in_flight_bytes_ += it->r.length;
    it = held_.erase(it);
  }
  return out;
}

void RequestPacer::forget(PeerId peer) {
  held_.erase(std::remove_if(held_.begin(), held_.end(), [&](const Held& h) { return h.peer == peer; }), held_.end());
  auto it = flight_.lower_bound(FlightKey{peer, INT32_MIN, INT32_MIN});
  while (it != flight_.end() && std::get<0>(it->first) == peer) {
    in_flight_bytes_ -= it->second.length;
    it = flight_.erase(it);
  }
}

std::vector<std::pair<RequestPacer::PeerId, PacedRequest>> RequestPacer::release(int64_t now_us) {
  refill(now_us);
  expire(now_us);
  std::vector<std::pair<PeerId, PacedRequest>> out;
  while (!held_.empty() && can_send(held_.front().r.length)) {
    Held h = held_.front();
    held_.pop_front();
    send(h.peer, h.r, now_us);
    ++stats_.released;
    out.emplace_back(h.peer, h.r);
  }
  return out;
}

int64_t RequestPacer::next_release_us(int64_t now_us) const {
  if (held_.empty()) return -1;
  if (rate_ == 0) return now_us;
  const int length = held_.front().r.length;
  const bool window_full = window_ > 0 && in_flight_bytes_ > 0 && in_flight_bytes_ + length > window_;
  if (window_full) return now_us + kWindowRecheckUs;  // an answer pumps the pacer sooner
  const double need = -tokens_;
  if (need <= 0) return now_us;
  return now_us + std::max<int64_t>(1, int64_t(need * 1e6 / double(rate_)));
}

RequestPacerStats RequestPacer::stats() const {
  RequestPacerStats s = stats_;
  s.in_flight_bytes = in_flight_bytes_;
  s.held_now = held_.size();
  return s;
}

}  // namespace bc::governor
