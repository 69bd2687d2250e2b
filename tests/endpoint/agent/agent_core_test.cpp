// The agent's pure decision core: what to fetch, when to apply.
#include <doctest/doctest.h>

#include "endpoint/agent/agent_core.hpp"

using namespace bc::endpoint;

namespace {
LocalLayer layer(LayerPhase p, int64_t failed_at_ms = 0) {
  LocalLayer l;
  l.phase = p;
  l.failed_at_ms = failed_at_ms;
  l.error = p == LayerPhase::failed ? "boom" : "";
  return l;
}
AgentCoreOptions opts() {
  AgentCoreOptions o;
  o.retry_after_ms = 1000;
  return o;
}
}  // namespace

TEST_CASE("agent core: a new desired stack fetches every layer in order and applies nothing yet") {
  CoreActions a = decide(opts(), {{"base@1", "office@2"}, {}, {}, 0});
  CHECK(a.fetch == std::vector<std::string>{"base@1", "office@2"});
  CHECK_FALSE(a.apply);
  CHECK_FALSE(a.converged);
  CHECK(a.error.empty());
}

TEST_CASE("agent core: a partially downloaded stack is not applied") {
  CoreInput in{{"base@1", "office@2"},
               {{"base@1", layer(LayerPhase::complete)}, {"office@2", layer(LayerPhase::downloading)}},
               {},
               0};
  CoreActions a = decide(opts(), in);
  CHECK(a.fetch.empty());
  CHECK_FALSE(a.apply);
}

TEST_CASE("agent core: the stack is applied once every layer is complete and only once") {
  CoreInput in{{"base@1", "office@2"},
               {{"base@1", layer(LayerPhase::complete)}, {"office@2", layer(LayerPhase::complete)}},
               {},
               0};
  CHECK(decide(opts(), in).apply);
  in.applied = in.desired;
  CoreActions a = decide(opts(), in);
  CHECK_FALSE(a.apply);
  CHECK(a.converged);
}

TEST_CASE("agent core: a changed desired stack fetches only the new layer and keeps the applied stack until complete") {
  CoreInput in{{"base@1", "office@3"},
               {{"base@1", layer(LayerPhase::complete)}, {"office@2", layer(LayerPhase::complete)}},
               {"base@1", "office@2"},
               0};
  CoreActions a = decide(opts(), in);
  CHECK(a.fetch == std::vector<std::string>{"office@3"});
  CHECK_FALSE(a.apply);
  in.local["office@3"] = layer(LayerPhase::complete);
  CHECK(decide(opts(), in).apply);
}

TEST_CASE("agent core: a new version waits while its predecessor downloads, then starts (it dedups against it)") {
  CoreInput in{{"base@2", "office@1"},
               {{"base@1", layer(LayerPhase::downloading)}, {"office@1", layer(LayerPhase::complete)}},
               {},
               0};
  CoreActions a = decide(opts(), in);
  CHECK(a.fetch.empty());
  CHECK(a.waiting == std::vector<std::string>{"base@2"});
  CHECK_FALSE(a.apply);
  // Another layer's download, or a newer version's, is not waited for.
  in.local = {{"office@1", layer(LayerPhase::downloading)}, {"base@3", layer(LayerPhase::downloading)}};
  CHECK(decide(opts(), in).fetch == std::vector<std::string>{"base@2"});
  // The predecessor completes, or fails: the new version starts.
  for (LayerPhase p : {LayerPhase::complete, LayerPhase::failed}) {
    in.local = {{"base@1", layer(p)}, {"office@1", layer(LayerPhase::complete)}};
    a = decide(opts(), in);
    CHECK(a.fetch == std::vector<std::string>{"base@2"});
    CHECK(a.waiting.empty());
  }
}

TEST_CASE("agent core: reordering the same layers is a different stack and is applied") {
  CoreInput in{{"b@1", "a@1"},
               {{"a@1", layer(LayerPhase::complete)}, {"b@1", layer(LayerPhase::complete)}},
               {"a@1", "b@1"},
               0};
  CHECK(decide(opts(), in).apply);
}

TEST_CASE("agent core: a failed layer keeps the previous stack and is retried only after the retry delay") {
  CoreInput in{{"base@2"}, {{"base@2", layer(LayerPhase::failed, 5000)}}, {"base@1"}, 5500};
  CoreActions a = decide(opts(), in);
  CHECK_FALSE(a.apply);
  CHECK(a.fetch.empty());
  CHECK(a.failed == std::vector<std::string>{"base@2"});
  in.now_ms = 6000;
  a = decide(opts(), in);
  CHECK(a.fetch == std::vector<std::string>{"base@2"});
  CHECK_FALSE(a.apply);
}

TEST_CASE("agent core: an empty desired stack never wipes the applied stack") {
  CoreActions a = decide(opts(), {{}, {}, {"base@1"}, 0});
  CHECK_FALSE(a.apply);
  CHECK(a.fetch.empty());
}

TEST_CASE("agent core: a desired stack naming one layer twice or a bad ref is refused with a reason") {
  CoreActions a = decide(opts(), {{"base@1", "base@2"}, {}, {}, 0});
  CHECK(a.error.find("twice") != std::string::npos);
  CHECK(a.fetch.empty());
  a = decide(opts(), {{"nonsense"}, {}, {}, 0});
  CHECK(a.error.find("name@version") != std::string::npos);
  AgentCoreOptions small = opts();
  small.max_stack_layers = 1;
  a = decide(small, {{"a@1", "b@1"}, {}, {}, 0});
  CHECK(a.error.find("more than 1") != std::string::npos);
}
