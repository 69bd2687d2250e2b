// End to end (label e2e): one WAN copy per branch (issue #17). Real
// bc-tracker with its origin seed and real node processes on loopback: a
// branch without a reflector (its endpoints' stand-in source holds the
// branch's one origin grant, the others take the layers from it over the
// LAN) and a branch with two reflectors (one takes the origin, the other
// takes it from its sibling) each move about one copy of their new content
// from the origin, by the nodes' bytes-by-source reports and by the
// origin's own upload counter.
#include <doctest/doctest.h>

#include "tests/e2e/rollout_checks.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;

namespace {

// Origin bytes the branch's nodes report, once each has reported `stack`
// (a reflector: all its `content` bytes, from the origin or its sibling).
uint64_t branch_origin_bytes(RolloutWorld& w, const std::string& branch, const std::vector<std::string>& stack,
                             uint64_t content) {
  uint64_t sum = 0;
  for (Node* n : w.reflectors(branch)) {
    WAIT_OR_FAIL(w, all_bytes(w.reported(*n)) >= content, 30'000, n->name << " reported no whole download");
  }
  for (Node* n : w.endpoints(branch)) {
    WAIT_OR_FAIL(w, reported_applied(w, *n, stack), 30'000, n->name << " never reported");
  }
  for (Node* n : w.reflectors(branch)) {
    uint64_t b = source_bytes(w.reported(*n), "origin");
    MESSAGE(n->name << ": " << b << " bytes from the origin, " << all_bytes(w.reported(*n)) << " in all");
    sum += b;
  }
  for (Node* n : w.endpoints(branch)) {
    uint64_t b = source_bytes(w.reported(*n), "origin");
    MESSAGE(n->name << ": " << b << " bytes from the origin, " << all_bytes(w.reported(*n)) << " in all");
    sum += b;
  }
  return sum;
}

}  // namespace

TEST_CASE("one WAN copy: a branch without a reflector moves <= 1.05x its content from the origin, one with two reflectors <= 1.03x") {
  WorldOptions o;
  o.branches = {{"south", 0, 3}, {"north", 2, 2}};
  RolloutWorld w(o);
  std::string base = w.dir() + "/tree-base1", app = w.dir() + "/tree-office1";
  const uint64_t stack_bytes = make_base_tree(base) + make_app_tree(app);
  const uint64_t stack_wire = wire_bytes({base, app});
  w.publish(base, "base", 1, "base");
  w.publish(app, "office", 1, "app");
  give_users_files(w);
  const std::vector<std::string> stack{"base@1", "office@1"};
  w.assign_branch("south", stack);
  w.assign_branch("north", stack);
  w.start_all();

  WAIT_OR_FAIL(w, w.all_applied(stack), kRolloutTimeoutMs, "the stack was not applied everywhere");
  auto want = expected_tree({base, app});
  for (Node* n : w.endpoints()) check_tree(*n, want);

  uint64_t south = branch_origin_bytes(w, "south", stack, stack_bytes);
  MESSAGE("south (no reflector, 3 endpoints): " << south << " origin bytes for " << stack_bytes << " ("
                                                << double(south) / double(stack_bytes) << "x)");
  CHECK(south >= stack_bytes);  // every byte came across once: the reports do count the origin
  CHECK(south <= uint64_t(1.05 * double(stack_bytes)));

  uint64_t north = branch_origin_bytes(w, "north", stack, stack_bytes);
  MESSAGE("north (2 reflectors): " << north << " origin bytes for " << stack_bytes << " ("
                                   << double(north) / double(stack_bytes) << "x)");
  CHECK(north >= stack_bytes);
  CHECK(north <= uint64_t(1.03 * double(stack_bytes)));
  for (Node* e : w.endpoints("north")) CHECK_MESSAGE(source_bytes(w.reported(*e), "origin") == 0, e->name);

  // The origin's own counter (payload on the wire, blocks whole): two copies.
  uint64_t sent = 0;
  WAIT_OR_FAIL(w, (sent = w.origin_upload_bytes()) >= 2 * stack_bytes, 10'000, "origin counter short");
  MESSAGE("origin uploaded " << sent << " bytes for 2 branches x " << stack_wire << " wire bytes ("
                             << double(sent) / double(2 * stack_wire) << "x)");
  CHECK(sent <= uint64_t(1.04 * 2.0 * double(stack_wire)));
}

TEST_CASE("one WAN copy: the stand-in source killed mid-fetch, another endpoint takes the role when its lease lapses and the branch finishes") {
  WorldOptions o;
  o.branches = {{"south", 0, 3}};
  o.origin_upload_limit = 1 << 20;  // ~14 s for base@1: time to kill the stand-in mid-fetch
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "south");
  w.start_all();
  Node* stand_in = nullptr;
  WAIT_OR_FAIL(w, [&] {
    for (Node* n : w.endpoints())
      if (source_bytes(w.reported(*n), "origin") > 0) stand_in = n;
    return stand_in != nullptr;
  }(), 60'000, "no endpoint took the origin");
  double at_kill = reported_progress(w, *stand_in);
  REQUIRE_MESSAGE(at_kill < 0.8, "the stand-in finished before it could be killed: " << at_kill);
  stand_in->proc.kill9();
  // Its lease lapses 75 s after its last announce; the starved siblings
  // re-announce every <= 15 s, and one of them takes the grant.
  std::vector<Node*> rest;
  for (Node* n : w.endpoints())
    if (n != stand_in) rest.push_back(n);
  for (Node* n : rest)
    WAIT_OR_FAIL(w, reported_applied(w, *n, {"base@1"}), kRolloutTimeoutMs, n->name << " did not finish");
  uint64_t from_origin = 0;
  for (Node* n : rest) from_origin += source_bytes(w.reported(*n), "origin");
  MESSAGE(stand_in->name << " killed at " << at_kill * 100 << "%; its siblings then took " << from_origin
                         << " bytes from the origin");
  CHECK(from_origin > 0);
  for (Node* n : rest) check_tree(*n, expected_tree({base1}));
}
