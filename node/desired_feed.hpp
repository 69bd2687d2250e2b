// The tracker's desired state for this node: polled with the ETag of the last
// state the node took, and each taken state saved (desired_store.hpp), so a
// node restarted while the tracker is down carries on from the last one.
//
// Thread affinity: the owner's loop thread.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "layers/util/status.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::node {

struct DesiredUpdate {
  nlohmann::json state;
  std::string etag;
};

class DesiredFeed {
 public:
  // `client` and `log` must outlive the feed; `saved_path` is the node's
  // state file (e.g. DIR/desired.json).
  DesiredFeed(tracker::TrackerClient& client, std::string saved_path, spdlog::logger& log)
      : client_(client), saved_path_(std::move(saved_path)), log_(log) {}

  // Asks with the ETag of the last accepted state ("" after reset()): a new
  // state (200), or nullopt when unchanged (304). Errors: the client's
  // (unavailable when the tracker cannot be reached).
  Result<std::optional<DesiredUpdate>> poll();
  // The node took `update`: its ETag is sent next time, and it is saved
  // atomically (a failure to save is logged; the node runs on).
  void accept(const DesiredUpdate& update);
  // The next poll asks for the whole state.
  void reset() { etag_.clear(); }
  // The last accepted state, from disk, for a start while the tracker is
  // down (logged when found). not_found when none was saved; corruption when
  // the file is damaged. The layers it names are still to be verified.
  Result<nlohmann::json> load_saved();
  const std::string& saved_path() const { return saved_path_; }

 private:
  tracker::TrackerClient& client_;
  std::string saved_path_;
  spdlog::logger& log_;
  std::string etag_;
};

}  // namespace bc::node
