// Swarm events -> a node's typed callbacks. What both node programs do alike
// is done here: "complete" arrives once whether the download finished or the
// check after an add found every byte already on disk, and the notices no
// role acts on (hash failures, bans, tracker outages, checks) are logged in
// the words tests and operators look for.
#pragma once

#include <functional>

#include "layers/swarm/swarm_events.hpp"
#include "node/node_log.hpp"

namespace bc::node {

struct SwarmHandlers {
  // Progress of a layer (every few hundred ms while it moves).
  std::function<void(const LayerProgress&)> on_progress;
  // Every piece verified: a finished download, or a check that found the
  // whole payload on disk (a restart, or content copied from held layers).
  // May come twice for one layer (check, then finish); handlers ignore the
  // second.
  std::function<void(const LayerRef&, const BytesBySource& downloaded)> on_complete;
  // The files were checked after an add or a recheck (logged either way).
  std::function<void(const LayerChecked&)> on_checked;
  // The layer cannot be downloaded or seeded (libtorrent's reason).
  std::function<void(const LayerError&)> on_error;
};

// Calls the handler the event maps to (missing handlers are skipped) and
// logs the notices.
void dispatch_swarm_event(const SwarmEvent& ev, const SwarmHandlers& handlers, spdlog::logger& log);

}  // namespace bc::node
