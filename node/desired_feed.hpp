// The tracker's desired state for this node: asked with the ETag of the last
// state the node took, and each taken state saved (desired_store.hpp), so a
// node restarted while the tracker is down carries on from the last one.
//
// Two ways to learn of a change. Polling: the loop asks every
// poll_interval_ms (due() says when). Long polling (start_long_poll): a
// thread of the feed's own holds a request at the tracker (?wait=), so a new
// assignment reaches the node as soon as the tracker stores it, and the loop
// only picks up what the thread found (due() is true when there is
// something). A tracker that does not hold requests (an old one: 404/400 to
// ?wait=, or a 304 long before the wait ends) sends the feed back to polling.
//
// Thread affinity: every method on the owner's loop thread; the long-poll
// thread touches only its own client and the mailbox (under mu_).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "layers/util/status.hpp"
#include "node/node_loop.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::node {

struct DesiredUpdate {
  nlohmann::json state;
  std::string etag;
};

struct DesiredFeedOptions {
  // Plain polls, and the pause after a failed long poll, milliseconds; default 10 s.
  int64_t poll_interval_ms = 10'000;
  // ?wait= of a long poll, seconds (≤ the tracker's limits.max_long_poll_s,
  // halved on a 400 until accepted); default 25.
  int long_poll_wait_s = 25;
};

class DesiredFeed {
 public:
  // `client` and `log` must outlive the feed; `saved_path` is the node's
  // state file (e.g. DIR/desired.json).
  DesiredFeed(tracker::TrackerClient& client, std::string saved_path, spdlog::logger& log,
              DesiredFeedOptions options = {});
  ~DesiredFeed();
  DesiredFeed(const DesiredFeed&) = delete;
  DesiredFeed& operator=(const DesiredFeed&) = delete;

  // Long polls on `own` (a client of this feed's alone: TrackerClient is not
  // thread-safe), from the first accept() on. Call once, before the loop.
  void start_long_poll(std::unique_ptr<tracker::TrackerClient> own);
  // Whether the loop should call poll() now: polling, once a poll interval;
  // long polling, when the thread has found something (a state or an error).
  bool due(int64_t now_ms);
  // A new state, or nullopt when unchanged. Polling (or after reset(), or
  // before the first accept()): asks the tracker now with the ETag of the last
  // accepted state. Long polling: what the thread found, without a request.
  // Errors: the client's (unavailable when the tracker cannot be reached).
  Result<std::optional<DesiredUpdate>> poll();
  // The node took `update`: its ETag is sent next time, and it is saved
  // atomically (a failure to save is logged; the node runs on).
  void accept(const DesiredUpdate& update);
  // The next poll asks for the whole state, at once.
  void reset() { etag_.clear(); }
  // Whether a long-poll thread is running (false before start_long_poll, and
  // after falling back to polling).
  bool long_polling() const { return long_polling_; }
  // The last accepted state, from disk, for a start while the tracker is
  // down (logged when found). not_found when none was saved; corruption when
  // the file is damaged. The layers it names are still to be verified.
  Result<nlohmann::json> load_saved();
  const std::string& saved_path() const { return saved_path_; }

 private:
  Result<std::optional<DesiredUpdate>> ask_now();
  void run_long_poll();
  // One long poll's outcome; returns how long to pause before the next, ms
  // (-1: stop long polling). Under mu_.
  int64_t take_outcome(const Result<tracker::DesiredPoll>& r, int64_t elapsed_ms);

  tracker::TrackerClient& client_;
  std::string saved_path_;
  spdlog::logger& log_;
  DesiredFeedOptions options_;
  Every every_;
  std::string etag_;  // of the last accepted state; loop thread

  std::unique_ptr<tracker::TrackerClient> own_;
  std::thread thread_;
  std::atomic<bool> long_polling_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::string thread_etag_;  // what the thread asks with: the last state delivered or accepted
  int wait_s_ = 0;
  std::optional<Result<std::optional<DesiredUpdate>>> mailbox_;  // what the thread found, for poll()
};

}  // namespace bc::node
