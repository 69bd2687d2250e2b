#include "node/desired_feed.hpp"

#include "node/desired_store.hpp"

namespace bc::node {

Result<std::optional<DesiredUpdate>> DesiredFeed::poll() {
  BC_ASSIGN_OR_RETURN(tracker::DesiredPoll r, client_.poll_desired(etag_, 0));
  if (r.status == 304) return std::optional<DesiredUpdate>();
  if (r.status != 200) return Status::unavailable("desired-state poll answered " + std::to_string(r.status));
  return std::optional<DesiredUpdate>(DesiredUpdate{std::move(r.state), std::move(r.etag)});
}

void DesiredFeed::accept(const DesiredUpdate& update) {
  etag_ = update.etag;
  Status s = save_desired_state(saved_path_, update.state);
  if (!s.ok()) log_.warn("desired state not saved for offline restarts: {}", s.to_string());
}

Result<nlohmann::json> DesiredFeed::load_saved() {
  BC_ASSIGN_OR_RETURN(nlohmann::json state, load_desired_state(saved_path_));
  log_.warn("tracker unreachable: carrying on from the desired state saved in {}", saved_path_);
  return state;
}

}  // namespace bc::node
