#include "netsim/wanem/emulator_thread.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <future>

namespace bc::netsim {

Status EmulatorThreadOptions::validate() const {
  if (realtime_priority < 0 || realtime_priority > 99) {
    return Status::invalid_argument("realtime_priority must be in [0, 99]");
  }
  return Status();
}

EmulatorThread::~EmulatorThread() { stop(); }

Status EmulatorThread::add_link(const std::string& name, TunDevice a, TunDevice b, const WanLinkOptions& options) {
  if (started_) return Status::aborted("add_link after start");
  BC_RETURN_IF_ERROR(options.validate().with_context("link " + name));
  links_.emplace_back(name, std::make_unique<WanLink>(io_, std::move(a), std::move(b), options));
  return Status();
}

Status EmulatorThread::start(const EmulatorThreadOptions& options) {
  BC_RETURN_IF_ERROR(options.validate());
  if (started_) return Status::aborted("emulator thread already started");
  std::promise<Status> ready;
  auto ready_future = ready.get_future();
  thread_ = std::thread([this, options, &ready] {
    ::prctl(PR_SET_TIMERSLACK, options.timer_slack_ns, 0, 0, 0);
    if (options.realtime_priority > 0) {
      sched_param p{};
      p.sched_priority = options.realtime_priority;
      int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &p);
      if (rc != 0) {
        ready.set_value(Status::permission_denied(std::string("SCHED_FIFO priority refused: ") + std::strerror(rc)));
        return;
      }
    }
    for (auto& l : links_) l.second->start();
    auto guard = boost::asio::make_work_guard(io_);
    ready.set_value(Status());
    io_.run();
  });
  Status s = ready_future.get();
  if (!s.ok()) {
    thread_.join();
    return s;
  }
  started_ = true;
  return Status();
}

Status EmulatorThread::reconfigure(const std::string& name, const LinkOptions& a_to_b, const LinkOptions& b_to_a) {
  BC_RETURN_IF_ERROR(a_to_b.validate().with_context("a_to_b"));
  BC_RETURN_IF_ERROR(b_to_a.validate().with_context("b_to_a"));
  WanLink* link = nullptr;
  for (auto& l : links_) {
    if (l.first == name) link = l.second.get();
  }
  if (link == nullptr) return Status::not_found("no emulated link named '" + name + "'");
  if (!started_) {
    link->reconfigure(a_to_b, b_to_a);
    return Status();
  }
  std::promise<void> p;
  auto f = p.get_future();
  boost::asio::post(io_, [&] {
    link->reconfigure(a_to_b, b_to_a);
    p.set_value();
  });
  f.get();
  return Status();
}

Status EmulatorThread::set_cut(const std::string& name, bool cut) {
  WanLink* link = nullptr;
  for (auto& l : links_) {
    if (l.first == name) link = l.second.get();
  }
  if (link == nullptr) return Status::not_found("no emulated link named '" + name + "'");
  if (!started_) {
    link->set_cut(cut);
    return Status();
  }
  std::promise<void> p;
  auto f = p.get_future();
  boost::asio::post(io_, [&] {
    link->set_cut(cut);
    p.set_value();
  });
  f.get();
  return Status();
}

nlohmann::json EmulatorThread::stats_json() {
  auto collect = [this] {
    nlohmann::json j;
    for (auto& l : links_) j["links"][l.first] = l.second->stats_json();
    return j;
  };
  if (!started_) return collect();
  std::promise<nlohmann::json> p;
  auto f = p.get_future();
  boost::asio::post(io_, [&] { p.set_value(collect()); });
  return f.get();
}

void EmulatorThread::stop() {
  if (!started_) return;
  started_ = false;
  boost::asio::post(io_, [this] {
    for (auto& l : links_) l.second->stop();
    io_.stop();
  });
  thread_.join();
}

}  // namespace bc::netsim
