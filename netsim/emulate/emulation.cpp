#include "netsim/emulate/emulation.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>

#include "layers/util/fs.hpp"
#include "netsim/emulate/content_survey.hpp"
#include "netsim/emulate/emulation_impl.hpp"
#include "netsim/scenario/to_topology.hpp"

namespace bc::netsim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A reflector with unlimited disk in the scenario still needs a quota.
constexpr std::uint64_t kUnlimitedQuotaBytes = 1ull << 40;
// Bound on waiting for every reflector's first status report.
constexpr int kReflectorReadyTimeoutMs = 60'000;
// Cross-traffic ports: kCrossPortBase + 16 x branch index + flow index.
constexpr int kCrossPortBase = 5300;

// bin_dir/name, else the build tree next to this executable, else PATH.
std::string locate(const std::string& bin_dir, const std::string& name, const std::string& role_dir) {
  if (!bin_dir.empty()) return bin_dir + "/" + name;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p : {self.parent_path() / name, self.parent_path().parent_path() / role_dir / name})
      if (fs::exists(p, ec)) return p.string();
  }
  return name;
}

// "10.k.0.11" -> "10.k.0.0/24": the branch LAN the topology built.
std::string lan_subnet_of(const std::string& address) {
  return address.substr(0, address.rfind('.')) + ".0/24";
}

}  // namespace

Status Emulation::build_network() {
  BC_ASSIGN_OR_RETURN(TopologySpec spec, scenario_to_topology(s_, o_.run_id));
  say("building the topology: " + std::to_string(s_.branches.size()) + " branches, namespaces bcns-" + o_.run_id + "-*");
  BC_ASSIGN_OR_RETURN(topo_, Topology::build(spec));
  // The cross-traffic node's packets are tallied apart at every link, so the
  // rest of a link's bytes are the rollout's (wan_link.hpp, marked_ipv4).
  std::uint32_t xt = 0;
  if (const NodeInfo* n = topo_->node(kCrossTrafficDcNode)) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (std::sscanf(n->address.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) == 4) xt = (a << 24) | (b << 16) | (c << 8) | d;
  }
  for (WanLinkPlan& p : topo_->take_wan_links()) {
    p.options.marked_ipv4 = xt;
    BC_RETURN_IF_ERROR(emu_.add_link(p.branch, std::move(p.branch_side), std::move(p.dc_side), p.options));
  }
  EmulatorThreadOptions eo;
  eo.realtime_priority = o_.rt_priority;
  BC_RETURN_IF_ERROR(emu_.start(eo));
  emu_started_ = std::chrono::steady_clock::now();
  return Status();
}

// Realistic layers come from the cached Debian roots; random ones from the
// plan. Each built layer is surveyed for the report (content.json): the raw
// and wire bytes a branch must fetch are counted from the layers themselves.
Status Emulation::build_layers() {
  const std::string dir = o_.run_dir + "/layers";
  std::optional<RealisticRoots> roots;
  ContentFacts facts;
  for (const LayerVersion& v : layer_versions(s_)) {
    const LayerDef& l = s_.layers[v.layer_index];
    BuiltLayer built;
    if (l.content == LayerContent::realistic) {
      if (!roots) {
        BC_ASSIGN_OR_RETURN(roots, find_realistic_roots(o_.roots_dir));
        if (roots->usr_fallback)
          say("WARNING: realistic content from this machine's /usr (the roots cache holds the fallback of "
              "scripts/realistic-roots.sh, not Debian roots): the v1 -> v2 change is synthetic");
      }
      SubsetStats st;
      BC_ASSIGN_OR_RETURN(built, write_realistic_layer(l, v.version, *roots, v.kind, dir, &st));
      say("realistic " + ref_of(s_, v) + " from " + (v.version == 1 ? roots->v1 : roots->v2) +
          (l.subtree.empty() ? "" : "/" + l.subtree) + " at fraction " + std::to_string(l.subset_fraction) + ": " +
          std::to_string(st.files) + " files, " + mib(st.bytes) + " MiB, " + std::to_string(st.symlinks) +
          " symlinks, " + std::to_string(st.skipped) + " entries skipped");
    } else {
      BC_ASSIGN_OR_RETURN(LayerPlan plan, plan_layer(l, s_.seed, v.version));
      say("generating " + ref_of(s_, v) + ": " + std::to_string(plan.files.size()) + " files, " +
          mib(plan.total_bytes) + " MiB" + (v.version > 1 ? ", " + mib(plan.changed_bytes) + " MiB changed" : ""));
      BC_ASSIGN_OR_RETURN(built, write_layer(plan, v.kind, dir));
    }
    BC_ASSIGN_OR_RETURN(VersionContent vc, survey_layer(built.dir, built.src));
    say("  " + built.ref + ": raw " + mib(vc.raw_bytes()) + " MiB, wire " + mib(vc.wire_bytes()) + " MiB in " +
        std::to_string(vc.wire.size()) + " torrent files");
    facts.versions.push_back(std::move(vc));
    layers_.push_back(std::move(built));
    if (stopping()) return Status::aborted("stopped by signal");
  }
  return write_file_atomic(o_.run_dir + "/" + kContentFactsFile, facts.to_json().dump() + "\n", 0644);
}

Status Emulation::configure_tracker(std::map<std::string, std::map<AgentRole, std::string>>& tokens) {
  AdminClient& admin = tracker_->admin();
  for (const BuiltLayer& l : layers_) {
    say("importing " + l.ref);
    BC_RETURN_IF_ERROR(admin.call("POST", "/api/v1/layers/import", {{"dir", l.dir}}).status().with_context(l.ref));
  }
  for (const BranchDef& b : s_.branches) {
    const std::string first = b.reflectors > 0 ? b.reflector_name(1) : b.endpoint_name(1);
    json body = {{"subnets", {lan_subnet_of(topo_->node(first)->address)}}};
    if (!b.wan_policy_json.empty()) body["wan_policy"] = json::parse(b.wan_policy_json, nullptr, false);
    BC_RETURN_IF_ERROR(admin.call("PUT", "/api/v1/branches/" + b.name, body).status().with_context(b.name));
    for (AgentRole role : {AgentRole::reflector, AgentRole::endpoint}) {
      json req = {{"role", role == AgentRole::reflector ? "reflector" : "endpoint"},
                  {"branch", b.name}, {"reusable", true}, {"max_uses", 1000}};
      BC_ASSIGN_OR_RETURN(json tok, admin.call("POST", "/api/v1/enrollment-tokens", req));
      tokens[b.name][role] = tok.value("token", "");
    }
  }
  return Status();
}

Status Emulation::setup_agents() {
  AgentNodesOptions ao;
  ao.run_dir = o_.run_dir;
  ao.reflector_binary = locate(o_.bin_dir, "bc-reflector", "reflector");
  ao.endpoint_binary = locate(o_.bin_dir, "bc-endpoint", "endpoint");
  ao.tracker_url = tracker_->url();
  ao.tracker_public_key = tracker_->public_key_hex();
  ao.tracker_ca_file = tracker_->ca_file();
  ao.insecure_plain_peers = o_.insecure_plain_peers;
  agents_ = std::make_unique<AgentNodes>(ao, *topo_);
  for (const BranchDef& b : s_.branches) {
    for (std::size_t i = 1; i <= b.reflectors; ++i) {
      AgentNode n{b.reflector_name(i), b.name, AgentRole::reflector};
      n.quota_bytes = b.reflector_disk_bytes > 0 ? b.reflector_disk_bytes : kUnlimitedQuotaBytes;
      n.governor = b.governor;
      agents_->add(std::move(n));
    }
    for (std::size_t i = 1; i <= b.endpoints; ++i) {
      AgentNode n{b.endpoint_name(i), b.name};
      n.governor = b.governor;
      agents_->add(std::move(n));
    }
  }
  for (AgentNode& n : agents_->nodes()) {
    n.dir = o_.run_dir + "/nodes/" + n.name;
    n.log = o_.run_dir + "/nodes/" + n.name + ".log";
    book_.add_node(n.name, n.branch, n.role == AgentRole::endpoint);
  }
  std::error_code ec;
  fs::create_directories(o_.run_dir + "/nodes", ec);
  std::map<std::string, std::map<AgentRole, std::string>> tokens;
  BC_RETURN_IF_ERROR(configure_tracker(tokens));
  say("enrolling " + std::to_string(agents_->nodes().size()) + " reflectors and endpoints");
  BC_RETURN_IF_ERROR(agents_->setup(tokens));
  BC_RETURN_IF_ERROR(agents_->start_role(AgentRole::reflector));
  BC_RETURN_IF_ERROR(wait_reflectors_reported());
  return agents_->start_role(AgentRole::endpoint);
}

// Endpoints start only once every reflector has registered and reported: an
// endpoint announcing while its branch has no live reflector is handed the
// origin across the WAN (the fallback for branches without one), which is
// not what a branch with a reflector does in steady state.
Status Emulation::wait_reflectors_reported() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReflectorReadyTimeoutMs);
  for (const AgentNode& n : agents_->nodes()) {
    if (n.role != AgentRole::reflector) continue;
    for (;;) {
      if (tracker_->admin().call("GET", "/api/v1/status/nodes/" + n.node_id).ok()) break;
      if (std::chrono::steady_clock::now() >= deadline)
        return Status::unavailable("reflector " + n.name + " sent no status report within " +
                                   std::to_string(kReflectorReadyTimeoutMs) + " ms; see " + n.log);
      if (stopping()) return Status::aborted("stopped by signal");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // bounded poll for the first report
    }
  }
  say("every reflector registered; starting the endpoints");
  return Status();
}

Status Emulation::act(const Action& a) {
  say("t=" + std::to_string(a.at_ms / 1000.0).substr(0, 6) + "s " + to_string(a.kind) +
      (a.branch.empty() ? "" : " " + a.branch) + (a.node.empty() ? "" : " " + a.node));
  switch (a.kind) {
    case ActionKind::assign:
      stacks_[a.branch] = stack_after(s_, stacks_[a.branch], s_.assignments[a.index]);
      stack_pending_[a.branch] = true;
      push_pending_assignments();
      return Status();
    case ActionKind::kill_reflector: return agents_->kill(a.node);
    case ActionKind::restart_reflector: return agents_->start(a.node);
    case ActionKind::stop_tracker: tracker_->stop(); return Status();
    case ActionKind::start_tracker:
      BC_RETURN_IF_ERROR(tracker_->start());
      push_pending_assignments();
      return Status();
    case ActionKind::cut_wan: return emu_.set_cut(a.branch, true);
    case ActionKind::restore_wan: return emu_.set_cut(a.branch, false);
    case ActionKind::start_cross: return start_cross(a.branch, a.index);
    case ActionKind::stop_cross:
      if (auto it = cross_.find({a.branch, a.index}); it != cross_.end()) it->second->stop();
      return Status();
  }
  return Status();
}

Status Emulation::start_cross(const std::string& branch, std::size_t index) {
  auto key = std::make_pair(branch, index);
  if (!cross_.count(key)) {
    std::size_t k = 0;
    while (s_.branches[k].name != branch) ++k;
    const BranchDef& b = s_.branches[k];
    const NodeInfo* near = topo_->node(cross_traffic_node(b));
    const NodeInfo* far = topo_->node(kCrossTrafficDcNode);
    if (near == nullptr || far == nullptr) return Status::not_found("no cross-traffic nodes for branch " + branch);
    // One port per flow: 5300 + 16 per branch + the flow's index (16 flows per branch at most).
    auto port = static_cast<std::uint16_t>(kCrossPortBase + 16 * k + index);
    cross_[key] = std::make_unique<CrossFlow>(b.cross_traffic[index], CrossEnd{near->netns, near->address},
                                              CrossEnd{far->netns, far->address}, port, t0_);
  }
  return cross_[key]->start().with_context("cross traffic " + branch + "[" + std::to_string(index) + "]");
}

// Branches with a cap_window get their policy with a window that starts at
// the first wall-clock minute boundary after_ms into the run (policy windows
// have minute granularity); nodes poll every second, so they hold it well
// before the boundary when after_ms is several seconds.
Status Emulation::start_cap_windows() {
  for (const BranchDef& b : s_.branches) {
    if (!b.cap_window) continue;
    const std::int64_t unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch()).count();
    BC_ASSIGN_OR_RETURN(CapWindowPlan plan, plan_cap_window(b, unix_ms, now_ms()));
    // The PUT replaces the branch record: the same subnets as configure_tracker.
    const std::string first = b.reflectors > 0 ? b.reflector_name(1) : b.endpoint_name(1);
    json body = {{"subnets", {lan_subnet_of(topo_->node(first)->address)}},
                 {"wan_policy", json::parse(plan.policy.encode())}};
    BC_RETURN_IF_ERROR(tracker_->admin().call("PUT", "/api/v1/branches/" + b.name, body).status().with_context(b.name));
    say("cap window for " + b.name + ": download cap " + std::to_string(plan.cap_before_bytes_per_s) + " -> " +
        std::to_string(plan.cap_after_bytes_per_s) + " B/s at t=" + std::to_string(plan.at_ms / 1000.0).substr(0, 6) +
        " s (unix " + std::to_string(plan.boundary_unix_s) + ") until t=" + std::to_string(plan.end_at_ms / 1000) + " s");
    cap_windows_[b.name] = plan;
  }
  return Status();
}

// An assignment made while the tracker is stopped is sent when it is back.
void Emulation::push_pending_assignments() {
  if (!tracker_->running()) return;
  for (auto& [branch, pending] : stack_pending_) {
    if (!pending) continue;
    auto r = tracker_->admin().call("PUT", "/api/v1/assignments/branch/" + branch, {{"stack", stacks_[branch]}});
    if (r.ok()) pending = false;
    else say("  assignment for " + branch + " not accepted yet: " + r.status().to_string());
  }
}

void Emulation::poll_status() {
  if (!tracker_->running()) return;
  const std::int64_t now = now_ms();
  for (const AgentNode& n : agents_->nodes()) {
    auto r = tracker_->admin().call("GET", "/api/v1/status/nodes/" + n.node_id);
    if (r.ok()) book_.observe(n.name, *r, now);
    else if (r.status().code() == Status::Code::unavailable) return;  // tracker unreachable: next round
  }
}

bool Emulation::all_done() const {
  for (const auto& [branch, stack] : stacks_)
    if (!book_.branch_done(branch, stack)) return false;
  return true;
}

namespace {
constexpr int kSettleMs = 5000;  // > the reflector heartbeat (agent_nodes.hpp) + one status poll
}  // namespace

Status Emulation::run_timeline() {
  const std::vector<Action> actions = scenario_timeline(s_);
  std::size_t next = 0;
  t0_ = std::chrono::steady_clock::now();
  BC_RETURN_IF_ERROR(start_cap_windows());
  std::int64_t next_poll = 0, next_progress = o_.progress_every_ms;
  say("run clock started; duration " + std::to_string(s_.duration_ms / 1000) + " s, " +
      std::to_string(actions.size()) + " timeline actions");
  for (;;) {
    if (stopping()) {
      say("stopped by signal at t=" + std::to_string(now_ms() / 1000) + " s; writing the report of the run so far");
      interrupted_ = true;
      return Status();
    }
    std::int64_t now = now_ms();
    while (next < actions.size() && actions[next].at_ms <= now) BC_RETURN_IF_ERROR(act(actions[next++]));
    if (now >= next_poll) {
      poll_status();
      push_pending_assignments();
      next_poll = now + o_.poll_ms;
    }
    if (now >= next_progress) {
      print_progress();
      next_progress = now + o_.progress_every_ms;
    }
    if (next == actions.size() && all_done()) {
      say("every endpoint holds its branch's stack at t=" + std::to_string(now / 1000.0).substr(0, 6) + " s");
      // Reflectors report every heartbeat (2 s) and count a layer's bytes
      // when their own fetch completes, which can be just after the last
      // endpoint finished: one more round of reports, bounded, before the
      // counters are read.
      const auto settle_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSettleMs);
      while (std::chrono::steady_clock::now() < settle_until && !stopping())
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      poll_status();
      return Status();
    }
    if (now >= s_.duration_ms) {
      say("scenario duration reached; not every endpoint completed");
      return Status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // loop tick; every wait above is bounded
  }
}

void Emulation::shutdown() {
  for (auto& [key, flow] : cross_) flow->stop();
  if (agents_) agents_->stop_all();
  if (tracker_) tracker_->stop();
  emu_.stop();
  if (topo_) (void)topo_->teardown();
}

Result<EmulateResult> Emulation::run() {
  std::error_code ec;
  fs::create_directories(o_.run_dir, ec);
  if (ec) return Status::io_error("creating " + o_.run_dir + ": " + ec.message());
  BC_RETURN_IF_ERROR(build_layers());
  BC_RETURN_IF_ERROR(build_network());
  if (stopping()) return Status::aborted("stopped by signal");
  TrackerNodeOptions to;
  to.dir = o_.run_dir + "/tracker";
  to.binary = locate(o_.bin_dir, "bc-tracker", "tracker");
  to.insecure_plain_peers = o_.insecure_plain_peers;
  BC_ASSIGN_OR_RETURN(tracker_, TrackerNode::create(to, *topo_));
  say("starting bc-tracker (origin seed on) at " + tracker_->url());
  BC_RETURN_IF_ERROR(tracker_->start());
  BC_RETURN_IF_ERROR(setup_agents());
  BC_RETURN_IF_ERROR(run_timeline());
  EmulateResult r;
  r.interrupted = interrupted_;
  BC_RETURN_IF_ERROR(write_outputs(r));
  shutdown();
  return r;
}

Result<EmulateResult> run_emulation(const Scenario& scenario, const EmulateOptions& options) {
  if (options.run_dir.empty()) return Status::invalid_argument("emulate: run directory required");
  Emulation e(scenario, options);
  return e.run();
}

}  // namespace bc::netsim
