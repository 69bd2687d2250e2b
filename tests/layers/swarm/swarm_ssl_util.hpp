// A swarm of SSL torrents for tests: a test CA, one layer made SSL with it,
// and a seed presenting a "*" certificate (as the origin does).
#pragma once

#include <doctest/doctest.h>

#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

struct SslSwarm {
  TestCa ca;
  TestLayer layer;

  // A layer "NAME-vVERSION" with a `big_bytes` file among small ones, SSL with `ca`.
  SslSwarm(const TmpDir& tmp, size_t big_bytes, LayerRef ref = {"base", 1}) : layer(make(tmp, big_bytes, ref)) {}

  std::unique_ptr<SwarmNode> seed(const std::string& dir, const std::string& ip,
                                  std::function<void(SwarmNodeOptions&)> tweak = {}) {
    auto n = start_ssl_node(dir, ip, ca.issue({"*"}, 3600, "origin"), std::move(tweak));
    Status s = n->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed);
    REQUIRE_MESSAGE(s.ok(), s.to_string());
    return n;
  }

 private:
  TestLayer make(const TmpDir& tmp, size_t big_bytes, const LayerRef& ref) {
    const std::string src = tmp / ("src-" + ref.to_string());
    write_file(src + "/etc/motd", "hello\n");
    write_file(src + "/var/big.img", random_bytes(big_bytes, 2));
    return make_ssl_layer(capture_test_layer(src, ref, 256 * 1024), ca.cert_pem());
  }
};

// The transport a downloader dials with: uTP only (no TCP at all), or TCP.
inline std::function<void(SwarmNodeOptions&)> transport(bool utp) {
  return [utp](SwarmNodeOptions& o) {
    if (utp) o.enable_tcp = false;
    else o.outgoing_utp = false;
  };
}

// Waits until the wall clock is past `unix_s` (OpenSSL judges expiry by it).
inline bool wait_past(int64_t unix_s) {
  return eventually([unix_s] { return int64_t(std::time(nullptr)) > unix_s; }, 15'000, 50);
}

template <class T>
const T* last_of(const std::vector<SwarmEvent>& evs) {
  for (auto it = evs.rbegin(); it != evs.rend(); ++it)
    if (auto* e = std::get_if<T>(&*it)) return e;
  return nullptr;
}

}  // namespace bc::test

namespace bc::test {

// Polls every node (node i's events appended to (*seen)[i]) until `done`
// holds, or timeout_ms passes; whether it held.
inline bool run_until(const std::vector<SwarmNode*>& nodes, std::vector<std::vector<SwarmEvent>>* seen,
                      const std::function<bool()>& done, int timeout_ms) {
  seen->resize(nodes.size());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    for (size_t i = 0; i < nodes.size(); ++i)
      for (auto& e : nodes[i]->poll_events(i == 0 ? 20 : 0)) (*seen)[i].push_back(std::move(e));
    if (done()) return true;
  }
  return done();
}

inline uint64_t received(SwarmNode& n, const LayerRef& ref) {
  auto st = n.layer_status(ref);
  return st.ok() ? st->downloaded.total() : 0;
}

inline size_t refusals(const std::vector<SwarmEvent>& evs, const std::string& reason) {
  size_t k = 0;
  for (const auto& e : evs)
    if (auto* r = std::get_if<PeerRefused>(&e)) k += r->reason == reason;
  return k;
}

}  // namespace bc::test
