// A certificate from the tracker's own CA (DATA/pki/ca.key of a tracker the
// test runs) for a test's SwarmNode: SSL torrents take only peers whose
// certificate that CA signed. For test instruments (a peer that downloads
// from the node under test), not for the node under test, which gets its
// certificate over POST /api/v1/cert.
#pragma once

#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "layers/pki/pki.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

inline void certify_with_tracker_ca(SwarmNode& node, const std::string& tracker_data_dir,
                                    std::vector<std::string> names = {"*"}) {
  const std::string ca_key = read_file(tracker_data_dir + "/pki/ca.key");
  const std::string ca_pem = read_file(tracker_data_dir + "/pki/ca.pem");
  auto key = pki::generate_key();
  REQUIRE(key.ok());
  const int64_t now = std::time(nullptr);
  auto cert = pki::issue(ca_pem, ca_key, key->public_pem, {"test-peer", std::move(names), {}, now - 60, now + 3600, false});
  REQUIRE_MESSAGE(cert.ok(), cert.status().to_string());
  Status s = node.set_certificate(*cert, key->private_pem);
  REQUIRE_MESSAGE(s.ok(), s.to_string());
}

}  // namespace bc::test
