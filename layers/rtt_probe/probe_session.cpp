#include "layers/rtt_probe/probe_session.hpp"

#include <algorithm>
#include <climits>
#include <string>

namespace bc::rtt_probe {

Status ProbeSessionOptions::validate() const {
  if (interval_ms < 1 || interval_ms > 3'600'000) {
    return Status::invalid_argument("interval_ms must be in [1, 3600000]");
  }
  if (timeout_ms < 1 || timeout_ms > 60'000) {
    return Status::invalid_argument("timeout_ms must be in [1, 60000]");
  }
  if (probe_bytes < kProbeHeaderBytes || probe_bytes > kMaxProbeBytes) {
    return Status::invalid_argument("probe_bytes must be in [" + std::to_string(kProbeHeaderBytes) +
                                    ", " + std::to_string(kMaxProbeBytes) + "]");
  }
  if (max_in_flight < 1 || max_in_flight > 65536) {
    return Status::invalid_argument("max_in_flight must be in [1, 65536]");
  }
  if (max_pending_samples < 1 || max_pending_samples > (1u << 22)) {
    return Status::invalid_argument("max_pending_samples must be in [1, 4194304]");
  }
  return Status();
}

ProbeSession::ProbeSession(ProbeSessionOptions options)
    : options_(options), next_sequence_(options.first_sequence) {}

std::optional<size_t> ProbeSession::poll_send(int64_t now_us, std::span<uint8_t> out) {
  expire(now_us);
  if (all_attempted()) return std::nullopt;
  if (!next_send_us_) next_send_us_ = now_us;
  if (now_us < *next_send_us_) return std::nullopt;
  // Keep the cadence, but after a stall (a blocked loop) do not send a burst.
  const int64_t interval_us = options_.interval_ms * 1000;
  *next_send_us_ += interval_us;
  if (*next_send_us_ <= now_us) *next_send_us_ = now_us + interval_us;
  if (in_flight_.size() >= options_.max_in_flight) {
    ++counters_.skipped_full;
    return std::nullopt;
  }
  ProbePacket p;
  p.sequence = next_sequence_;
  p.sent_us = static_cast<uint64_t>(now_us);
  p.size_bytes = options_.probe_bytes;
  Result<size_t> n = encode_probe(p, out);
  if (!n.ok()) return std::nullopt;  // out too small: a driver bug; nothing was recorded
  ++next_sequence_;
  in_flight_.emplace(p.sequence, p.sent_us);
  ++counters_.sent;
  ++batch_.sent;
  counters_.bytes_sent += *n;
  return *n;
}

void ProbeSession::cancel_last_send() {
  if (in_flight_.empty() || in_flight_.rbegin()->first + 1 != next_sequence_) return;
  in_flight_.erase(std::prev(in_flight_.end()));
  --next_sequence_;
  --counters_.sent;
  --batch_.sent;
  counters_.bytes_sent -= options_.probe_bytes;
  ++counters_.send_errors;
}

void ProbeSession::record_lost(uint64_t sequence, uint64_t sent_us) {
  ++counters_.lost;
  ++batch_.lost;
  recently_lost_.push_back(Lost{sequence, sent_us});
  if (recently_lost_.size() > options_.max_in_flight) recently_lost_.pop_front();
}

void ProbeSession::expire(int64_t now_us) {
  const int64_t timeout_us = options_.timeout_ms * 1000;
  // Sequences grow with send time, so the oldest probe is first.
  while (!in_flight_.empty()) {
    auto it = in_flight_.begin();
    if (static_cast<int64_t>(it->second) + timeout_us > now_us) break;
    record_lost(it->first, it->second);
    in_flight_.erase(it);
  }
}

void ProbeSession::on_datagram(std::span<const uint8_t> datagram, int64_t now_us) {
  Result<ProbePacket> r = decode_probe(datagram);
  if (!r.ok()) {
    ++counters_.malformed;
    return;
  }
  counters_.bytes_received += datagram.size();
  const ProbePacket& p = *r;
  if (!p.reply || p.size_bytes != options_.probe_bytes) {
    ++counters_.unmatched;
    return;
  }
  // A reply that arrives at its deadline is lost, as it would be had the
  // timer fired first.
  expire(now_us);
  auto it = in_flight_.find(p.sequence);
  if (it != in_flight_.end()) {
    if (it->second != p.sent_us) {  // not our probe's echo: forged or corrupted
      ++counters_.unmatched;
      return;
    }
    const double rtt_ms = static_cast<double>(std::max<int64_t>(0, now_us - static_cast<int64_t>(p.sent_us))) / 1000.0;
    in_flight_.erase(it);
    ++counters_.answered;
    if (counters_.answered == 1 || rtt_ms < counters_.min_rtt_ms) counters_.min_rtt_ms = rtt_ms;
    if (batch_.samples.size() >= options_.max_pending_samples) {
      ++counters_.samples_dropped;
      return;
    }
    batch_.samples.push_back(RttSample{rtt_ms, static_cast<int64_t>(p.sent_us / 1000)});
    return;
  }
  auto lost = std::find_if(recently_lost_.begin(), recently_lost_.end(), [&](const Lost& l) {
    return l.sequence == p.sequence && l.sent_us == p.sent_us;
  });
  if (lost != recently_lost_.end()) {
    recently_lost_.erase(lost);
    ++counters_.late;
    ++batch_.late;
    return;
  }
  if (p.sequence >= options_.first_sequence && p.sequence < next_sequence_) {
    ++counters_.duplicate;
  } else {
    ++counters_.unmatched;
  }
}

int64_t ProbeSession::next_wakeup_us() const {
  int64_t wake = INT64_MAX;
  if (!all_attempted()) wake = next_send_us_.value_or(INT64_MIN);
  if (!in_flight_.empty()) {
    wake = std::min(wake, static_cast<int64_t>(in_flight_.begin()->second) + options_.timeout_ms * 1000);
  }
  return wake;
}

bool ProbeSession::all_attempted() const {
  // Refused sends count as attempts, so a socket that refuses everything
  // cannot keep a counted run going forever.
  return options_.probe_count != 0 && counters_.sent + counters_.send_errors >= options_.probe_count;
}

bool ProbeSession::finished() const { return all_attempted() && in_flight_.empty(); }

ProbeBatch ProbeSession::drain() {
  ProbeBatch out = std::move(batch_);
  batch_ = ProbeBatch{};
  return out;
}

ProbeCounters ProbeSession::counters() const {
  ProbeCounters c = counters_;
  c.in_flight = in_flight_.size();
  return c;
}

}  // namespace bc::rtt_probe
