#include "netsim/emulate/agent_nodes.hpp"

#include <signal.h>

#include <filesystem>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/fs.hpp"
#include "netsim/emulate/child_process.hpp"
#include "endpoint/agent/endpoint_config.hpp"
#include "reflector/agent/reflector_config.hpp"

namespace bc::netsim {

namespace {
std::string tail_of(const std::string& path) {
  auto text = read_small_file(path, 1 << 20);
  if (!text.ok()) return "";
  const std::string& t = *text;
  return t.size() > 1500 ? t.substr(t.size() - 1500) : t;
}
}  // namespace

AgentNode* AgentNodes::find(const std::string& name) {
  for (AgentNode& n : nodes_)
    if (n.name == name) return &n;
  return nullptr;
}

Result<pid_t> AgentNodes::spawn_setup(AgentNode& n, const std::string& token) {
  std::error_code ec;
  std::filesystem::create_directories(n.dir, ec);
  if (ec) return Status::io_error("creating " + n.dir + ": " + ec.message());
  const NodeInfo* info = topo_.node(n.name);
  if (info == nullptr) return Status::not_found("no topology node '" + n.name + "'");
  const std::string listen = info->address + ":" + std::to_string(o_.bt_port);
  if (n.role == AgentRole::reflector) {
    std::vector<std::string> argv{o_.reflector_binary, "init", "--config", n.dir + "/reflector.toml", "--tracker-url",
                        o_.tracker_url, "--tracker-ca", o_.tracker_ca_file, "--tracker-public-key",
                        o_.tracker_public_key, "--key", n.dir + "/node.key",
                        "--token", token, "--branch", n.branch, "--address", info->address, "--cache-dir",
                        n.dir + "/cache", "--quota-bytes", std::to_string(n.quota_bytes), "--listen", listen};
    if (o_.insecure_plain_peers) argv.push_back("--insecure-plain-peers");
    return topo_.spawn(n.name, argv, n.log);
  }
  std::filesystem::create_directories(n.dir + "/root", ec);
  BC_RETURN_IF_ERROR(write_file_atomic(n.dir + "/tracker.pub", o_.tracker_public_key + "\n", 0644));
  std::vector<std::string> argv{o_.endpoint_binary, "enroll", "--tracker", o_.tracker_url, "--tracker-ca", o_.tracker_ca_file,
                      "--token", token, "--dir",
                      n.dir + "/state", "--root", n.dir + "/root", "--tracker-pubkey", n.dir + "/tracker.pub",
                      "--branch", n.branch, "--listen", listen, "--poll-interval-ms",
                      std::to_string(o_.poll_interval_ms)};
  if (o_.insecure_plain_peers) argv.push_back("--insecure-plain-peers");
  return topo_.spawn(n.name, argv, n.log);
}

// The reflector's timers are set for a production branch (2 s poll, 15 s
// heartbeat); an emulated run wants its status sooner.
Status AgentNodes::finish_setup(AgentNode& n) {
  const std::string key = n.role == AgentRole::reflector ? n.dir + "/node.key" : n.dir + "/state/node.key";
  BC_ASSIGN_OR_RETURN(SecretKey k, SecretKey::load(key));
  n.node_id = public_key_hex(k.public_key());
  if (n.role != AgentRole::reflector) {
    if (n.governor == GovernorMode::on) return Status();
    BC_ASSIGN_OR_RETURN(endpoint::EndpointConfig c, endpoint::load_config(n.dir + "/state"));
    c.wan_governor = false;
    return endpoint::save_config(n.dir + "/state", c);
  }
  const std::string path = n.dir + "/reflector.toml";
  BC_ASSIGN_OR_RETURN(reflector::ReflectorConfig c, reflector::load_reflector_config(path));
  c.poll_interval_ms = o_.poll_interval_ms;
  c.heartbeat_interval_ms = o_.heartbeat_interval_ms;
  c.wan_governor = n.governor == GovernorMode::on;
  c.utp = n.governor != GovernorMode::off_tcp;
  return write_file_atomic(path, reflector::render_reflector_config(c), 0600);
}

Status AgentNodes::setup(const std::map<std::string, std::map<AgentRole, std::string>>& tokens) {
  std::vector<std::pair<AgentNode*, pid_t>> started;
  Status first;
  for (AgentNode& n : nodes_) {
    auto b = tokens.find(n.branch);
    if (b == tokens.end() || !b->second.count(n.role)) return Status::not_found("no enrollment token for " + n.name);
    auto pid = spawn_setup(n, b->second.at(n.role));
    if (!pid.ok()) return pid.status().with_context(n.name);
    started.emplace_back(&n, *pid);
  }
  for (auto& [n, pid] : started) {
    auto code = wait_child(pid, o_.setup_timeout_ms);
    Status s = !code.ok() ? code.status()
               : *code != 0 ? Status::unavailable("setup exited with " + std::to_string(*code) + ": " + tail_of(n->log))
                            : finish_setup(*n);
    if (!s.ok() && first.ok()) first = s.with_context(n->name);
  }
  return first;
}

Status AgentNodes::start(const std::string& name) {
  AgentNode* n = find(name);
  if (n == nullptr) return Status::not_found("no agent node '" + name + "'");
  if (n->pid > 0) return Status();
  std::vector<std::string> argv =
      n->role == AgentRole::reflector
          ? std::vector<std::string>{o_.reflector_binary, "run", "--config", n->dir + "/reflector.toml"}
          : std::vector<std::string>{o_.endpoint_binary, "run", "--dir", n->dir + "/state", "--retry-after-ms",
                                     std::to_string(o_.retry_after_ms)};
  BC_ASSIGN_OR_RETURN(n->pid, topo_.spawn(n->name, argv, n->log));
  return Status();
}

Status AgentNodes::start_role(AgentRole role) {
  for (AgentNode& n : nodes_)
    if (n.role == role) BC_RETURN_IF_ERROR(start(n.name));
  return Status();
}

Status AgentNodes::kill(const std::string& name) {
  AgentNode* n = find(name);
  if (n == nullptr) return Status::not_found("no agent node '" + name + "'");
  stop_child(n->pid, SIGKILL, 5000);
  n->pid = -1;
  return Status();
}

void AgentNodes::stop_all() {
  for (AgentNode& n : nodes_)
    if (n.pid > 0) ::kill(n.pid, SIGTERM);
  for (AgentNode& n : nodes_) {
    stop_child(n.pid, SIGTERM, 5000);
    n.pid = -1;
  }
}

}  // namespace bc::netsim
