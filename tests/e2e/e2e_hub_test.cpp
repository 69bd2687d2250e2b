// End to end (label e2e): a regional hub. Branch "emea" has a reflector and no
// endpoints; branches c1 and c2 name it as their parent. The hub's reflector
// prefetches what its children need, their reflectors take it from the hub,
// and the datacenter's link (the origin's upload) carries the layer once.
#include <doctest/doctest.h>

#include "tests/e2e/rollout_checks.hpp"

using namespace bc;
using namespace bc::test;

TEST_CASE("a hub and two child branches: the children's endpoints apply the layer and the origin uploads it about once") {
  WorldOptions o;
  o.branches = {{"emea", 1, 0}, {"c1", 1, 2, "emea"}, {"c2", 1, 2, "emea"}};
  RolloutWorld w(o);
  const std::string tree = w.dir() + "/tree-base1";
  make_base_tree(tree);
  w.publish(tree, "base", 1, "base");
  give_users_files(w);
  const uint64_t origin_before = w.origin_upload_bytes();
  // The hub must be at work first: children started with no hub would be
  // served by the datacenter, as their fallback policy allows.
  w.start(w.node("emea-r1"));
  w.assign_branch("c1", {"base@1"});
  w.assign_branch("c2", {"base@1"});
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "the child branches did not apply base@1");
  for (Node* n : w.endpoints()) check_tree(*n, expected_tree({tree}));
  const uint64_t origin = w.origin_upload_bytes() - origin_before, wire = wire_bytes({tree});
  MESSAGE("origin uploaded " << origin << " bytes for a layer of " << wire << " wire bytes ("
                             << double(origin) / double(wire) << "x)");
  CHECK(origin <= uint64_t(1.03 * double(wire)));
}
