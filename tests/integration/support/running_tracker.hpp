// The opening of every suite that drives the real bc-tracker: a scratch
// directory, the child process on an ephemeral port, and an admin client.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "layers/util/clock.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/integration/support/tracker_process.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::test {

// The bootstrap admin token the integration suites give their tracker.
inline const std::string kAdminToken = "integration-admin-token-0123456789";

// Starts bc-tracker at construction (throws if it does not come up within
// 20 s); the child is killed with the object. Members are built in order.
struct RunningTracker {
  explicit RunningTracker(const std::string& extra_toml = "")
      : proc({tmp.path(), kAdminToken, extra_toml}),
        port(proc.start()),
        admin(client_options(), nullptr, kAdminToken, clock) {}

  // Options for another client of this tracker (TLS against its CA).
  tracker::HttpClientOptions client_options() const { return local_client(port, proc.ca_file()); }

  // Enrolls `node` (a client signed with the node's key) as an endpoint with
  // a fresh one-time token; the tracker's answer. Fails the test on error.
  nlohmann::json enroll_endpoint(tracker::TrackerClient& node) {
    auto tok = admin.admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "endpoint"}});
    REQUIRE_MESSAGE(tok.ok(), tok.status().to_string());
    auto enrolled = node.enroll((*tok)["token"], {{"vendor", "Dell Inc."}});
    REQUIRE_MESSAGE(enrolled.ok(), enrolled.status().to_string());
    return *enrolled;
  }

  TmpDir tmp;
  TrackerProcess proc;
  uint16_t port;
  SystemClock clock;
  tracker::TrackerClient admin;
};

}  // namespace bc::test
