#include "tests/e2e/rollout_world.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <filesystem>
#include <thread>

#include "endpoint/agent/endpoint_config.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/crypto/sha256.hpp"
#include "layers/util/hex.hpp"
#include "reflector/agent/reflector_config.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/support/metrics_text.hpp"

namespace bc::test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kAdmin = "e2e-admin-token-0123456789abcdef";
const std::string kOriginKey = "origin-announce-key-0123456789abcdef";

// Runs a command line with output into `log`; its exit code.
int sh(const std::string& cmd, const std::string& log) {
  int rc = std::system((cmd + " > '" + log + "' 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string tail(const std::string& path, size_t bytes) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return "";
  std::string s = read_file(path);
  return s.size() > bytes ? "..." + s.substr(s.size() - bytes) : s;
}

}  // namespace

std::string Node::log() const { return dir + "-" + std::to_string(starts) + ".log"; }

RolloutWorld::RolloutWorld(WorldOptions options) : options_(std::move(options)) {
  port_ = free_tcp_port();
  std::string seeds;
  for (const auto& u : options_.web_seeds) seeds += (seeds.empty() ? "\"" : ", \"") + u + "\"";
  std::string extra = "\n[origin]\nenabled = " + std::string(options_.origin_seed ? "true" : "false") +
                      "\nweb_seeds = [" + seeds + "]\nserve_web_seed = " +
                      std::string(options_.serve_web_seed ? "true" : "false") + "\nlisten = \"127.0.0.100:0\"\nannounce_key = \"" + kOriginKey +
                      "\"\nupload_limit_bytes_per_s = " + std::to_string(options_.origin_upload_limit) +
                      "\n[announce]\nreflector_live_s = " + std::to_string(options_.reflector_live_s) + "\n";
  tracker_ = std::make_unique<TrackerProcess>(
      TrackerFiles{tmp_.path(), kAdmin, extra, port_, options_.probe ? free_udp_port() : uint16_t(0)});
  REQUIRE(tracker_->start() == port_);
  admin_ = std::make_unique<tracker::TrackerClient>(local_client(port_, tracker_->ca_file()), nullptr, kAdmin, clock_);
  auto info = admin_->admin_json("GET", "/api/v1/tracker");
  REQUIRE_MESSAGE(info.ok(), info.status().to_string());
  tracker_pk_ = (*info)["public_key"].get<std::string>();
  auto tok = admin_->admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "endpoint"}, {"reusable", true}});
  REQUIRE_MESSAGE(tok.ok(), tok.status().to_string());
  endpoint_token_ = (*tok)["token"].get<std::string>();
  int k = 0;
  for (const auto& b : options_.branches) {
    ++k;
    std::string prefix = "127." + std::to_string(k) + ".0.";
    nlohmann::json branch{{"subnets", {"127." + std::to_string(k) + ".0.0/16"}}};
    if (!b.parent.empty()) branch["parent"] = b.parent;
    auto put = admin_->admin_json("PUT", "/api/v1/branches/" + b.name, branch);
    REQUIRE_MESSAGE(put.ok(), put.status().to_string());
    for (int i = 1; i <= b.reflectors; ++i) {
      auto n = std::make_unique<Node>();
      n->name = b.name + "-r" + std::to_string(i);
      n->branch = b.name;
      n->ip = prefix + std::to_string(i);
      n->reflector = true;
      nodes_.push_back(std::move(n));
    }
    for (int i = 1; i <= b.endpoints; ++i) {
      auto n = std::make_unique<Node>();
      n->name = b.name + "-e" + std::to_string(i);
      n->branch = b.name;
      n->ip = prefix + std::to_string(10 + i);
      nodes_.push_back(std::move(n));
    }
  }
  for (auto& n : nodes_) {
    n->dir = tmp_.path() + "/" + n->name;
    n->root = tmp_.path() + "/" + n->name + "-root";
  }
}

RolloutWorld::~RolloutWorld() {
  for (auto& n : nodes_) n->proc.kill9();
}

std::string RolloutWorld::tracker_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
std::string RolloutWorld::layer_tool() const { return BC_LAYER_BIN; }

std::string RolloutWorld::publish(const std::string& tree, const std::string& name, int version,
                                  const std::string& kind, const std::map<std::string, std::string>& match) {
  std::string out = tmp_.path() + "/" + name + "@" + std::to_string(version) + ".layer";
  std::string log = out + ".log";
  int rc = sh(layer_tool() + " build '" + tree + "' --name " + name + " --version " + std::to_string(version) +
                  " --kind " + kind + " --out '" + out + "'" +
                  [&] { std::string m; for (const auto& [k, g] : match) m += " --match '" + k + "=" + g + "'"; return m; }(),
              log);
  REQUIRE_MESSAGE(rc == 0, read_file(log));
  auto r = admin_->admin_json("POST", "/api/v1/layers/import", {{"dir", out}});
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  return out;
}

void RolloutWorld::assign_branch(const std::string& branch, const std::vector<std::string>& stack) {
  auto r = admin_->admin_json("PUT", "/api/v1/assignments/branch/" + branch, {{"stack", stack}});
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
}

void RolloutWorld::enroll(Node& n) {
  if (n.reflector) {
    auto tok = admin_->admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "reflector"}, {"branch", n.branch}});
    REQUIRE_MESSAGE(tok.ok(), tok.status().to_string());
    reflector::ReflectorConfig c;
    c.tracker_url = tracker_url();
    c.tracker_ca_file = tracker_->ca_file();  // pinned out of band, as `init --tracker-ca` does
    c.identity_key_file = n.dir + ".key";
    SecretKey key = SecretKey::generate();
    write_file(c.identity_key_file, key.to_hex() + "\n", 0600);
    n.id = public_key_hex(key.public_key());
    c.tracker_public_key = tracker_pk_;
    c.registration_token = (*tok)["token"].get<std::string>();
    c.branch = n.branch;
    c.address = n.ip;
    c.cache_dir = n.dir;
    c.quota_bytes = uint64_t(1) << 30;
    c.listen = n.ip + ":0";
    c.download_limit_bytes_per_s = options_.reflector_download_limit;
    c.upload_limit_bytes_per_s = options_.reflector_upload_limit;
    c.poll_interval_ms = 300;
    c.heartbeat_interval_ms = 500;
    n.config = n.dir + ".toml";
    write_file(n.config, reflector::render_reflector_config(c));
    return;
  }
  auto it = options_.endpoint_lan_limit.find(n.name);
  std::string limit = it == options_.endpoint_lan_limit.end() ? "" : " --lan-download-limit " + std::to_string(it->second);
  auto hw = options_.endpoint_hardware_root.find(n.name);
  // Without a fake tree an endpoint reads an empty one, not this machine's.
  std::string hardware = hw == options_.endpoint_hardware_root.end() ? n.dir + "-no-hardware" : hw->second;
  limit += " --hardware-root '" + hardware + "'";
  std::string log = n.dir + "-enroll.log";
  int rc = sh(std::string(BC_ENDPOINT_BIN) + " enroll --tracker " + tracker_url() + " --tracker-ca '" +
                  tracker_->ca_file() + "' --token " + endpoint_token_ +
                  " --dir '" + n.dir + "' --root '" + n.root + "' --branch " + n.branch + " --listen " + n.ip +
                  ":0 --poll-interval-ms 300" + limit,
              log);
  REQUIRE_MESSAGE(rc == 0, read_file(log));
  auto cfg = endpoint::load_config(n.dir);
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().to_string());
  n.id = cfg->node_id;
}

void RolloutWorld::start(Node& n) {
  if (n.id.empty()) enroll(n);
  ++n.starts;
  if (n.reflector)
    n.proc.start({BC_REFLECTOR_BIN, "run", "--config", n.config}, n.log());
  else
    n.proc.start({BC_ENDPOINT_BIN, "run", "--dir", n.dir, "--retry-after-ms", "1000"}, n.log());
}

void RolloutWorld::start_all() {
  for (auto& n : nodes_)
    if (n->reflector && !n->proc.running()) start(*n);
  for (auto& n : nodes_)
    if (!n->reflector && !n->proc.running()) start(*n);
}

Node& RolloutWorld::node(const std::string& name) {
  for (auto& n : nodes_)
    if (n->name == name) return *n;
  FAIL("no node " << name);
  throw std::logic_error("unreachable");
}

std::vector<Node*> RolloutWorld::endpoints(const std::string& branch) {
  std::vector<Node*> out;
  for (auto& n : nodes_)
    if (!n->reflector && (branch.empty() || n->branch == branch)) out.push_back(n.get());
  return out;
}

std::vector<Node*> RolloutWorld::reflectors(const std::string& branch) {
  std::vector<Node*> out;
  for (auto& n : nodes_)
    if (n->reflector && (branch.empty() || n->branch == branch)) out.push_back(n.get());
  return out;
}

json RolloutWorld::reported(const Node& n) {
  auto r = admin_->admin_call("GET", "/api/v1/status/nodes/" + n.id);
  if (!r.ok() || r->status != 200) return json();
  return json::parse(r->body, nullptr, false);
}

json RolloutWorld::local_status(const Node& n) {
  // stdout carries the JSON document alone; anything logged goes to stderr.
  const std::string out = n.dir + "-status.json", err = n.dir + "-status.log";
  const std::string cmd = std::string(BC_ENDPOINT_BIN) + " status --json --dir '" + n.dir + "'";
  int rc = std::system((cmd + " > '" + out + "' 2> '" + err + "'").c_str());
  if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) return json();
  return json::parse(read_file(out), nullptr, false);
}

uint64_t RolloutWorld::origin_upload_bytes() {
  auto r = admin_->admin_call("GET", "/metrics");
  REQUIRE(r.ok());
  auto bytes = metric_value(r->body, "bc_tracker_origin_upload_bytes_total");
  REQUIRE_MESSAGE(bytes.has_value(), "no origin byte counter in /metrics");
  return uint64_t(*bytes);
}

bool RolloutWorld::all_applied(const std::vector<std::string>& stack, const std::string& branch) {
  for (Node* n : endpoints(branch)) {
    json s = local_status(*n);
    if (!s.is_object() || s.value("applied", json::array()) != json(stack)) return false;
  }
  return true;
}

namespace {

// The lines of `text` that hold any of `marks`, each cut to `width`, at most
// `max_lines` of them.
std::string lines_with(const std::string& text, std::initializer_list<const char*> marks, size_t max_lines,
                       size_t width) {
  std::string picked;
  size_t pos = 0, lines = 0;
  while (pos < text.size() && lines < max_lines) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    for (const char* m : marks)
      if (line.find(m) != std::string::npos) {
        picked += line.substr(0, width) + "\n";
        ++lines;
        break;
      }
    pos = end + 1;
  }
  return picked;
}

}  // namespace

std::string RolloutWorld::logs_tail() {
  std::string out = "== tracker (announces, warnings)\n";
  const std::string picked = lines_with(read_file(tracker_->log_path()), {"/announce", "[warn", "[error"},
                                        SIZE_MAX, 200);
  out += picked.size() > 12000 ? picked.substr(0, 12000) + "...\n" : picked;
  for (auto& n : nodes_) {
    if (n->starts == 0) continue;
    // What explains a stuck node is usually early (a ban, a crash, a refusal):
    // its warnings and errors first, then the end of its log.
    out += "\n== " + n->name + " (" + std::to_string(n->starts) + " starts; warnings and errors)\n" +
           lines_with(read_file(n->log()), {"[warn", "[error", "[critical"}, 40, 300) + "-- last lines\n" +
           tail(n->log(), 1500);
  }
  return out;
}

std::map<std::string, std::string> describe_tree(const std::string& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string rel = fs::relative(it->path(), root).string();
    if (rel == ".branchcast" || rel.rfind(".branchcast/", 0) == 0) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    struct stat st{};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    std::string mode = std::to_string(st.st_mode & 07777);
    if (S_ISLNK(st.st_mode)) {
      out[rel] = "link " + fs::read_symlink(it->path()).string();
    } else if (S_ISDIR(st.st_mode)) {
      out[rel] = "dir " + mode;
    } else {
      std::string bytes = read_file(it->path().string());
      auto d = sha256({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
      out[rel] = "file " + mode + " " + to_hex(d).substr(0, 16);
    }
  }
  return out;
}

}  // namespace bc::test
