// The per-layer timeline: steps in ms since the layer was first seen, each
// recorded once, bounded, and summarised in the words the node log carries.
#include <doctest/doctest.h>

#include "node/layer_timeline.hpp"

using namespace bc::node;

TEST_CASE("a layer's timeline counts each step from when the layer was first seen, once") {
  LayerTimeline t;
  CHECK(t.mark("base@2", LayerStep::metadata, 5) == -1);  // never seen: nothing recorded
  CHECK(t.mark("base@2", LayerStep::seen, 1000) == 0);
  CHECK(t.mark("base@2", LayerStep::seen, 1500) == 0);  // a later desired state does not restart it
  CHECK(t.mark("base@2", LayerStep::metadata, 1012) == 12);
  CHECK(t.mark("base@2", LayerStep::added, 1020) == 20);
  CHECK(t.mark("base@2", LayerStep::first_byte, 1300) == 300);
  CHECK(t.mark("base@2", LayerStep::first_byte, 1700) == 300);  // the first time counts
  CHECK(t.summary("base@2") == "seen +0 ms, metadata +12 ms, added +20 ms, first_byte +300 ms");
  t.forget("base@2");
  CHECK_FALSE(t.has("base@2"));
  CHECK(t.summary("base@2").empty());
}

TEST_CASE("the timeline holds at most kMaxLayers layers, dropping the oldest") {
  LayerTimeline t;
  for (size_t i = 0; i <= LayerTimeline::kMaxLayers; ++i) t.mark("l@" + std::to_string(i), LayerStep::seen, int64_t(i));
  CHECK_FALSE(t.has("l@0"));
  CHECK(t.has("l@1"));
  CHECK(t.has("l@" + std::to_string(LayerTimeline::kMaxLayers)));
}
