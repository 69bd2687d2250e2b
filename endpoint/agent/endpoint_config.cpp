#include "endpoint/agent/endpoint_config.hpp"

#include <sstream>

#include <toml++/toml.h>

#include "layers/util/fs.hpp"
#include "node/tracker_url.hpp"

namespace bc::endpoint {

Status EndpointConfig::validate() const {
  auto url = node::parse_node_tracker_url(tracker_url);
  if (!url.ok()) return url.status().with_context("config");
  BC_RETURN_IF_ERROR(node::check_tracker_transport(*url, tracker_ca_file, insecure_plain_http).with_context("config"));
  if (node_id.empty()) return Status::invalid_argument("config: node_id is empty");
  if (!public_key_from_hex(tracker_public_key).ok())
    return Status::invalid_argument("config: tracker_public_key is not 64 hex digits");
  if (root.empty()) return Status::invalid_argument("config: root is empty");
  if (poll_interval_ms < 50) return Status::invalid_argument("config: poll_interval_ms must be >= 50");
  if (lan_download_limit_bytes_per_s < 0 || lan_download_limit_bytes_per_s > INT32_MAX)
    return Status::invalid_argument("config: lan_download_limit_bytes_per_s must be in [0, 2^31)");
  if (hardware_root.empty()) return Status::invalid_argument("config: hardware_root is empty");
  if (keep_generations < 1 || keep_generations > 1000)
    return Status::invalid_argument("config: keep_generations must be 1..1000");
  return Status();
}

std::string config_path(const std::string& dir) { return dir + "/endpoint.toml"; }
std::string key_path(const std::string& dir) { return dir + "/node.key"; }

Status save_config(const std::string& dir, const EndpointConfig& c) {
  BC_RETURN_IF_ERROR(c.validate());
  toml::table t{{"tracker_url", c.tracker_url},
                {"tracker_ca_file", c.tracker_ca_file},
                {"insecure_plain_http", c.insecure_plain_http},
                {"insecure_plain_peers", c.insecure_plain_peers},
                {"node_id", c.node_id},
                {"branch", c.branch},
                {"announce_key", c.announce_key},
                {"tracker_public_key", c.tracker_public_key},
                {"root", c.root},
                {"listen_interfaces", c.listen_interfaces},
                {"poll_interval_ms", c.poll_interval_ms},
                {"lan_download_limit_bytes_per_s", c.lan_download_limit_bytes_per_s},
                {"wan_governor", c.wan_governor},
                {"keep_generations", c.keep_generations},
                {"hardware_root", c.hardware_root}};
  std::ostringstream out;
  out << "# written by bc-endpoint enroll\n" << t << "\n";
  return write_file_atomic(config_path(dir), out.str(), 0644);
}

Result<EndpointConfig> load_config(const std::string& dir) {
  std::string path = config_path(dir);
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(path + ": " + std::string(e.description()));
  } catch (const std::exception& e) {
    return Status::io_error(path + ": " + e.what());
  }
  EndpointConfig c;
  c.tracker_url = t["tracker_url"].value_or(std::string());
  c.tracker_ca_file = t["tracker_ca_file"].value_or(std::string());
  c.insecure_plain_http = t["insecure_plain_http"].value_or(false);
  c.insecure_plain_peers = t["insecure_plain_peers"].value_or(false);
  c.node_id = t["node_id"].value_or(std::string());
  c.branch = t["branch"].value_or(std::string());
  c.announce_key = t["announce_key"].value_or(std::string());
  c.tracker_public_key = t["tracker_public_key"].value_or(std::string());
  c.root = t["root"].value_or(c.root);
  c.listen_interfaces = t["listen_interfaces"].value_or(c.listen_interfaces);
  c.poll_interval_ms = static_cast<int>(t["poll_interval_ms"].value_or(int64_t{c.poll_interval_ms}));
  c.lan_download_limit_bytes_per_s = t["lan_download_limit_bytes_per_s"].value_or(int64_t{0});
  c.wan_governor = t["wan_governor"].value_or(true);
  c.keep_generations = static_cast<int>(t["keep_generations"].value_or(int64_t{c.keep_generations}));
  c.hardware_root = t["hardware_root"].value_or(c.hardware_root);
  Status s = c.validate();
  if (!s.ok()) return s.with_context(path);
  return c;
}

}  // namespace bc::endpoint
