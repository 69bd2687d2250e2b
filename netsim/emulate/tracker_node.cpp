#include "netsim/emulate/tracker_node.hpp"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"
#include "netsim/emulate/child_process.hpp"

namespace bc::netsim {

namespace {
std::string random_hex(std::size_t bytes) {
  // The secret key generator is our only CSPRNG; its bytes make good tokens.
  std::string hex = SecretKey::generate().to_hex();
  return hex.substr(0, bytes * 2);
}
}  // namespace

Result<std::unique_ptr<TrackerNode>> TrackerNode::create(const TrackerNodeOptions& o, Topology& topo) {
  std::unique_ptr<TrackerNode> t(new TrackerNode(o, topo));
  const NodeInfo* n = topo.node(o.node);
  if (n == nullptr) return Status::not_found("no topology node '" + o.node + "' for the tracker");
  t->address_ = n->address;
  t->log_ = o.dir + "/tracker.log";
  BC_RETURN_IF_ERROR(t->write_files());
  return t;
}

Status TrackerNode::write_files() {
  std::error_code ec;
  std::filesystem::create_directories(o_.dir, ec);
  if (ec) return Status::io_error("creating " + o_.dir + ": " + ec.message());
  SecretKey key = SecretKey::generate();
  BC_RETURN_IF_ERROR(key.save(o_.dir + "/tracker.key"));
  public_key_ = bc::public_key_hex(key.public_key());
  const std::string token = "netsim-admin-" + random_hex(16);
  BC_RETURN_IF_ERROR(write_file_atomic(o_.dir + "/admin.token", token + "\n", 0600));
  // The origin announces with its own key so the tracker hands it to
  // reflectors and to endpoints of branches without one.
  // tls_names: the certificate must name the address nodes dial; the
  // tracker would find it among its local addresses too, but only if the
  // namespace is configured before it starts.
  const std::string toml = "[server]\nlisten = \"" + address_ + "\"\nport = " + std::to_string(o_.api_port) +
                           "\ntls_names = [\"" + address_ + "\"]"
                           "\nworker_threads = 4\nprobe_port = " + std::to_string(o_.probe_port) + "\n"
                           "[storage]\ndata_dir = \"data\"\n"
                           "[auth]\nsigning_key = \"tracker.key\"\nadmin_token_file = \"admin.token\"\n"
                           "[log]\nlevel = \"info\"\n"
                           "[origin]\nenabled = true\nlisten = \"" + address_ + ":" + std::to_string(o_.origin_port) +
                           "\"\nannounce_key = \"" + random_hex(16) + "\"\n" +
                           (o_.insecure_plain_peers ? "[pki]\ninsecure_plain_torrents = true\n" : "");
  BC_RETURN_IF_ERROR(write_file_atomic(o_.dir + "/tracker.toml", toml, 0600));
  admin_ = std::make_unique<AdminClient>(topo_.node(o_.node)->netns, address_, o_.api_port, token, ca_file());
  return Status();
}

std::string TrackerNode::url() const { return "https://" + address_ + ":" + std::to_string(o_.api_port); }

Status TrackerNode::start() {
  if (pid_ > 0) return Status();
  BC_ASSIGN_OR_RETURN(pid_, topo_.spawn(o_.node, {o_.binary, "serve", "--config", o_.dir + "/tracker.toml"}, log_));
  admin_->reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o_.ready_timeout_ms);
  Status last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_exited(pid_)) {
      pid_ = -1;
      return Status::unavailable("bc-tracker exited at start; see " + log_);
    }
    auto r = admin_->call("GET", "/api/v1/tracker");
    if (r.ok()) return Status();
    last = r.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // bounded poll until it listens
  }
  return Status::unavailable("bc-tracker did not answer within " + std::to_string(o_.ready_timeout_ms) +
                             " ms (" + last.to_string() + "); see " + log_);
}

void TrackerNode::stop() {
  stop_child(pid_, SIGTERM, 5000);
  pid_ = -1;
  admin_->reset();
}

}  // namespace bc::netsim
