// The I/O driver of the WAN link emulator: bridges two TUN devices through two
// LinkSchedulers (one per direction). Packets read from side A are scheduled
// on the A->B link and written to side B when due, and vice versa.
//
// One steady_timer is armed for the earliest due packet of either direction;
// an optional short busy-wait covers the last microseconds before a departure
// when the kernel's timer wake-up is too coarse.
//
// Thread affinity: every member function runs on the io_context's thread
// (post to it from elsewhere). Ownership: owns both TUN descriptors.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "netsim/wanem/histogram.hpp"
#include "netsim/wanem/link_scheduler.hpp"
#include "netsim/wanem/link_stats.hpp"
#include "netsim/wanem/class_tally.hpp"
#include "netsim/wanem/payload_tally.hpp"
#include "netsim/wanem/resend_tally.hpp"
#include "netsim/wanem/source_tally.hpp"
#include "netsim/wanem/tun_device.hpp"

namespace bc::netsim {

struct WanLinkOptions {
  LinkOptions a_to_b;  // packets read from side A, written to side B
  LinkOptions b_to_a;
  // Interval of the stats time series in milliseconds. Default 100.
  std::int64_t series_interval_ms = 100;
  // Points kept per direction in the time series. Default 36000 (1 h at 100 ms).
  std::size_t series_max_points = 36'000;
  // When a departure is due within this many microseconds the driver spins
  // instead of sleeping. Default 0 (never spin).
  std::int64_t spin_us = 0;
  // Packets read from one TUN per wake-up before yielding to the other. Default 64.
  std::size_t max_reads_per_wakeup = 64;
  // A host whose traffic (either address) is tallied apart in the series and
  // counters (`xt_*`): the cross-traffic node, so the rest is the rollout's.
  // Host byte order; 0 = none (default).
  std::uint32_t marked_ipv4 = 0;

  Status validate() const;
};

class WanLink {
 public:
  // REQUIRES: options.validate().ok(); a and b are open TUN devices.
  WanLink(boost::asio::io_context& io, TunDevice a, TunDevice b, const WanLinkOptions& options);
  ~WanLink();
  WanLink(const WanLink&) = delete;

  // Starts reading both devices and sampling the time series.
  void start();
  // Stops all I/O; packets still in the link are discarded. Idempotent.
  void stop();

  // Replaces both directions' configuration; packets in the link are dropped
  // and statistics start over. REQUIRES: options.validate().ok()
  void reconfigure(const LinkOptions& a_to_b, const LinkOptions& b_to_a);
  // A cut link passes nothing: packets read from either side are dropped on
  // arrival (counted as dropped_cut) while packets already in flight still
  // leave. Unlike reconfigure, statistics carry on, so a run's byte totals
  // stay whole across a cut.
  void set_cut(bool cut) { cut_ = cut; }

  // Counters, percentiles, CPU time and the time series of both directions.
  nlohmann::json stats_json();
  const LinkScheduler& scheduler(int direction) const { return sides_[direction]->link; }

 private:
  struct Side {
    Side(boost::asio::io_context& io, TunDevice dev, const LinkOptions& out_options, std::size_t series_points,
         std::uint32_t marked_ipv4);
    TunDevice dev;
    boost::asio::posix::stream_descriptor sd;
    LinkScheduler link;  // packets read from this side
    DirectionSeries series;
    LatencyHistogram lateness;  // actual write time minus due time
    std::uint64_t write_errors = 0;
    std::uint64_t read_errors = 0;  // a read error stops reading this side
    std::uint64_t dropped_cut = 0;  // packets read while the link was cut
    SourceTally delivered_by_source;  // packets read from this side and delivered
    ClassTally delivered_by_class;    // the same, by traffic class (IP and protocol bytes)
    ResendTally resent;               // of those, TCP/uTP data delivered before
    PayloadTally payload;             // of those, L4 payload and the marked host's part
  };

  void wait_readable(int side);
  void on_readable(int side);
  void arm_timer();
  void on_timer();
  void deliver(std::int64_t now_ns);
  void arm_series_timer();
  static std::int64_t now_ns();

  boost::asio::io_context& io_;
  WanLinkOptions options_;
  std::array<std::unique_ptr<Side>, 2> sides_;
  boost::asio::steady_timer timer_;
  std::optional<std::int64_t> armed_for_ns_;
  boost::asio::steady_timer series_timer_;
  std::vector<std::uint8_t> read_buf_;
  std::vector<Departure> due_;
  bool stopped_ = true;
  bool cut_ = false;
  std::int64_t started_ns_ = 0;
  std::int64_t cpu_at_start_ns_ = 0;
  double user_at_start_s_ = 0;
  double sys_at_start_s_ = 0;
};

}  // namespace bc::netsim
