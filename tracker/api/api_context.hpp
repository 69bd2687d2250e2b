// What every API handler group shares. Owned by TrackerApp; handlers hold a
// reference. Thread-safe members only (handlers run on several workers).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "layers/crypto/ed25519.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "layers/util/clock.hpp"
#include "tracker/api/api_limits.hpp"
#include "tracker/auth/authenticator.hpp"
#include "tracker/config/pki_options.hpp"
#include "tracker/http/router.hpp"
#include "tracker/metrics/tracker_metrics.hpp"
#include "tracker/peers/peer_registry.hpp"
#include "tracker/pki/tracker_ca.hpp"
#include "tracker/service/layer_importer.hpp"
#include "tracker/store/store.hpp"

namespace bc::tracker {

struct ApiContext {
  Store& store;
  Authenticator& auth;
  const Clock& clock;
  const SecretKey& signing_key;
  TrackerMetrics& metrics;
  PeerRegistry& peers;
  ApiLimits limits;
  std::string data_dir;  // DATA; origin payloads in DATA/origin
  // Imports a built layer into the origin store (import_layer of
  // tracker/service/layer_importer.hpp, set by TrackerApp). Injected because
  // verifying a layer reads its torrent, which needs libtorrent, and this
  // library must not link it. Empty = imports answer 503.
  std::function<Result<ImportedLayer>(const std::string& layer_dir, const std::string& origin_root,
                                      const SecretKey& key)> import_layer;
  // Called after an import or retire committed (the origin seed's hooks, set
  // by TrackerApp when it runs). Must not block; empty = nobody listens.
  std::function<void(const TrustedManifest& layer, const std::string& torrent,
                     const std::string& payload_dir)> on_layer_published;
  std::function<void(const LayerRef& layer)> on_layer_retired;
  // Whether the enrolled node `who` may read layer `ref` ("name@version"):
  // the BitTorrent tracker's entitlement rule and cache
  // (StoreBtDirectory::node_entitled), set by TrackerApp. Empty = no node
  // reads any layer (fails closed). Thread-safe.
  std::function<Result<bool>(const Principal& who, const std::string& ref)> node_entitled;
  // The tokenized BEP 19 web seed URLs node `node_id` gets for the layer
  // with `info_hash` (WebSeedService::urls_for; `host` is the Host the node
  // dialled), for desired-state answers. Empty function = no web seeds.
  std::function<std::vector<std::string>(const std::string& node_id, const std::string& info_hash,
                                         const std::string& host)> web_seed_urls;
  // UDP port of the RTT echo responder ([server] probe_port) that nodes probe
  // on the tracker's host; 0 = none. Set before the server starts.
  uint16_t probe_port = 0;
  // The tracker's CA (DATA/pki), owned by TrackerApp: GET /api/v1/tracker
  // serves its certificate for nodes to pin; it issues node certificates
  // (POST /api/v1/cert answers 503 when null: tests without one).
  const TrackerCa* ca = nullptr;
  PkiOptions pki;  // [pki]
  // Called after a write that revoked certificates, with every live revoked
  // serial (the origin seed drops those peers at once). Must not block.
  std::function<void(const std::vector<std::string>& serials)> on_revoked_changed;
};

// Appends an audit entry for `who` doing `action` on `target` inside txn:
// {"seq","time","actor","role","action","target","remote","request_id","details"}.
Status audit(Txn& txn, const ApiContext& ctx, const Principal& who, const HttpRequest& req,
             const std::string& action, const std::string& target,
             const nlohmann::json& details = nlohmann::json::object());

// Records an imported layer in the catalog (one LMDB transaction with the
// audit entry `action`, details plus its info_hash) and tells the origin seed
// (on_layer_published); already_exists when the ref is taken. The layer
// record as the API shows it. (tracker/api/layer_api.cpp)
Result<nlohmann::json> publish_layer(ApiContext& ctx, const Principal& who, const HttpRequest& req,
                                     const ImportedLayer& layer, const std::string& action,
                                     nlohmann::json details);

// Common shapes: 200/201 with a JSON body; an error Status as its HTTP status.
HttpResponse json_or_error(const Result<nlohmann::json>& r, int ok_status = 200);

// Every record of `table`, in key order, as a JSON array (a record that is
// not JSON shows as a discarded value rather than failing the list).
Result<nlohmann::json> list_records(const ApiContext& ctx, Table table);
// The record of `table` at `key`; not_found "<what> '<key>' does not exist".
Result<nlohmann::json> get_record(const ApiContext& ctx, Table table, const std::string& key,
                                  const std::string& what);

// The route groups. Each adds its routes to the router.
void add_admin_routes(Router& router, ApiContext& ctx);      // tokens, enrollment tokens, audit
void add_branch_routes(Router& router, ApiContext& ctx);     // branches, groups
void add_layer_routes(Router& router, ApiContext& ctx);      // layers
void add_assignment_routes(Router& router, ApiContext& ctx); // assignments
void add_node_routes(Router& router, ApiContext& ctx);       // enroll, reflector register/heartbeat
void add_desired_routes(Router& router, ApiContext& ctx);    // desired state polls, status reports
void add_metrics_routes(Router& router, ApiContext& ctx);    // /metrics, /healthz, /api/v1/tracker
void add_pki_routes(Router& router, ApiContext& ctx);        // node certificates, revocation
void add_facts_routes(Router& router, ApiContext& ctx);      // an endpoint's hardware facts

}  // namespace bc::tracker
