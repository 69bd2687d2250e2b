// End to end (label e2e): the real bc-tracker with its origin seed, and per
// branch a bc-reflector and bc-endpoint processes on their own loopback
// addresses (127.k.0.0/16 per branch). Nodes learn peers only from the
// tracker. This file: a two-branch rollout and a 5% update, by the bytes.
#include <doctest/doctest.h>

#include "tests/e2e/rollout_checks.hpp"

#include <filesystem>

#include "layers/diff/layer_diff.hpp"
#include "layers/model/layer_dir.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("two branches roll out base+app through their reflectors with origin bytes <= 1.02x per branch, then a 5% base update moves <= 1.1x the changed pieces") {
  WorldOptions o;
  o.branches = {{"east", 1, 3}, {"west", 1, 3}};
  RolloutWorld w(o);
  std::string base1 = w.dir() + "/tree-base1", app = w.dir() + "/tree-office1", base2 = w.dir() + "/tree-base2";
  const uint64_t stack_raw = make_base_tree(base1) + make_app_tree(app);
  std::string base1_dir = w.publish(base1, "base", 1, "base");
  const std::string app_dir = w.publish(app, "office", 1, "app");
  // What the torrents carry (compressed bins at their wire size): the bytes
  // the 1.02x checks count against (issue #16).
  const uint64_t stack_bytes = payload_bytes({base1_dir, app_dir});
  MESSAGE("stack: " << stack_raw << " raw bytes, " << stack_bytes << " on the wire");
  give_users_files(w);
  const std::vector<std::string> stack1{"base@1", "office@1"};
  w.assign_branch("east", stack1);
  w.assign_branch("west", stack1);
  w.start_all();

  WAIT_OR_FAIL(w, w.all_applied(stack1), kRolloutTimeoutMs, "the stack was not applied everywhere");
  auto want1 = expected_tree({base1, app});
  for (Node* n : w.endpoints()) check_tree(*n, want1);

  // Reports reach the tracker; origin bytes per branch are the reflector's.
  for (Node* n : w.endpoints()) WAIT_OR_FAIL(w, reported_applied(w, *n, stack1), 30'000, n->name << " never reported");
  std::map<std::string, uint64_t> refl_origin1;
  for (Node* r : w.reflectors()) {
    WAIT_OR_FAIL(w, source_bytes(w.reported(*r), "origin") >= stack_bytes, 30'000, r->name << " reported no download");
    uint64_t branch_origin = source_bytes(w.reported(*r), "origin");
    for (Node* e : w.endpoints(r->branch)) branch_origin += source_bytes(w.reported(*e), "origin");
    refl_origin1[r->branch] = source_bytes(w.reported(*r), "origin");
    MESSAGE("branch " << r->branch << ": origin/WAN bytes " << branch_origin << " for " << stack_bytes
                      << " layer bytes (" << double(branch_origin) / double(stack_bytes) << "x)");
    CHECK(branch_origin <= uint64_t(1.02 * double(stack_bytes)));
    for (Node* e : w.endpoints(r->branch)) {
      json rep = w.reported(*e);
      CHECK_MESSAGE(source_bytes(rep, "origin") == 0, e->name << " fetched across the WAN");
      CHECK_MESSAGE(all_bytes(rep) >= stack_bytes, e->name << " counted " << all_bytes(rep) << " bytes: " << rep.dump()
                                                   << "\n" << read_file(e->log()));
    }
  }
  // The origin's own counter, against the bytes the wire must carry.
  const uint64_t stack_wire = padded_payload_bytes({base1_dir, app_dir});
  uint64_t origin1 = 0;
  WAIT_OR_FAIL(w, (origin1 = w.origin_upload_bytes()) >= 2 * stack_bytes, 10'000, "origin counter short");
  MESSAGE("origin uploaded " << origin1 << " bytes for 2 branches x " << stack_bytes << " layer bytes ("
                             << stack_wire << " on the wire with block padding)");
  CHECK(origin1 <= uint64_t(1.02 * 2.0 * double(stack_wire)));

  // base@2: only the pieces that differ cross the WAN.
  make_base_v2(base1, base2);
  std::string base2_dir = w.publish(base2, "base", 2, "base");
  auto l1 = load_layer_dir(base1_dir), l2 = load_layer_dir(base2_dir);
  REQUIRE(l1.ok());
  REQUIRE(l2.ok());
  auto m1 = l1->peek(), m2 = l2->peek();
  auto t1 = read_layer_torrent(l1->torrent), t2 = read_layer_torrent(l2->torrent);
  REQUIRE((m1.ok() && m2.ok() && t1.ok() && t2.ok()));
  const uint64_t differing = diff_layers(*m1, &*t1, *m2, &*t2).bytes_to_move;
  MESSAGE("base@2 differs from base@1 in " << differing << " bytes of pieces");
  REQUIRE(differing > 0);
  const std::vector<std::string> stack2{"base@2", "office@1"};
  w.assign_branch("east", stack2);
  w.assign_branch("west", stack2);
  WAIT_OR_FAIL(w, w.all_applied(stack2), kRolloutTimeoutMs, "base@2 was not applied everywhere");
  auto want2 = expected_tree({base2, app});
  for (Node* n : w.endpoints()) check_tree(*n, want2);
  for (Node* n : w.endpoints()) WAIT_OR_FAIL(w, reported_applied(w, *n, stack2), 30'000, n->name << " never reported");
  for (Node* r : w.reflectors()) {
    WAIT_OR_FAIL(w, source_bytes(w.reported(*r), "origin") > refl_origin1[r->branch], 30'000, r->name << " no v2 bytes: " << w.reported(*r).dump() << " endpoints: " << w.reported(*w.endpoints(r->branch)[0]).dump());
    uint64_t moved = source_bytes(w.reported(*r), "origin") - refl_origin1[r->branch];
    for (Node* e : w.endpoints(r->branch)) CHECK(source_bytes(w.reported(*e), "origin") == 0);
    MESSAGE("branch " << r->branch << ": base@2 moved " << moved << " bytes from the origin for " << differing
                      << " differing (" << double(moved) / double(differing) << "x)");
    CHECK(moved <= uint64_t(1.1 * double(differing)));
  }
  uint64_t origin2 = 0;
  WAIT_OR_FAIL(w, (origin2 = w.origin_upload_bytes()) > origin1, 10'000, "origin counter did not move");
  CHECK(origin2 - origin1 <= uint64_t(1.1 * 2.0 * double(differing)));
}
