// Swarm events -> typed callbacks: "complete" comes from a finished download
// and from a check that found every byte on disk, not from a partial check;
// the notices are logged in the words tests and operators look for.
#include <doctest/doctest.h>

#include <sstream>

#include <spdlog/sinks/ostream_sink.h>

#include "node/swarm_dispatch.hpp"

using namespace bc;
using namespace bc::node;

TEST_CASE("dispatch: complete from LayerComplete and from a full check; notices logged with their words") {
  std::ostringstream out;
  spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  std::vector<std::string> completed;
  int progress = 0, errors = 0;
  SwarmHandlers h;
  h.on_complete = [&](const LayerRef& l, const BytesBySource&) { completed.push_back(l.to_string()); };
  h.on_progress = [&](const LayerProgress&) { ++progress; };
  h.on_error = [&](const LayerError&) { ++errors; };
  const LayerRef a{"a", 1}, b{"b", 1};
  dispatch_swarm_event(LayerChecked{a, 10, 20, {}}, h, log);
  dispatch_swarm_event(LayerChecked{b, 20, 20, {}}, h, log);
  dispatch_swarm_event(LayerComplete{a, {}}, h, log);
  dispatch_swarm_event(LayerProgress{a, 1, 2, 0, 0, 1, {}}, h, log);
  dispatch_swarm_event(LayerError{a, "disk"}, h, log);
  dispatch_swarm_event(HashFailed{a, 3, {"10.0.0.9"}}, h, log);
  dispatch_swarm_event(PeerBanned{a, "10.0.0.9", "sent a corrupt piece"}, h, log);
  dispatch_swarm_event(TrackerError{a, "http://t/announce", "refused", 1}, h, log);
  dispatch_swarm_event(TrackerError{a, "http://t/announce", "refused", 2}, h, log);
  CHECK(completed == std::vector<std::string>{"b@1", "a@1"});
  CHECK(progress == 1);
  CHECK(errors == 1);
  const std::string text = out.str();
  CHECK(text.find("a@1: checked: 10 of 20 bytes verified on disk") != std::string::npos);
  CHECK(text.find("a@1: piece 3 failed its hash check (from 10.0.0.9); fetched again") != std::string::npos);
  CHECK(text.find("a@1: peer 10.0.0.9 banned: sent a corrupt piece") != std::string::npos);
  CHECK(text.find("tracker announce failed: refused (continuing with known peers)") ==
        text.rfind("tracker announce failed: refused (continuing with known peers)"));  // once per outage
  SwarmHandlers none;  // missing handlers are skipped
  dispatch_swarm_event(LayerComplete{a, {}}, none, log);
}
