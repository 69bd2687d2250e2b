#include "node/desired_feed.hpp"

#include <algorithm>
#include <chrono>

#include "node/desired_store.hpp"

namespace bc::node {

DesiredFeed::DesiredFeed(tracker::TrackerClient& client, std::string saved_path, spdlog::logger& log,
                         DesiredFeedOptions options)
    : client_(client),
      saved_path_(std::move(saved_path)),
      log_(log),
      options_(options),
      every_(options.poll_interval_ms),
      wait_s_(std::max(1, options.long_poll_wait_s)) {}

DesiredFeed::~DesiredFeed() {
  stopping_ = true;
  cv_.notify_all();
  if (own_) own_->http().interrupt();  // ends a poll the tracker is holding
  if (thread_.joinable()) thread_.join();
}

void DesiredFeed::start_long_poll(std::unique_ptr<tracker::TrackerClient> own) { own_ = std::move(own); }

bool DesiredFeed::due(int64_t now_ms) {
  if (!long_polling_ || etag_.empty()) return every_.due(now_ms);
  std::lock_guard lock(mu_);
  return mailbox_.has_value();
}

Result<std::optional<DesiredUpdate>> DesiredFeed::ask_now() {
  BC_ASSIGN_OR_RETURN(tracker::DesiredPoll r, client_.poll_desired(etag_, 0));
  if (r.status == 304) return std::optional<DesiredUpdate>();
  if (r.status != 200) return Status::unavailable("desired-state poll answered " + std::to_string(r.status));
  return std::optional<DesiredUpdate>(DesiredUpdate{std::move(r.state), std::move(r.etag)});
}

Result<std::optional<DesiredUpdate>> DesiredFeed::poll() {
  if (!long_polling_ || etag_.empty()) return ask_now();
  std::lock_guard lock(mu_);
  if (!mailbox_) return std::optional<DesiredUpdate>();
  auto out = std::move(*mailbox_);
  mailbox_.reset();
  return out;
}

void DesiredFeed::accept(const DesiredUpdate& update) {
  etag_ = update.etag;
  Status s = save_desired_state(saved_path_, update.state);
  if (!s.ok()) log_.warn("desired state not saved for offline restarts: {}", s.to_string());
  {
    std::lock_guard lock(mu_);
    thread_etag_ = update.etag;
  }
  if (own_ && !thread_.joinable() && !stopping_) {
    long_polling_ = true;
    thread_ = std::thread([this] { run_long_poll(); });
  }
}

void DesiredFeed::run_long_poll() {
  while (!stopping_) {
    std::string etag;
    {
      std::lock_guard lock(mu_);
      etag = thread_etag_;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto r = own_->poll_desired(etag, wait_s_);
    if (stopping_) return;
    const int64_t elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::unique_lock lock(mu_);
    const int64_t pause_ms = take_outcome(r, elapsed_ms);
    if (pause_ms < 0) {
      long_polling_ = false;  // the loop polls again, on its interval
      return;
    }
    if (pause_ms > 0) cv_.wait_for(lock, std::chrono::milliseconds(pause_ms), [this] { return stopping_.load(); });
  }
}

int64_t DesiredFeed::take_outcome(const Result<tracker::DesiredPoll>& r, int64_t elapsed_ms) {
  if (!r.ok()) {
    const auto code = r.status().code();
    if (code == Status::Code::invalid_argument && wait_s_ > 1) {
      wait_s_ /= 2;  // above the tracker's limits.max_long_poll_s: ask for less
      return 0;
    }
    if (code == Status::Code::invalid_argument || code == Status::Code::not_found) {
      log_.info("the tracker does not hold desired-state polls ({}): polling every {} ms", r.status().message(),
                options_.poll_interval_ms);
      return -1;
    }
    // Unreachable or refused: the loop hears of it (as a poll would have
    // told it) unless a new state is waiting there already.
    if (!mailbox_ || !mailbox_->ok() || !mailbox_->value()) mailbox_ = r.status();
    return options_.poll_interval_ms;
  }
  switch (r->status) {
    case 200:
      mailbox_ = std::optional<DesiredUpdate>(DesiredUpdate{r->state, r->etag});
      thread_etag_ = r->etag;  // taken or refused, this state is known: wait for the next
      return 0;
    case 503:  // the tracker holds all the polls it may: come back when it says
      return std::max<int64_t>(1000, int64_t(r->retry_after_s) * 1000);
    default:  // 304: the wait ended; one answered long before it was not held
      return elapsed_ms * 2 < int64_t(wait_s_) * 1000 ? options_.poll_interval_ms : 0;
  }
}

Result<nlohmann::json> DesiredFeed::load_saved() {
  BC_ASSIGN_OR_RETURN(nlohmann::json state, load_desired_state(saved_path_));
  log_.warn("tracker unreachable: carrying on from the desired state saved in {}", saved_path_);
  return state;
}

}  // namespace bc::node
