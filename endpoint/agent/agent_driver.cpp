#include "endpoint/agent/agent_driver.hpp"

#include <malloc.h>

#include <map>
#include <memory>
#include <optional>

#include <spdlog/logger.h>

#include "endpoint/agent/endpoint_swarm.hpp"
#include "endpoint/agent/facts_keeper.hpp"
#include "endpoint/agent/layer_progress_view.hpp"
#include "endpoint/agent/report_sender.hpp"
#include "endpoint/agent/status_report.hpp"
#include "layers/apply/applier.hpp"
#include "node/bytes_by_source.hpp"
#include "node/desired_feed.hpp"
#include "node/layer_fetch.hpp"
#include "node/layer_timeline.hpp"
#include "node/node_loop.hpp"
#include "node/node_swarm.hpp"
#include "node/tracker_pin.hpp"
#include "node/tracker_url.hpp"

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

class Agent {
 public:
  Agent(const AgentRunOptions& o, const Clock& clock, SecretKey key, PublicKey tracker_pk)
      : o_(o), clock_(clock), key_(std::move(key)),
        log_(node::make_node_logger("bc-endpoint", o.config.node_id)) {
    fetch_.tracker_key = tracker_pk;
  }
  Status open();
  Status run();

 private:
  int64_t now_ms() const { return clock_.now_ms(); }
  Result<node::Turn> turn();
  Status poll_desired();
  Status take_desired(const json& state);
  void resume_from_saved();
  Status start_layer(const std::string& ref);
  void on_progress(const LayerProgress& p);
  void mark_complete(const std::string& ref, const BytesBySource& downloaded);
  void fail_layer(const std::string& ref, const std::string& why);
  void apply();
  void queue_report(const std::string& coalesce_key);

  const AgentRunOptions& o_;
  const Clock& clock_;
  SecretKey key_;
  node::LayerFetchOptions fetch_;
  node::Logger log_;
  std::unique_ptr<tracker::TrackerClient> client_;
  std::unique_ptr<node::DesiredFeed> feed_;
  std::unique_ptr<ReportSender> reports_;
  std::unique_ptr<FactsKeeper> facts_;
  std::unique_ptr<ContentIndex> index_;
  std::unique_ptr<node::NodeSwarm> node_;
  std::map<std::string, node::HeldLayer> held_;
  std::map<std::string, LocalLayer> local_;
  std::map<std::string, BytesBySource> bytes_;  // per layer, cumulative since start
  std::map<std::string, LayerProgressView> views_;
  node::LayerTimeline timeline_;  // per-layer fixed costs, logged when applied
  std::vector<std::string> desired_, applied_;
  bool have_desired_ = false, saved_tried_ = false;
  std::string last_error_;
  int64_t apply_blocked_until_ms_ = 0;
};

Status Agent::open() {
  BC_ASSIGN_OR_RETURN(node::TrackerUrl url, node::parse_node_tracker_url(o_.config.tracker_url));
  tracker::HttpClientOptions http =
      node::tracker_http_options(url, o_.config.tracker_ca_file, static_cast<uint32_t>(o_.http_timeout_ms));
  client_ = std::make_unique<tracker::TrackerClient>(http, &key_, "", clock_);
  feed_ = std::make_unique<node::DesiredFeed>(*client_, o_.dir + "/desired.json", *log_,
                                              node::DesiredFeedOptions{o_.config.poll_interval_ms});
  // A change reaches the endpoint as the tracker stores it, not a poll later.
  feed_->start_long_poll(std::make_unique<tracker::TrackerClient>(http, &key_, "", clock_));
  BC_ASSIGN_OR_RETURN(ReportQueue q, ReportQueue::open(o_.dir + "/reports"));
  reports_ = std::make_unique<ReportSender>(std::move(q), *client_, *log_);
  FactsKeeperOptions fo;
  fo.collect.root = o_.config.hardware_root;
  facts_ = std::make_unique<FactsKeeper>(fo, o_.dir, *client_, *log_);
  ContentIndexOptions io;
  io.dir = o_.dir + "/index";
  BC_ASSIGN_OR_RETURN(index_, ContentIndex::open(io));
  BC_ASSIGN_OR_RETURN(node_, node::NodeSwarm::start(endpoint_swarm_options(o_.config, o_.dir), clock_, log_));
  BC_RETURN_IF_ERROR(node_->keep_certificates(*client_, o_.dir));
  ApplyOptions ao;
  ao.root = o_.config.root;
  BC_ASSIGN_OR_RETURN(TargetStatus ts, target_status(ao));
  applied_ = ts.state.stack;
  return Status();
}

Status Agent::poll_desired() {
  BC_ASSIGN_OR_RETURN(std::optional<node::DesiredUpdate> update, feed_->poll());
  if (!update) return Status();
  BC_RETURN_IF_ERROR(take_desired(update->state));
  feed_->accept(*update);
  return Status();
}

Status Agent::take_desired(const json& state) {
  BC_ASSIGN_OR_RETURN(std::vector<std::string> stack, desired_stack(state));
  (void)node_->apply_desired(state);  // problems are logged; the node keeps what it had
  if (stack != desired_ || !have_desired_) {
    std::string list;
    for (const auto& x : stack) list += (list.empty() ? "" : " ") + x;
    log_->info("desired stack [{}]", list);
  }
  for (const auto& ref : stack)
    if (!local_.count(ref)) timeline_.mark(ref, node::LayerStep::seen, now_ms());
  desired_ = std::move(stack);
  have_desired_ = true;
  return Status();
}

// The tracker cannot be reached and nothing newer is known: the last state
// it sent. Its layers are verified again as they are read (layer_fetch.hpp).
void Agent::resume_from_saved() {
  saved_tried_ = true;
  auto state = feed_->load_saved();
  Status s = state.ok() ? take_desired(*state) : state.status();
  if (!s.ok() && s.code() != Status::Code::not_found) log_->error("saved desired state refused: {}", s.to_string());
}

Status Agent::start_layer(const std::string& ref) {
  BC_ASSIGN_OR_RETURN(LayerRef lr, LayerRef::parse(ref));
  BC_ASSIGN_OR_RETURN(node::HeldLayer h, node::obtain_layer(*client_, lr, o_.dir + "/layers/" + ref, fetch_));
  timeline_.mark(ref, node::LayerStep::metadata, now_ms());
  BC_ASSIGN_OR_RETURN(uint64_t seeded, node::stage_payload(h, *index_, o_.dir));
  timeline_.mark(ref, node::LayerStep::staged, now_ms());
  if (seeded > 0) log_->info("{}: {} bytes seeded from held content", ref, seeded);
  (void)node_->swarm().remove_layer(lr);  // a retry: the old torrent may still be in the session
  (void)node_->cover(lr);                  // a certificate naming it first (logged when refused)
  BC_RETURN_IF_ERROR(node_->swarm().add_layer(h.manifest, h.torrent, h.payload_dir(), LayerMode::download));
  timeline_.mark(ref, node::LayerStep::added, now_ms());
  LocalLayer l;
  l.total_bytes = h.payload_bytes();
  local_[ref] = l;
  views_.try_emplace(ref, ref, *log_);
  held_.insert_or_assign(ref, std::move(h));
  return Status();
}

void Agent::fail_layer(const std::string& ref, const std::string& why) {
  LocalLayer& l = local_[ref];
  l.phase = LayerPhase::failed;
  l.error = why;
  l.failed_at_ms = now_ms();
  last_error_ = why;
  log_->error("{}", why);
  queue_report("");
}

void Agent::on_progress(const LayerProgress& p) {
  std::string ref = p.layer.to_string();
  auto it = local_.find(ref);
  if (it == local_.end() || it->second.phase != LayerPhase::downloading) return;
  if (p.downloaded.total() > 0) timeline_.mark(ref, node::LayerStep::first_byte, now_ms());
  it->second.done_bytes = p.done_bytes;
  it->second.total_bytes = p.total_bytes;
  bytes_[ref] = p.downloaded;
  views_.try_emplace(ref, ref, *log_).first->second.update(p, now_ms());
  queue_report("progress:" + ref);
}

void Agent::mark_complete(const std::string& ref, const BytesBySource& downloaded) {
  auto it = local_.find(ref);
  if (it == local_.end() || it->second.phase == LayerPhase::complete) return;
  it->second.phase = LayerPhase::complete;
  timeline_.mark(ref, node::LayerStep::complete, now_ms());
  it->second.done_bytes = it->second.total_bytes;
  if (downloaded.total() > 0) bytes_[ref] = downloaded;
  views_.try_emplace(ref, ref, *log_).first->second.finish(it->second.total_bytes, bytes_[ref]);
  const node::HeldLayer& h = held_.at(ref);
  Status s = index_->record_layer(h.manifest, h.payload_dir(), h.facts);
  if (!s.ok()) log_->warn("{}: content index: {}", ref, s.to_string());
  queue_report("");
}

void Agent::apply() {
  // The download's heap (libtorrent's piece and peer state, the torrent parse
  // and the content index transaction of mark_complete) is free by now, but
  // glibc keeps freed pages; hand them back before the apply allocates its
  // own, so the two peaks do not add up (docs/benchmarks.md, memory).
  ::malloc_trim(0);
  std::vector<StackLayer> stack;
  for (const auto& ref : desired_) stack.push_back({&held_.at(ref).manifest, held_.at(ref).payload_dir()});
  ApplyOptions ao;
  ao.root = o_.config.root;
  ao.keep_generations = o_.config.keep_generations;
  auto r = apply_stack(ao, stack);
  if (!r.ok()) {
    last_error_ = "apply: " + r.status().to_string();
    log_->error("{} (previous stack kept)", last_error_);
    apply_blocked_until_ms_ = now_ms() + o_.core.retry_after_ms;
  } else {
    applied_ = desired_;
    last_error_.clear();
    log_->info("applied generation {}", r->generation);
    for (const auto& ref : desired_) {
      if (timeline_.mark(ref, node::LayerStep::applied, now_ms()) < 0) continue;
      log_->info("{}: timeline: {}", ref, timeline_.summary(ref));
      timeline_.forget(ref);
    }
  }
  queue_report("");
}

void Agent::queue_report(const std::string& coalesce_key) {
  reports_->push(build_status_report(desired_, local_, applied_, node::sum_by_source(bytes_), last_error_),
                 coalesce_key);
}

Result<node::Turn> Agent::turn() {
  if (feed_->due(now_ms())) {
    Status s = poll_desired();
    if (!s.ok() && !reports_->tracker_down()) log_->warn("desired state: {}", s.to_string());
    if (!s.ok() && !have_desired_ && !saved_tried_) resume_from_saved();
  }
  if (have_desired_) {
    CoreActions a = decide(o_.core, {desired_, local_, applied_, now_ms()});
    if (!a.error.empty() && last_error_ != a.error) {
      last_error_ = a.error;
      log_->error("{}", a.error);
      queue_report("");
    }
    for (const auto& ref : a.fetch) {
      Status s = start_layer(ref);
      if (!s.ok()) fail_layer(ref, s.to_string());
    }
    if (a.apply && now_ms() >= apply_blocked_until_ms_) apply();
    if (o_.exit_when_converged && decide(o_.core, {desired_, local_, applied_, now_ms()}).converged &&
        reports_->flush() == 0)
      return node::Turn::done;
  }
  reports_->flush();
  if (!reports_->tracker_down()) facts_->tick(now_ms());
  node::SwarmHandlers h;
  h.on_progress = [this](const LayerProgress& p) { on_progress(p); };
  h.on_complete = [this](const LayerRef& l, const BytesBySource& b) { mark_complete(l.to_string(), b); };
  h.on_checked = [this](const LayerChecked& k) {
    timeline_.mark(k.layer.to_string(), node::LayerStep::checked, now_ms());
  };
  h.on_error = [this](const LayerError& e) {
    fail_layer(e.layer.to_string(), "layer " + e.layer.to_string() + ": download: " + e.reason);
  };
  node_->pump(200, h);
  return node::Turn::again;
}

Status Agent::run() {
  node::NodeLoopOptions lo;
  lo.name = "agent";
  lo.clock = &clock_;
  lo.stop = o_.stop;
  lo.max_run_ms = o_.max_run_ms;
  return node::run_node_loop(lo, [this] { return turn(); });
}

}  // namespace

Status run_agent(const AgentRunOptions& options) {
  BC_RETURN_IF_ERROR(options.validate());
  BC_ASSIGN_OR_RETURN(SecretKey key, SecretKey::load(key_path(options.dir)));
  BC_ASSIGN_OR_RETURN(PublicKey pk, public_key_from_hex(options.config.tracker_public_key));
  SystemClock system_clock;
  Agent agent(options, options.clock ? *options.clock : system_clock, std::move(key), pk);
  BC_RETURN_IF_ERROR(agent.open());
  return agent.run();
}

}  // namespace bc::endpoint
