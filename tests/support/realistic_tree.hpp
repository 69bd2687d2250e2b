// A small tree of real OS content for tests that want it (file-size mix,
// duplicates, compressible bytes): a deterministic subset of the cached
// Debian root (scripts/realistic-roots.sh, /var/cache/branchcast/roots/v1),
// or of this machine's /usr/bin when no root is cached. Link
// bc_netsim_realistic. The random generators stay for the worst case.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "netsim/realistic/realistic_tree.hpp"

namespace bc::test {

struct RealisticTree {
  std::string dir;              // the copy (dest)
  std::string source;           // what it was taken from
  bool from_debian_root = false;
  netsim::SubsetStats stats;
};

// Copies `fraction` of the root's files (by path hash) into `dest` (must not
// exist). REQUIREs the copy to succeed and hold at least one file.
inline RealisticTree make_realistic_tree(const std::string& dest, double fraction = 1.0 / 64,
                                         const std::string& roots_dir = netsim::kDefaultRootsDir) {
  RealisticTree t;
  t.dir = dest;
  netsim::SubsetOptions o;
  o.fraction = fraction;
  auto roots = netsim::find_realistic_roots(roots_dir);
  if (roots.ok()) {
    o.root = roots->v1;
    t.from_debian_root = !roots->usr_fallback;
  } else {
    o.root = "/usr", o.subtree = "bin";
  }
  t.source = o.subtree.empty() ? o.root : o.root + "/" + o.subtree;
  auto st = netsim::copy_subset(o, dest);
  REQUIRE_MESSAGE(st.ok(), st.status().to_string());
  REQUIRE_MESSAGE(st->files > 0, "no file of " << t.source << " at fraction " << fraction);
  t.stats = *st;
  return t;
}

}  // namespace bc::test
