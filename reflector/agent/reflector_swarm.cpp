#include "reflector/agent/reflector_swarm.hpp"

#include "node/tracker_url.hpp"

namespace bc::reflector {

node::NodeSwarmOptions reflector_swarm_options(const ReflectorConfig& config, const std::string& announce_key) {
  const auto url = node::parse_node_tracker_url(config.tracker_url);  // validated with the config
  node::NodeSwarmOptions o;
  o.tracker_host = url.ok() ? url->host : "";
  o.swarm.data_dir = config.cache_dir + "/swarm";
  o.swarm.node_name = "reflector";
  o.swarm.listen_interfaces = config.listen;
  o.swarm.tracker_url = url.ok() ? url->base() + "/announce" : "";
  o.swarm.tracker_key = announce_key;
  o.swarm.tracker_key_param = "bckey";
  o.swarm.insecure_plain_peers = config.insecure_plain_peers;
  o.swarm.wan_download_bytes_per_s = o.swarm.lan_download_bytes_per_s = config.download_limit_bytes_per_s;
  o.swarm.wan_upload_bytes_per_s = o.swarm.lan_upload_bytes_per_s = config.upload_limit_bytes_per_s;
  o.swarm.enable_utp = o.swarm.outgoing_utp = config.utp;
  o.governor.enabled = config.wan_governor;
  o.governor.listen_interfaces = config.listen;  // probes leave from the payload's address
  o.governor.down_cap_bytes_per_s = config.download_limit_bytes_per_s;
  o.governor.up_cap_bytes_per_s = config.upload_limit_bytes_per_s;
  return o;
}

}  // namespace bc::reflector
