// Keeps the tracker's copy of this endpoint's hardware facts current
// (agent/hardware_facts.hpp): DIR/facts.json holds the facts the tracker last
// accepted (enrollment writes it first). The keeper collects the facts at
// start and every refresh period, and sends them (`PUT /api/v1/facts`) when
// they differ from the saved copy, retrying after a failure; the tracker then
// matches driver layers against the new facts.
//
// Thread affinity: the agent's loop thread.
#pragma once

#include <cstdint>
#include <string>

#include <spdlog/logger.h>

#include "endpoint/agent/hardware_facts.hpp"
#include "layers/util/status.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::endpoint {

std::string facts_path(const std::string& dir);  // DIR/facts.json
// The saved facts; an empty map when none were saved yet.
Result<HardwareFacts> load_sent_facts(const std::string& dir);
Status save_sent_facts(const std::string& dir, const HardwareFacts& facts);

struct FactsKeeperOptions {
  HardwareFactsOptions collect;
  int64_t refresh_ms = 3'600'000;  // collect again this often; default 1 h
  int64_t retry_ms = 30'000;       // after a failed send; default 30 s
};

class FactsKeeper {
 public:
  // `client` and `log` must outlive the keeper.
  FactsKeeper(FactsKeeperOptions o, std::string dir, tracker::TrackerClient& client, spdlog::logger& log)
      : o_(std::move(o)), dir_(std::move(dir)), client_(client), log_(log) {}
  // Collects when due and sends when the facts changed. Never fails the
  // agent: problems are logged and retried.
  void tick(int64_t now_ms);

 private:
  FactsKeeperOptions o_;
  std::string dir_;
  tracker::TrackerClient& client_;
  spdlog::logger& log_;
  int64_t next_collect_ms_ = INT64_MIN, next_send_ms_ = INT64_MIN;
  bool pending_ = false;
  HardwareFacts current_;
};

}  // namespace bc::endpoint
