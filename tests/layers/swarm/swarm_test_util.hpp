// Helpers for tests that run real swarm nodes on loopback addresses.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "layers/swarm/swarm_node.hpp"
#include "tests/support/test_pki.hpp"

namespace bc::test {

inline std::unique_ptr<SwarmNode> start_node(const std::string& data_dir, const std::string& ip,
                                             std::function<void(SwarmNodeOptions&)> tweak = {}) {
  SwarmNodeOptions o;
  o.data_dir = data_dir;
  o.node_name = ip;
  o.listen_interfaces = ip + ":0";
  o.outgoing_interfaces = ip;
  o.progress_interval_ms = 200;
  if (tweak) tweak(o);
  auto n = SwarmNode::start(o);
  REQUIRE_MESSAGE(n.ok(), n.status().to_string());
  return std::move(*n);
}

// A node for SSL torrents presenting `cert` (from a test::TestCa).
inline std::unique_ptr<SwarmNode> start_ssl_node(const std::string& data_dir, const std::string& ip, const TestCert& cert,
                                                 std::function<void(SwarmNodeOptions&)> tweak = {}) {
  auto n = start_node(data_dir, ip, std::move(tweak));
  Status s = n->set_certificate(cert.cert_pem, cert.key_pem);
  REQUIRE_MESSAGE(s.ok(), s.to_string());
  return n;
}

// For tests about something other than TLS between peers: plain torrents,
// plain sockets (SwarmNodeOptions::insecure_plain_peers).
inline std::unique_ptr<SwarmNode> start_plain_node(const std::string& data_dir, const std::string& ip,
                                                   std::function<void(SwarmNodeOptions&)> tweak = {}) {
  return start_node(data_dir, ip, [&](SwarmNodeOptions& o) {
    o.insecure_plain_peers = true;
    if (tweak) tweak(o);
  });
}

// Polls every node until `done` holds for the events seen by `watched`, or the
// timeout passes. All events of `watched` are appended to *seen.
inline bool poll_until(std::vector<SwarmNode*> nodes, SwarmNode* watched, std::vector<SwarmEvent>* seen,
                       const std::function<bool(const SwarmEvent&)>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    for (SwarmNode* n : nodes) {
      auto evs = n->poll_events(n == watched ? 50 : 0);
      if (n != watched) continue;
      for (auto& e : evs) {
        seen->push_back(e);
        if (done(e)) return true;
      }
    }
  }
  return false;
}

template <class T>
bool is(const SwarmEvent& e) { return std::holds_alternative<T>(e); }

template <class T>
size_t count_of(const std::vector<SwarmEvent>& evs) {
  size_t n = 0;
  for (const auto& e : evs) n += std::holds_alternative<T>(e);
  return n;
}

}  // namespace bc::test
