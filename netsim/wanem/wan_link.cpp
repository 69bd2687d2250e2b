#include "netsim/wanem/wan_link.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <tuple>

namespace bc::netsim {

namespace asio = boost::asio;

namespace {
std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// User and system CPU time of the calling thread, in seconds. System time
// includes the kernel delivering each written packet into the far namespace's
// stack, which happens inside the emulator's write() to the TUN device.
std::pair<double, double> thread_user_sys_s() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  auto sec = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return {sec(ru.ru_utime), sec(ru.ru_stime)};
}
}  // namespace

Status WanLinkOptions::validate() const {
  BC_RETURN_IF_ERROR(a_to_b.validate().with_context("a_to_b"));
  BC_RETURN_IF_ERROR(b_to_a.validate().with_context("b_to_a"));
  if (series_interval_ms < 1 || series_interval_ms > 60'000) {
    return Status::invalid_argument("series_interval_ms must be in [1, 60000]");
  }
  if (series_max_points < 1 || series_max_points > 1'000'000) {
    return Status::invalid_argument("series_max_points must be in [1, 1000000]");
  }
  if (spin_us < 0 || spin_us > 5'000) return Status::invalid_argument("spin_us must be in [0, 5000]");
  if (max_reads_per_wakeup < 1 || max_reads_per_wakeup > 4096) {
    return Status::invalid_argument("max_reads_per_wakeup must be in [1, 4096]");
  }
  return Status();
}

WanLink::Side::Side(asio::io_context& io, TunDevice d, const LinkOptions& out_options, std::size_t series_points,
                    std::uint32_t marked_ipv4)
    : dev(std::move(d)), sd(io, ::dup(dev.fd())), link(out_options), series(series_points), payload(marked_ipv4) {}

WanLink::WanLink(asio::io_context& io, TunDevice a, TunDevice b, const WanLinkOptions& options)
    : io_(io), options_(options), timer_(io), series_timer_(io) {
  sides_[0] = std::make_unique<Side>(io, std::move(a), options.a_to_b, options.series_max_points, options.marked_ipv4);
  sides_[1] = std::make_unique<Side>(io, std::move(b), options.b_to_a, options.series_max_points, options.marked_ipv4);
  std::uint32_t mtu = std::max(options.a_to_b.mtu_bytes, options.b_to_a.mtu_bytes);
  read_buf_.resize(mtu + 1);  // one spare byte detects packets above the MTU
}

WanLink::~WanLink() { stop(); }

std::int64_t WanLink::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void WanLink::start() {
  stopped_ = false;
  started_ns_ = now_ns();
  cpu_at_start_ns_ = thread_cpu_ns();
  std::tie(user_at_start_s_, sys_at_start_s_) = thread_user_sys_s();
  for (int s = 0; s < 2; ++s) {
    sides_[s]->series.sample(started_ns_, sides_[s]->link, &sides_[s]->payload.totals());
    wait_readable(s);
  }
  arm_series_timer();
}

void WanLink::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ec;
  timer_.cancel();
  series_timer_.cancel();
  for (auto& s : sides_) {
    s->sd.close(ec);
    s->dev = TunDevice();  // the device disappears with its last descriptor
  }
}

void WanLink::reconfigure(const LinkOptions& a_to_b, const LinkOptions& b_to_a) {
  options_.a_to_b = a_to_b;
  options_.b_to_a = b_to_a;
  std::uint32_t mtu = std::max(a_to_b.mtu_bytes, b_to_a.mtu_bytes);
  read_buf_.resize(mtu + 1);
  timer_.cancel();
  armed_for_ns_.reset();
  started_ns_ = now_ns();
  cpu_at_start_ns_ = thread_cpu_ns();
  std::tie(user_at_start_s_, sys_at_start_s_) = thread_user_sys_s();
  for (int i = 0; i < 2; ++i) {
    Side& s = *sides_[i];
    s.link = LinkScheduler(i == 0 ? a_to_b : b_to_a);
    s.series = DirectionSeries(options_.series_max_points);
    s.payload = PayloadTally(options_.marked_ipv4);
    s.series.sample(started_ns_, s.link, &s.payload.totals());
    s.lateness.clear();
    s.write_errors = 0;
    s.read_errors = 0;
  }
}

void WanLink::wait_readable(int side) {
  sides_[side]->sd.async_wait(asio::posix::stream_descriptor::wait_read,
                              [this, side](const boost::system::error_code& ec) {
                                if (ec || stopped_) return;
                                on_readable(side);
                              });
}

void WanLink::on_readable(int side) {
  Side& s = *sides_[side];
  bool broken = false;
  for (std::size_t i = 0; i < options_.max_reads_per_wakeup; ++i) {
    ssize_t n = ::read(s.sd.native_handle(), read_buf_.data(), read_buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      // The device is gone (its namespace was deleted) or broken: a readable
      // descriptor that never yields a packet would spin this thread.
      s.read_errors++;
      broken = true;
      break;
    }
    if (cut_) {
      s.dropped_cut++;
      continue;
    }
    const bool marked = s.payload.is_marked({read_buf_.data(), size_t(n)});
    s.link.offer(now_ns(), PacketBytes(read_buf_.begin(), read_buf_.begin() + n), marked);
  }
  arm_timer();
  if (!broken) wait_readable(side);
}

void WanLink::arm_timer() {
  std::optional<std::int64_t> next;
  for (auto& s : sides_) {
    auto n = s->link.next_due_ns();
    if (n && (!next || *n < *next)) next = n;
  }
  if (!next) return;
  if (armed_for_ns_ && *armed_for_ns_ <= *next) return;  // an earlier wake-up is already set
  armed_for_ns_ = next;
  // Wake early by the spin budget; on_timer spins the rest.
  std::int64_t wake_ns = *next - options_.spin_us * 1000;
  timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(wake_ns)));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    on_timer();
  });
}

void WanLink::on_timer() {
  std::int64_t due = armed_for_ns_.value_or(0);
  armed_for_ns_.reset();
  std::int64_t now = now_ns();
  while (options_.spin_us > 0 && now < due) now = now_ns();
  deliver(now);
  arm_timer();
}

void WanLink::deliver(std::int64_t now) {
  for (int side = 0; side < 2; ++side) {
    Side& from = *sides_[side];
    Side& to = *sides_[1 - side];
    due_.clear();
    from.link.take_due(now, due_);
    for (Departure& d : due_) {
      from.lateness.add(now_ns() - d.due_ns);
      ssize_t n = ::write(to.sd.native_handle(), d.bytes.data(), d.bytes.size());
      if (n != static_cast<ssize_t>(d.bytes.size())) from.write_errors++;
      else {
        from.delivered_by_source.add(d.bytes);
        from.delivered_by_class.add(d.bytes);
        from.resent.add(d.bytes);
        from.payload.add(d.bytes);
      }
    }
  }
}

void WanLink::arm_series_timer() {
  series_timer_.expires_after(std::chrono::milliseconds(options_.series_interval_ms));
  series_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    std::int64_t now = now_ns();
    for (auto& s : sides_) s->series.sample(now, s->link, &s->payload.totals());
    arm_series_timer();
  });
}

nlohmann::json WanLink::stats_json() {
  std::int64_t now = now_ns();
  double wall_s = static_cast<double>(now - started_ns_) / 1e9;
  double cpu_s = static_cast<double>(thread_cpu_ns() - cpu_at_start_ns_) / 1e9;
  nlohmann::json j;
  j["wall_s"] = wall_s;
  j["emulator_cpu_s"] = cpu_s;
  j["emulator_cpu_fraction"] = wall_s > 0 ? cpu_s / wall_s : 0.0;
  auto [user_s, sys_s] = thread_user_sys_s();
  j["emulator_cpu_user_fraction"] = wall_s > 0 ? (user_s - user_at_start_s_) / wall_s : 0.0;
  j["emulator_cpu_sys_fraction"] = wall_s > 0 ? (sys_s - sys_at_start_s_) / wall_s : 0.0;
  j["series_interval_ms"] = options_.series_interval_ms;
  const char* names[2] = {"a_to_b", "b_to_a"};
  for (int i = 0; i < 2; ++i) {
    Side& s = *sides_[i];
    const LinkOptions& o = s.link.options();
    nlohmann::json d;
    d["config"] = {{"rate_bytes_per_s", o.rate_bytes_per_s}, {"delay_us", o.delay_us},
                   {"queue_limit_bytes", o.queue_limit_bytes}, {"loss_probability", o.loss_probability},
                   {"seed", o.seed}, {"mtu_bytes", o.mtu_bytes}};
    d["counters"] = counters_json(s.link.counters());
    d["counters"]["write_errors"] = s.write_errors;
    d["counters"]["read_errors"] = s.read_errors;
    d["counters"]["dropped_cut"] = s.dropped_cut;
    d["counters"]["payload_bytes_out"] = s.payload.totals().payload_bytes;
    d["counters"]["xt_bytes_out"] = s.payload.totals().marked_ip_bytes;
    d["counters"]["xt_payload_bytes_out"] = s.payload.totals().marked_payload_bytes;
    d["bytes_by_source_net"] = s.delivered_by_source.to_json();
    d["bytes_by_class"] = s.delivered_by_class.to_json();
    d["resent"] = s.resent.to_json();
    d["backlog_bytes"] = s.link.backlog_bytes(now);
    d["queue_delay"] = histogram_json(s.link.queue_delay());
    d["lateness"] = histogram_json(s.lateness);
    d["series"] = series_json(s.series);
    j[names[i]] = std::move(d);
  }
  return j;
}

}  // namespace bc::netsim
