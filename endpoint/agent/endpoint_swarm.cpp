#include "endpoint/agent/endpoint_swarm.hpp"

#include "node/tracker_url.hpp"

namespace bc::endpoint {

node::NodeSwarmOptions endpoint_swarm_options(const EndpointConfig& config, const std::string& dir) {
  const auto url = node::parse_node_tracker_url(config.tracker_url);  // validated with the config
  node::NodeSwarmOptions o;
  o.tracker_host = url.ok() ? url->host : "";
  o.swarm.data_dir = dir + "/swarm";
  o.swarm.node_name = "endpoint";
  o.swarm.listen_interfaces = config.listen_interfaces;
  o.swarm.tracker_url = url.ok() ? url->base() + "/announce" : "";
  o.swarm.tracker_key = config.announce_key;
  o.swarm.tracker_key_param = "bckey";
  o.swarm.insecure_plain_peers = config.insecure_plain_peers;
  o.swarm.outgoing_utp = false;  // endpoints dial LAN peers: TCP first (swarm_options.hpp)
  o.swarm.lan_download_bytes_per_s = config.lan_download_limit_bytes_per_s;
  o.governor.enabled = config.wan_governor;
  o.governor.listen_interfaces = config.listen_interfaces;  // probes leave from the payload's address
  return o;
}

}  // namespace bc::endpoint
