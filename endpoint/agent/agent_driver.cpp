#include "endpoint/agent/agent_driver.hpp"

#include <malloc.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "endpoint/agent/layer_progress_view.hpp"
#include "endpoint/agent/report_queue.hpp"
#include "endpoint/agent/status_report.hpp"
#include "layers/apply/applier.hpp"
#include "layers/index/content_index.hpp"
#include "layers/index/prepare_payload.hpp"
#include "node/governor/node_governor.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/fs.hpp"
#include "tracker/client/branch_net.hpp"
#include "tracker/client/tracker_client.hpp"
#include "tracker/client/wan_settings.hpp"

namespace bc::endpoint {

Status AgentRunOptions::validate() const {
  if (dir.empty()) return Status::invalid_argument("agent: dir is empty");
  BC_RETURN_IF_ERROR(config.validate());
  BC_RETURN_IF_ERROR(core.validate());
  if (http_timeout_ms < 100) return Status::invalid_argument("agent: http_timeout_ms must be >= 100");
  if (max_run_ms < 0) return Status::invalid_argument("agent: max_run_ms must be >= 0");
  return Status();
}

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct HeldLayer {
  std::optional<TrustedManifest> manifest;
  std::string torrent;
  std::string payload_dir;
};

class Agent {
 public:
  Agent(const AgentRunOptions& o, SecretKey key, PublicKey tracker_pk)
      : o_(o), key_(std::move(key)), tracker_pk_(tracker_pk), start_(steady::now()) {}

  Status open();
  Status run();

 private:
  using steady = std::chrono::steady_clock;
  int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start_).count();
  }
  Status poll_desired();
  void apply_branch_net(const nlohmann::json& state);
  void apply_wan_settings(const nlohmann::json& state);
  void governor_tick();
  Status fetch_layer(const std::string& ref);
  Status start_layer(const std::string& ref);
  void handle_event(const SwarmEvent& ev);
  void mark_complete(const std::string& ref, const BytesBySource& downloaded);
  void apply();
  void queue_report(const std::string& coalesce_key);
  void flush_reports();
  void fail_layer(const std::string& ref, const std::string& why);

  const AgentRunOptions& o_;
  SecretKey key_;
  PublicKey tracker_pk_;
  SystemClock clock_;
  steady::time_point start_;
  std::unique_ptr<tracker::TrackerClient> client_;
  std::optional<ReportQueue> reports_;
  std::unique_ptr<ContentIndex> index_;
  std::unique_ptr<SwarmNode> swarm_;
  std::unique_ptr<NodeGovernor> governor_;  // after swarm_: destroyed first
  std::string wan_problem_;                 // last refused part of the WAN settings, logged once
  std::map<std::string, std::unique_ptr<HeldLayer>> held_;
  std::map<std::string, LocalLayer> local_;
  std::map<std::string, BytesBySource> bytes_;  // per layer, cumulative since start
  std::map<std::string, LayerProgressView> views_;
  std::vector<std::string> desired_, applied_;
  bool have_desired_ = false;
  tracker::BranchNet net_;
  std::string etag_, last_error_;
  int64_t next_poll_ms_ = 0;
  int64_t apply_blocked_until_ms_ = 0;
  bool tracker_down_logged_ = false;
};

Status Agent::open() {
  BC_ASSIGN_OR_RETURN(TrackerAddress addr, parse_tracker_url(o_.config.tracker_url));
  tracker::HttpClientOptions http;
  http.host = addr.host;
  http.port = addr.port;
  http.timeout_ms = static_cast<uint32_t>(o_.http_timeout_ms);
  client_ = std::make_unique<tracker::TrackerClient>(http, &key_, "", clock_);
  BC_ASSIGN_OR_RETURN(ReportQueue q, ReportQueue::open(o_.dir + "/reports"));
  reports_.emplace(std::move(q));
  ContentIndexOptions io;
  io.dir = o_.dir + "/index";
  BC_ASSIGN_OR_RETURN(index_, ContentIndex::open(io));
  SwarmNodeOptions so;
  so.data_dir = o_.dir + "/swarm";
  so.node_name = "endpoint";
  so.listen_interfaces = o_.config.listen_interfaces;
  so.tracker_url = o_.config.tracker_url + "/announce";
  so.tracker_key = o_.config.announce_key;
  so.tracker_key_param = "bckey";
  so.outgoing_utp = false;  // endpoints dial LAN peers: TCP first (swarm_options.hpp)
  so.lan_download_bytes_per_s = o_.config.lan_download_limit_bytes_per_s;
  BC_ASSIGN_OR_RETURN(swarm_, SwarmNode::start(so));
  NodeGovernorOptions go;
  go.enabled = o_.config.wan_governor;
  go.listen_interfaces = o_.config.listen_interfaces;  // probes leave from the payload's address
  governor_ = std::make_unique<NodeGovernor>(*swarm_, clock_, go);
  ApplyOptions ao;
  ao.root = o_.config.root;
  BC_ASSIGN_OR_RETURN(TargetStatus ts, target_status(ao));
  applied_ = ts.state.stack;
  return Status();
}

Status Agent::poll_desired() {
  auto r = client_->poll_desired(etag_, 0);
  if (!r.ok()) return r.status();
  if (r->status == 304) return Status();
  etag_ = r->etag;
  std::vector<std::string> stack;
  if (!r->state.contains("stack") || !r->state["stack"].is_array())
    return Status::corruption("desired state has no stack array");
  for (const auto& l : r->state["stack"]) {
    if (!l.is_object() || !l.contains("ref") || !l["ref"].is_string())
      return Status::corruption("desired state: a stack entry has no ref");
    stack.push_back(l["ref"].get<std::string>());
  }
  apply_branch_net(r->state);
  apply_wan_settings(r->state);
  if (stack != desired_ || !have_desired_)
    std::fprintf(stderr, "bc-endpoint: desired stack [%s]\n", [&] {
      std::string s;
      for (const auto& x : stack) s += (s.empty() ? "" : " ") + x;
      return s;
    }().c_str());
  desired_ = std::move(stack);
  have_desired_ = true;
  return Status();
}

// The branch's subnets and reflectors class peers as LAN/reflector; web seeds
// apply to layers added later. A bad answer keeps what the node had.
void Agent::apply_branch_net(const nlohmann::json& state) {
  auto net = tracker::branch_net_from_desired(state);
  Status s = net.ok() ? Status() : net.status();
  if (s.ok() && *net != net_) {
    s = swarm_->set_lan(net->subnets, net->reflector_ips);
    if (s.ok()) s = swarm_->set_web_seeds(net->web_seeds);
    if (s.ok()) net_ = *net;
  }
  if (!s.ok()) std::fprintf(stderr, "bc-endpoint: warning: branch network from the tracker: %s\n", s.to_string().c_str());
}

// Refuses to start a download the disk cannot hold: bytes still missing from
// payload_dir (files not yet there, or sparse) against the free space of the
// state directory's filesystem. Filling the disk is worse than failing early:
// libtorrent 2.0.8's memory-mapped storage can die of SIGBUS when a mapped
// page cannot be backed (seen on a full tmpfs; docs/architecture.md).
Status check_disk_space(const Manifest& m, const std::string& payload_dir, const std::string& state_dir) {
  uint64_t needed = 0;
  for (const PayloadFile& e : m.payload_files()) {
    struct stat st{};
    uint64_t have = ::stat((payload_dir + "/" + e.path).c_str(), &st) == 0 ? uint64_t(st.st_blocks) * 512 : 0;
    needed += e.size > have ? e.size - have : 0;
  }
  struct statvfs vfs{};
  if (::statvfs(state_dir.c_str(), &vfs) != 0) return Status::io_error(state_dir + ": statvfs: " + std::strerror(errno));
  const uint64_t free_bytes = uint64_t(vfs.f_bavail) * vfs.f_frsize;
  if (needed > free_bytes)
    return Status::no_space("not enough disk space for layer " + m.ref().to_string() + ": it needs " +
                            std::to_string(needed) + " more bytes, " + state_dir + " has " +
                            std::to_string(free_bytes) + " free");
  return Status();
}

// The endpoint's WAN traffic is its fallback to the origin: the branch policy
// governs it too; in a branch without a live reflector the tracker sends a
// wan_share (the caps split evenly over the branch's endpoints).
void Agent::apply_wan_settings(const nlohmann::json& state) {
  const tracker::WanSettings w = tracker::wan_settings_from_desired(state);
  if (w.problem != wan_problem_ && !w.problem.empty())
    std::fprintf(stderr, "bc-endpoint: warning: %s\n", w.problem.c_str());
  wan_problem_ = w.problem;
  auto addr = parse_tracker_url(o_.config.tracker_url);
  Status s = addr.ok() ? governor_->configure(addr->host, w.probe_port, w.policy, w.share) : addr.status();
  if (!s.ok()) std::fprintf(stderr, "bc-endpoint: warning: %s\n", s.to_string().c_str());
}

// Every loop turn; the governor ticks every 200 ms and says when a line is due.
void Agent::governor_tick() {
  if (auto r = governor_->poll()) std::fprintf(stderr, "bc-endpoint: %s\n", NodeGovernor::describe(*r).c_str());
}

// Fetches manifest, signature and torrent; nothing is kept unless all verify.
Status Agent::fetch_layer(const std::string& ref) {
  auto m = client_->node_call("GET", "/api/v1/layers/" + ref + "/manifest");
  if (!m.ok()) return m.status().with_context("layer " + ref + ": manifest");
  if (m->status != 200)
    return Status::unavailable("layer " + ref + ": manifest: tracker answered " + std::to_string(m->status));
  auto sig = signature_from_hex(m->header("x-bc-signature"));
  if (!sig.ok()) return Status::corruption("layer " + ref + ": manifest signature header: " + sig.status().message());
  auto trusted = TrustedManifest::verify(m->body, *sig, tracker_pk_);
  if (!trusted.ok())
    return Status::corruption("layer " + ref + ": manifest does not verify against the pinned tracker key: " +
                              trusted.status().message());
  if (trusted->manifest().ref().to_string() != ref)
    return Status::corruption("layer " + ref + ": tracker served the manifest of " +
                              trusted->manifest().ref().to_string());
  auto t = client_->node_call("GET", "/api/v1/layers/" + ref + "/torrent");
  if (!t.ok()) return t.status().with_context("layer " + ref + ": torrent");
  if (t->status != 200)
    return Status::unavailable("layer " + ref + ": torrent: tracker answered " + std::to_string(t->status));
  auto facts = read_layer_torrent(t->body);
  if (!facts.ok()) return Status::corruption("layer " + ref + ": torrent: " + facts.status().message());
  Status match = check_torrent_matches(trusted->manifest(), *facts);
  if (!match.ok()) return Status::corruption("layer " + ref + ": torrent does not match the signed manifest: " + match.message());

  std::string ldir = o_.dir + "/layers/" + ref;
  std::error_code ec;
  fs::create_directories(ldir, ec);
  if (ec) return Status::io_error(ldir + ": " + ec.message());
  BC_RETURN_IF_ERROR(write_file_atomic(ldir + "/manifest.json", m->body, 0644));
  BC_RETURN_IF_ERROR(write_file_atomic(ldir + "/manifest.sig", signature_hex(*sig) + "\n", 0644));
  BC_RETURN_IF_ERROR(write_file_atomic(ldir + "/layer.torrent", t->body, 0644));
  auto h = std::make_unique<HeldLayer>();
  h->payload_dir = ldir + "/payload";
  BC_RETURN_IF_ERROR(check_disk_space(trusted->manifest(), h->payload_dir, o_.dir));
  auto prep = prepare_payload(*trusted, *facts, h->payload_dir, *index_);
  if (!prep.ok()) return prep.status().with_context("layer " + ref + ": prepare payload");
  if (prep->bytes_seeded() > 0)
    std::fprintf(stderr, "bc-endpoint: %s: %llu bytes seeded from held content\n", ref.c_str(),
                 (unsigned long long)prep->bytes_seeded());
  h->manifest.emplace(std::move(*trusted));
  h->torrent = std::move(t->body);
  held_[ref] = std::move(h);
  return Status();
}

Status Agent::start_layer(const std::string& ref) {
  BC_RETURN_IF_ERROR(fetch_layer(ref));
  HeldLayer& h = *held_[ref];
  LayerRef lr = h.manifest->manifest().ref();
  (void)swarm_->remove_layer(lr);  // a retry: the old torrent may still be in the session
  BC_RETURN_IF_ERROR(swarm_->add_layer(*h.manifest, h.torrent, h.payload_dir, LayerMode::download));
  LocalLayer l;
  for (const auto& e : h.manifest->manifest().entries) l.total_bytes += e.size;
  local_[ref] = l;
  views_.try_emplace(ref, ref);
  return Status();
}

void Agent::fail_layer(const std::string& ref, const std::string& why) {
  LocalLayer& l = local_[ref];
  l.phase = LayerPhase::failed;
  l.error = why;
  l.failed_at_ms = now_ms();
  last_error_ = why;
  std::fprintf(stderr, "bc-endpoint: error: %s\n", why.c_str());
  queue_report("");
}

void Agent::handle_event(const SwarmEvent& ev) {
  if (auto* p = std::get_if<LayerProgress>(&ev)) {
    std::string ref = p->layer.to_string();
    auto it = local_.find(ref);
    if (it == local_.end() || it->second.phase != LayerPhase::downloading) return;
    it->second.done_bytes = p->done_bytes;
    it->second.total_bytes = p->total_bytes;
    bytes_[ref] = p->downloaded;
    views_.try_emplace(ref, ref).first->second.update(*p);
    queue_report("progress:" + ref);
  } else if (auto* c = std::get_if<LayerComplete>(&ev)) {
    mark_complete(c->layer.to_string(), c->downloaded);
  } else if (auto* k = std::get_if<LayerChecked>(&ev)) {
    // What is on disk was hashed: after a restart (or content seeded from
    // held layers) only the rest goes to the network.
    std::fprintf(stderr, "bc-endpoint: %s: checked: %llu of %llu bytes verified on disk\n",
                 k->layer.to_string().c_str(), (unsigned long long)k->done_bytes, (unsigned long long)k->total_bytes);
    // Everything was already on disk (a restart, or seeded from held content).
    if (k->total_bytes > 0 && k->done_bytes == k->total_bytes) mark_complete(k->layer.to_string(), k->downloaded);
  } else if (auto* e = std::get_if<LayerError>(&ev)) {
    fail_layer(e->layer.to_string(), "layer " + e->layer.to_string() + ": download: " + e->reason);
  } else if (auto* h = std::get_if<HashFailed>(&ev)) {
    std::string from;
    for (const auto& ip : h->peer_ips) from += (from.empty() ? "" : ", ") + ip;
    std::fprintf(stderr, "bc-endpoint: %s: piece %d failed its hash check (from %s); fetched again\n",
                 h->layer.to_string().c_str(), h->piece, from.empty() ? "unknown" : from.c_str());
  } else if (auto* b = std::get_if<PeerBanned>(&ev)) {
    std::fprintf(stderr, "bc-endpoint: %s: peer %s banned: %s\n", b->layer.to_string().c_str(), b->peer_ip.c_str(),
                 b->reason.c_str());
  } else if (auto* t = std::get_if<TrackerError>(&ev)) {
    if (t->times_in_row == 1)  // once per outage, not every retry
      std::fprintf(stderr, "bc-endpoint: %s: tracker announce failed: %s (continuing with known peers)\n",
                   t->layer.to_string().c_str(), t->reason.c_str());
  }
}

void Agent::mark_complete(const std::string& ref, const BytesBySource& downloaded) {
  auto it = local_.find(ref);
  if (it == local_.end() || it->second.phase == LayerPhase::complete) return;
  it->second.phase = LayerPhase::complete;
  it->second.done_bytes = it->second.total_bytes;
  if (downloaded.total() > 0) bytes_[ref] = downloaded;
  views_.try_emplace(ref, ref).first->second.finish(it->second.total_bytes, bytes_[ref]);
  HeldLayer& h = *held_.at(ref);
  auto facts = read_layer_torrent(h.torrent);
  Status s = facts.ok() ? index_->record_layer(*h.manifest, h.payload_dir, *facts) : facts.status();
  if (!s.ok()) std::fprintf(stderr, "bc-endpoint: warning: %s: content index: %s\n", ref.c_str(), s.to_string().c_str());
  queue_report("");
}

void Agent::apply() {
  // The download's heap (libtorrent's piece and peer state, the torrent parse
  // and the content index transaction of mark_complete) is free by now, but
  // glibc keeps freed pages; hand them back before the apply allocates its
  // own, so the two peaks do not add up (docs/benchmarks.md, memory).
  ::malloc_trim(0);
  std::vector<StackLayer> stack;
  for (const auto& ref : desired_) stack.push_back({&*held_.at(ref)->manifest, held_.at(ref)->payload_dir});
  ApplyOptions ao;
  ao.root = o_.config.root;
  ao.keep_generations = o_.config.keep_generations;
  auto r = apply_stack(ao, stack);
  if (!r.ok()) {
    last_error_ = "apply: " + r.status().to_string();
    std::fprintf(stderr, "bc-endpoint: error: %s (previous stack kept)\n", last_error_.c_str());
    apply_blocked_until_ms_ = now_ms() + o_.core.retry_after_ms;
  } else {
    applied_ = desired_;
    last_error_.clear();
    std::fprintf(stderr, "bc-endpoint: applied generation %lld\n", (long long)r->generation);
  }
  queue_report("");
}

void Agent::queue_report(const std::string& coalesce_key) {
  BytesBySource total;
  for (const auto& [ref, b] : bytes_) {
    total.origin_wan += b.origin_wan;
    total.reflector += b.reflector;
    total.branch_peer += b.branch_peer;
  }
  json body = build_status_report(desired_, local_, applied_, total, last_error_);
  Status s = reports_->push(body.dump(), coalesce_key);
  if (s.ok()) return;
  std::fprintf(stderr, "bc-endpoint: warning: report not queued: %s\n", s.to_string().c_str());
  // The disk is full (or failing): the report that says so cannot wait on
  // it. Send it now, best effort, once the queued (older) reports are out,
  // so the tracker never sees an older snapshot after this one.
  flush_reports();
  if (reports_->size() == 0 && !client_->report_status(body).ok())
    std::fprintf(stderr, "bc-endpoint: warning: unqueued report not delivered either\n");
}

void Agent::flush_reports() {
  for (size_t n = 0; n < 64; ++n) {  // bounded per loop turn
    auto front = reports_->front();
    if (!front.ok() || !*front) return;
    json body = json::parse((*front)->body, nullptr, false);
    if (body.is_discarded()) {
      (void)reports_->pop((*front)->seq);
      continue;
    }
    auto r = client_->report_status(body);
    if (!r.ok()) {
      if (!tracker_down_logged_)
        std::fprintf(stderr, "bc-endpoint: tracker unreachable, %zu report(s) queued: %s\n", reports_->size(),
                     r.status().to_string().c_str());
      tracker_down_logged_ = true;
      return;
    }
    tracker_down_logged_ = false;
    (void)reports_->pop((*front)->seq);
  }
}

Status Agent::run() {
  while (true) {
    if (o_.stop && o_.stop->load()) return Status();
    if (o_.max_run_ms > 0 && now_ms() > o_.max_run_ms)
      return Status::unavailable("agent: not converged within " + std::to_string(o_.max_run_ms) + " ms");
    if (now_ms() >= next_poll_ms_) {
      Status s = poll_desired();
      if (!s.ok() && !tracker_down_logged_)
        std::fprintf(stderr, "bc-endpoint: desired state: %s\n", s.to_string().c_str());
      next_poll_ms_ = now_ms() + o_.config.poll_interval_ms;
    }
    if (have_desired_) {
      CoreInput in{desired_, local_, applied_, now_ms()};
      CoreActions a = decide(o_.core, in);
      if (!a.error.empty() && last_error_ != a.error) {
        last_error_ = a.error;
        std::fprintf(stderr, "bc-endpoint: error: %s\n", a.error.c_str());
        queue_report("");
      }
      for (const auto& ref : a.fetch) {
        Status s = start_layer(ref);
        if (!s.ok()) fail_layer(ref, s.to_string());
      }
      if (a.apply && now_ms() >= apply_blocked_until_ms_) apply();
      if (o_.exit_when_converged && decide(o_.core, {desired_, local_, applied_, now_ms()}).converged &&
          (flush_reports(), reports_->size() == 0))
        return Status();
    }
    flush_reports();
    governor_tick();
    for (const auto& ev : swarm_->poll_events(200)) handle_event(ev);
    governor_tick();
  }
}

}  // namespace

Status run_agent(const AgentRunOptions& options) {
  BC_RETURN_IF_ERROR(options.validate());
  BC_ASSIGN_OR_RETURN(SecretKey key, SecretKey::load(key_path(options.dir)));
  BC_ASSIGN_OR_RETURN(PublicKey pk, public_key_from_hex(options.config.tracker_public_key));
  Agent agent(options, std::move(key), pk);
  BC_RETURN_IF_ERROR(agent.open());
  return agent.run();
}

}  // namespace bc::endpoint
