// The endpoint's durable status reports: each is queued on disk first
// (ReportQueue, coalescing by key) and delivered oldest first whenever the
// tracker answers, so a report survives a tracker outage and a restart, and
// the tracker never sees an older snapshot after a newer one.
//
// Thread affinity: the agent's loop thread.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "endpoint/agent/report_queue.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::endpoint {

class ReportSender {
 public:
  // `client` and `log` must outlive the sender.
  ReportSender(ReportQueue queue, tracker::TrackerClient& client, spdlog::logger& log)
      : queue_(std::move(queue)), client_(client), log_(log) {}

  // Queues a report (replacing a queued one with the same non-empty key).
  // When the disk refuses it (full, failing), the queued reports are sent
  // and then this one directly, best effort: the report that says the disk
  // is full cannot wait on that disk.
  void push(const nlohmann::json& report, const std::string& coalesce_key);
  // Delivers queued reports, oldest first, at most 64 per call; stops at the
  // first failure (logged once per outage). Returns how many stay queued.
  size_t flush();
  // The last delivery failed: the tracker is unreachable.
  bool tracker_down() const { return tracker_down_; }

 private:
  ReportQueue queue_;
  tracker::TrackerClient& client_;
  spdlog::logger& log_;
  bool tracker_down_ = false;
};

}  // namespace bc::endpoint
