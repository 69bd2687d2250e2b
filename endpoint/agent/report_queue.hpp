// A durable, bounded queue of status reports for the tracker. A node keeps
// working while the tracker is down; its reports wait here, on disk, and are
// delivered in order when the tracker returns. None is lost: push() returns
// only after the report is durable, and a report leaves only when the tracker
// acknowledged it (pop).
//
// Progress reports carry a coalescing key (e.g. the layer): a newer progress
// report for the same key replaces an undelivered older one, since only the
// latest progress matters. Reports without a key (results, errors) are never
// dropped; when the queue is full of them, push() fails with no_space.
//
// Layout: DIR/<20-digit sequence>[.<key tag>].json, each written atomically.
// Not thread-safe: one owner (the agent's loop).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "layers/util/status.hpp"

namespace bc::endpoint {

struct ReportQueueOptions {
  size_t max_reports = 10'000;        // queued reports at most; default 10,000
  size_t max_report_bytes = 64 << 10; // one report's bytes at most; default 64 KiB
  Status validate() const;
};

struct QueuedReport {
  uint64_t seq = 0;
  std::string body;
};

class ReportQueue {
 public:
  // Creates DIR if needed and loads what an earlier run left.
  static Result<ReportQueue> open(const std::string& dir, const ReportQueueOptions& options = {});
  // Read-only: how many reports wait in DIR (0 when it does not exist).
  // Unlike open, it touches nothing, so `bc-endpoint status` may run beside
  // the agent that owns the queue (open removes temporary files it takes
  // for a crashed writer's: here they are the live agent's).
  static Result<size_t> count_pending(const std::string& dir);

  // Durable on return. `coalesce_key` empty = never replaced.
  Status push(const std::string& body, const std::string& coalesce_key = {});
  // The oldest report, or nullopt when empty. A report file that cannot be
  // read is removed and counted in dropped_unreadable(), and the next is returned.
  Result<std::optional<QueuedReport>> front();
  // Removes the report `seq` (after the tracker acknowledged it).
  Status pop(uint64_t seq);

  size_t size() const { return files_.size(); }
  uint64_t coalesced() const { return coalesced_; }
  uint64_t dropped_unreadable() const { return dropped_unreadable_; }

 private:
  ReportQueue(std::string dir, ReportQueueOptions o) : dir_(std::move(dir)), options_(o) {}
  Status remove_file(const std::string& name);

  std::string dir_;
  ReportQueueOptions options_;
  std::map<uint64_t, std::string> files_;  // seq -> file name
  std::map<std::string, uint64_t> by_tag_; // key tag -> seq of the undelivered report
  uint64_t next_seq_ = 1;
  uint64_t coalesced_ = 0;
  uint64_t dropped_unreadable_ = 0;
};

}  // namespace bc::endpoint
