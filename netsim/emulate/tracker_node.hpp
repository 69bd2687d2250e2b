// bc-tracker in the datacenter node: its files (config with the origin seed
// enabled, signing key, admin token), starting it in the node's namespace and
// waiting until it answers, stopping and restarting it (the stop_tracker
// fault). State lives in dir/data, so a restart keeps every record. It
// serves HTTPS with its CA's certificate, which names its namespace address.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "layers/util/status.hpp"
#include "netsim/emulate/admin_client.hpp"
#include "netsim/topo/topology.hpp"

namespace bc::netsim {

struct TrackerNodeOptions {
  std::string dir;                       // config, key, token, data/, tracker.log; required
  std::string binary = "bc-tracker";     // path or name on PATH
  std::string node = "tracker";          // topology node it runs in
  std::uint16_t api_port = 8080;         // HTTP API + announce; default 8080
  std::uint16_t origin_port = 6881;      // the origin seed's BitTorrent port; default 6881
  // UDP port of the RTT echo responder the WAN governors probe ([server]
  // probe_port); default 6882.
  std::uint16_t probe_port = 6882;
  int ready_timeout_ms = 30'000;         // bound on waiting for the first answer; default 30 s
  // Publish plain torrents ([pki] insecure_plain_torrents): the nodes then run
  // insecure_plain_peers. Only to measure what encryption costs. Default false.
  bool insecure_plain_peers = false;
};

class TrackerNode {
 public:
  // Writes the files. REQUIRES: topo outlives this object.
  static Result<std::unique_ptr<TrackerNode>> create(const TrackerNodeOptions& o, Topology& topo);

  // Spawns bc-tracker and waits (bounded) until GET /api/v1/tracker answers.
  Status start();
  // SIGTERM, then SIGKILL after a grace period.
  void stop();
  bool running() const { return pid_ > 0; }

  AdminClient& admin() { return *admin_; }
  // "https://ADDR:PORT", as nodes reach it.
  std::string url() const;
  // The tracker's CA certificate (dir/data/pki/ca.pem, made at the first
  // start): nodes pin it with --tracker-ca, as an admin would hand it out.
  std::string ca_file() const { return o_.dir + "/data/pki/ca.pem"; }
  const std::string& public_key_hex() const { return public_key_; }
  const std::string& log_path() const { return log_; }

 private:
  TrackerNode(TrackerNodeOptions o, Topology& topo) : o_(std::move(o)), topo_(topo) {}
  Status write_files();

  TrackerNodeOptions o_;
  Topology& topo_;
  std::string address_;
  std::string log_;
  std::string public_key_;
  pid_t pid_ = -1;
  std::unique_ptr<AdminClient> admin_;
};

}  // namespace bc::netsim
