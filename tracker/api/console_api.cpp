// API routes the web console needs and no other route gives (docs/console.md):
// GET /api/v1/layers/{a}/diff/{b}, what changes between two published layers
// and what a node holding A fetches to hold B (layers/diff/layer_diff.hpp, the
// rule `bc-layer diff` uses). Here rather than in layer_api.cpp because the
// diff reads torrents, and bc_tracker_core stays free of libtorrent.
#include "layers/diff/layer_diff.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/console/console_server.hpp"
#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

// The console lists the costliest files; a layer of a million files must not
// make a response of a million rows.
constexpr size_t kMaxCostRows = 200;

struct StoredLayer {
  Manifest manifest;
  std::optional<TorrentFacts> torrent;
};

Result<StoredLayer> load(ApiContext& ctx, const std::string& param) {
  auto ref = LayerRef::parse(param);
  if (!ref.ok()) return Status::invalid_argument("layer ref '" + param + "': " + ref.status().message());
  std::optional<std::string> manifest, torrent;
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(manifest, t.get(Table::layer_blobs, layer_key(*ref) + "/manifest"));
    BC_ASSIGN_OR_RETURN(torrent, t.get(Table::layer_blobs, layer_key(*ref) + "/torrent"));
    return Status();
  }));
  if (!manifest) return Status::not_found("layer " + ref->to_string() + " is not published");
  StoredLayer l;
  BC_ASSIGN_OR_RETURN(l.manifest, Manifest::decode(*manifest));
  if (torrent && !torrent->empty()) {
    BC_ASSIGN_OR_RETURN(TorrentFacts facts, read_layer_torrent(*torrent));
    l.torrent = std::move(facts);
  }
  return l;
}

Result<json> diff(ApiContext& ctx, const Principal&, HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(StoredLayer a, load(ctx, req.params.at("a")));
  BC_ASSIGN_OR_RETURN(StoredLayer b, load(ctx, req.params.at("b")));
  LayerDiff d = diff_layers(a.manifest, a.torrent ? &*a.torrent : nullptr, b.manifest,
                            b.torrent ? &*b.torrent : nullptr);
  json j = {{"a", a.manifest.ref().to_string()}, {"b", b.manifest.ref().to_string()},
            {"added", json::array()}, {"removed", json::array()}, {"changed", json::array()},
            {"added_count", d.added.size()}, {"removed_count", d.removed.size()},
            {"changed_count", d.changed.size()}, {"b_file_bytes", d.b_file_bytes},
            {"bytes_to_move", d.bytes_to_move}, {"costs", json::array()}};
  for (size_t i = 0; i < d.added.size() && i < kMaxCostRows; ++i) j["added"].push_back(d.added[i]);
  for (size_t i = 0; i < d.removed.size() && i < kMaxCostRows; ++i) j["removed"].push_back(d.removed[i]);
  for (size_t i = 0; i < d.changed.size() && i < kMaxCostRows; ++i)
    j["changed"].push_back({{"path", d.changed[i].path}, {"what", d.changed[i].what}});
  std::sort(d.costs.begin(), d.costs.end(),
            [](const DiffCost& x, const DiffCost& y) { return x.bytes_to_move > y.bytes_to_move; });
  for (size_t i = 0; i < d.costs.size() && i < kMaxCostRows; ++i) {
    const DiffCost& c = d.costs[i];
    j["costs"].push_back({{"path", c.path}, {"size", c.size}, {"bytes_to_move", c.bytes_to_move},
                          {"pieces_total", c.pieces_total}, {"pieces_new", c.pieces_new}, {"reason", c.reason}});
  }
  return j;
}

}  // namespace

void add_console_api_routes(Router& router, ApiContext& ctx) {
  add_routes(router, ctx, {{"GET", "/api/v1/layers/{a}/diff/{b}", Access::admin(Role::viewer), diff}});
}

}  // namespace bc::tracker
