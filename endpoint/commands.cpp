#include "endpoint/commands.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "endpoint/agent/agent_driver.hpp"
#include "endpoint/agent/facts_keeper.hpp"
#include "endpoint/agent/hardware_facts.hpp"
#include "endpoint/agent/report_queue.hpp"
#include "endpoint/agent/status_report.hpp"
#include "layers/apply/applier.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/private_dir.hpp"
#include "node/node_log.hpp"
#include "node/tracker_pin.hpp"
#include "node/tracker_url.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::endpoint {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The node key: kept if present (re-enrollment keeps the identity), else created (0600).
Result<SecretKey> node_key(const std::string& dir) {
  std::string path = key_path(dir);
  if (fs::exists(path)) return SecretKey::load(path);
  SecretKey k = SecretKey::generate();
  BC_RETURN_IF_ERROR(k.save(path));
  return k;
}
}  // namespace

Status enroll_command(const EnrollArgs& a) {
  BC_ASSIGN_OR_RETURN(node::TrackerUrl addr, node::parse_node_tracker_url(a.tracker_url));
  if (a.token.empty()) return Status::invalid_argument("--token is required");
  BC_RETURN_IF_ERROR(ensure_private_dir(a.dir));  // the node key and state: 0700
  BC_ASSIGN_OR_RETURN(SecretKey key, node_key(a.dir));
  const node::Logger log = node::make_node_logger("bc-endpoint", "");

  // The tracker's CA (node/tracker_pin.hpp): settled before the token goes out.
  node::TrackerPinOptions pin;
  pin.url = addr;
  pin.ca_file = a.tracker_ca_file;
  pin.ca_fingerprint = a.tracker_ca_fingerprint;
  pin.insecure_plain_http = a.insecure_plain_http;
  pin.save_path = a.dir + "/" + node::kTrackerCaFileName;
  if (addr.tls() && pin.ca_file.empty() && pin.ca_fingerprint.empty() && fs::exists(pin.save_path)) {
    pin.ca_file = pin.save_path;  // re-enrollment keeps the CA pinned the first time, as it keeps the key
    log->info("using the tracker CA pinned at the previous enrollment ({})", pin.save_path);
  }
  BC_ASSIGN_OR_RETURN(node::PinnedTracker pinned_ca, node::pin_tracker(pin, log));
  SystemClock clock;
  tracker::TrackerClient client(node::tracker_http_options(addr, pinned_ca.ca_file, 10'000), &key, "", clock);

  // The tracker's signing key: pinned from a file, or trusted on first use.
  std::string served = pinned_ca.info.value("public_key", "");
  BC_ASSIGN_OR_RETURN(PublicKey served_pk, public_key_from_hex(served));
  std::string pinned = served;
  if (!a.tracker_pubkey_file.empty()) {
    BC_ASSIGN_OR_RETURN(PublicKey pk, load_public_key(a.tracker_pubkey_file));
    if (pk != served_pk)
      return Status::permission_denied("tracker at " + a.tracker_url + " serves public key " + served +
                                       ", not the pinned key in " + a.tracker_pubkey_file);
    pinned = public_key_hex(pk);
  } else if (pinned_ca.ca_file.empty() || pinned_ca.trusted_on_first_use) {
    log->warn("pinning the tracker key {} (trust on first use; pass --tracker-pubkey to pin out of band)", served);
  } else {  // read over a connection checked against the CA the admin gave
    log->info("pinning the tracker key {} served by the tracker of the pinned CA", served);
  }
  std::optional<std::string> branch;
  if (!a.branch.empty()) branch = a.branch;
  HardwareFactsOptions fo;
  fo.root = a.hardware_root;
  const HardwareFacts facts = collect_hardware_facts(fo);
  BC_ASSIGN_OR_RETURN(json rec, client.enroll(a.token, facts, branch));

  EndpointConfig c;
  c.tracker_url = addr.base();
  c.tracker_ca_file = pinned_ca.ca_file;
  c.insecure_plain_http = a.insecure_plain_http;
  c.insecure_plain_peers = a.insecure_plain_peers;
  c.node_id = rec.value("id", public_key_hex(key.public_key()));
  c.branch = rec.value("branch", "");
  c.announce_key = rec.value("announce_key", "");
  c.tracker_public_key = pinned;
  c.root = a.root;
  c.listen_interfaces = a.listen;
  c.poll_interval_ms = a.poll_interval_ms;
  c.lan_download_limit_bytes_per_s = a.lan_download_limit_bytes_per_s;
  c.hardware_root = a.hardware_root;
  BC_RETURN_IF_ERROR(save_config(a.dir, c));
  BC_RETURN_IF_ERROR(save_sent_facts(a.dir, facts));
  std::printf("enrolled: node %s, branch %s, %zu hardware facts\n", c.node_id.c_str(), c.branch.c_str(),
              facts.size());
  return Status();
}

Status run_command(const RunArgs& a) {
  AgentRunOptions o;
  o.dir = a.dir;
  BC_RETURN_IF_ERROR(check_private_dir(a.dir));
  BC_ASSIGN_OR_RETURN(o.config, load_config(a.dir));
  o.exit_when_converged = a.exit_when_converged;
  o.max_run_ms = a.max_run_ms;
  o.core.retry_after_ms = a.retry_after_ms;
  return run_agent(o);
}

Status status_command(const std::string& dir, bool as_json) {
  BC_ASSIGN_OR_RETURN(EndpointConfig c, load_config(dir));
  ApplyOptions ao;
  ao.root = c.root;
  BC_ASSIGN_OR_RETURN(TargetStatus ts, target_status(ao));
  json held = json::array();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/layers", ec)) held.push_back(e.path().filename().string());
  std::sort(held.begin(), held.end());
  BC_ASSIGN_OR_RETURN(size_t queued, ReportQueue::count_pending(dir + "/reports"));
  BC_ASSIGN_OR_RETURN(HardwareFacts sent, load_sent_facts(dir));
  HardwareFactsOptions fo;
  fo.root = c.hardware_root;
  const HardwareFacts now = collect_hardware_facts(fo);
  json gens = json::array();
  for (const auto& g : ts.rollback_to) gens.push_back({{"generation", g.generation}, {"stack", g.stack}});
  json out{{"node", c.node_id},       {"branch", c.branch},           {"tracker", c.tracker_url},
           {"root", c.root},          {"generation", ts.state.generation}, {"applied", ts.state.stack},
           {"rollback_to", gens},     {"layers_held", held},          {"queued_reports", queued},
           {"applying_now", ts.busy}, {"hardware_facts", now},
           {"hardware_facts_sent", sent == now}};
  if (as_json) {
    std::printf("%s\n", out.dump(2).c_str());
    return Status();
  }
  std::printf("node %s (branch %s), tracker %s\n", c.node_id.c_str(), c.branch.c_str(), c.tracker_url.c_str());
  std::printf("root %s: generation %lld, applied [%s]%s\n", c.root.c_str(), (long long)ts.state.generation,
              [&] { std::string s; for (const auto& x : ts.state.stack) s += (s.empty() ? "" : " ") + x; return s; }().c_str(),
              ts.busy ? " (an apply or rollback is running now)" : "");
  for (const auto& g : ts.rollback_to)
    std::printf("  rollback -> generation %lld (%zu layers)\n", (long long)g.generation, g.stack.size());
  std::printf("layers held: %zu, queued reports: %zu\n", held.size(), queued);
  std::printf("hardware facts%s:\n", sent == now ? "" : " (changed since the tracker last heard; the agent sends them)");
  for (const auto& [k, v] : now) std::printf("  %-13s %s\n", k.c_str(), v.c_str());
  return Status();
}

Status rollback_command(const std::string& dir) {
  BC_ASSIGN_OR_RETURN(EndpointConfig c, load_config(dir));
  ApplyOptions ao;
  ao.root = c.root;
  ao.keep_generations = c.keep_generations;
  BC_ASSIGN_OR_RETURN(RollbackReport r, rollback_target(ao));
  std::printf("rolled back generation %lld -> %lld\n", (long long)r.from_generation, (long long)r.to_generation);
  for (const auto& [path, where] : r.rescued) std::printf("  rescued %s -> %s\n", path.c_str(), where.c_str());
  // Queue the new applied stack for the tracker (the agent delivers it if
  // the tracker does not answer now).
  BC_ASSIGN_OR_RETURN(ReportQueue q, ReportQueue::open(dir + "/reports"));
  json body = build_status_report({}, {}, r.stack, BytesBySource{}, "");
  BC_RETURN_IF_ERROR(q.push(body.dump()));
  return Status();
}

}  // namespace bc::endpoint
