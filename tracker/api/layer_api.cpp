// Layers: import into the origin store (signed by the tracker), list, get the
// manifest + signature + torrent, retire.
#include <optional>

#include "layers/util/hex.hpp"
#include "tracker/api/api_context.hpp"
#include "tracker/api/api_route.hpp"
#include "tracker/api/json_input.hpp"
#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

// Records an imported layer (one LMDB transaction with its audit entry) and
// tells the origin seed. Shared by the directory import and upload commit.
Result<json> publish_layer(ApiContext& ctx, const Principal& who, const HttpRequest& req, const ImportedLayer& l,
                           const std::string& action, json details) {
  const Manifest& m = l.manifest;
  std::string key = layer_key(m.ref());
  json rec = {{"ref", m.ref().to_string()}, {"name", m.name}, {"version", m.version},
              {"kind", to_string(m.kind)}, {"info_hash", m.info_hash}, {"match", m.match},
              {"retired", false}, {"created", m.created}, {"imported_at", ctx.clock.unix_s()},
              {"file_count", m.file_count()}, {"total_bytes", m.total_file_bytes()},
              {"origin_dir", l.origin_dir}, {"signature", signature_hex(l.signature)},
              {"cert_names", l.cert_names}};
  details["info_hash"] = m.info_hash;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto old, t.get(Table::layers, key));
    if (old) return Status::already_exists("layer " + m.ref().to_string() + " is already published");
    BC_RETURN_IF_ERROR(put_json(t, Table::layers, key, rec));
    BC_RETURN_IF_ERROR(t.put(Table::layer_blobs, key + "/manifest", l.manifest_bytes));
    BC_RETURN_IF_ERROR(t.put(Table::layer_blobs, key + "/torrent", l.torrent));
    return audit(t, ctx, who, req, action, m.ref().to_string(), details);
  }));
  if (ctx.on_layer_published && !m.info_hash.empty()) {
    auto tm = TrustedManifest::verify(l.manifest_bytes, l.signature, ctx.signing_key.public_key());
    if (tm.ok()) ctx.on_layer_published(*tm, l.torrent, l.origin_dir);
  }
  return rec;
}

namespace {

Result<json> import(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(json body, parse_body(req, ctx.limits));
  BC_RETURN_IF_ERROR(check_fields(body, {"dir"}));
  BC_ASSIGN_OR_RETURN(std::string dir, req_string(body, "dir", ctx.limits));
  if (!ctx.import_layer) return Status::unavailable("layer import is not available on this tracker");
  BC_ASSIGN_OR_RETURN(ImportedLayer l, ctx.import_layer(dir, ctx.data_dir + "/origin", ctx.signing_key));
  return publish_layer(ctx, who, req, l, "layer.import", {{"dir", dir}});
}

Result<LayerRef> ref_param(const HttpRequest& req) {
  auto r = LayerRef::parse(req.params.at("ref"));
  if (!r.ok()) return Status::invalid_argument("layer ref: " + r.status().message());
  return r;
}

Result<json> get_layer(ApiContext& ctx, const Principal&, const HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(LayerRef ref, ref_param(req));
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::layers, layer_key(ref)));
    return Status();
  }));
  if (rec.is_null()) return Status::not_found("layer " + ref.to_string() + " is not published");
  return rec;
}

// A node reads only layers it is entitled to (what the tracker would let it
// announce: an endpoint its desired stack, a reflector what its branch and,
// for a hub, the branches below need); admins by their role. A refusal is
// 403 whether or not the layer exists, so a node learns nothing about
// layers not its own, and is counted in bc_tracker_forbidden_total{route}.
std::optional<HttpResponse> refuse_unentitled(ApiContext& ctx, const Principal& who, const LayerRef& ref,
                                              const char* route) {
  if (who.kind != Principal::Kind::node) return std::nullopt;
  Result<bool> ok = ctx.node_entitled ? ctx.node_entitled(who, ref.to_string())
                                      : Result<bool>(Status::unavailable("layer entitlement is not available"));
  if (ok.ok() && *ok) return std::nullopt;
  ctx.metrics.record_forbidden(route);
  if (!ok.ok() && ok.status().code() != Status::Code::permission_denied) return HttpResponse::from_status(ok.status());
  return HttpResponse::error(403, "node " + who.id + " is not entitled to layer " + ref.to_string() +
                                      " (it is not in the node's desired stack, nor needed by its branch)");
}

// The raw manifest bytes or torrent, with the signature in a header.
HttpResponse get_blob(ApiContext& ctx, const Principal& who, const HttpRequest& req, const char* blob) {
  auto ref = ref_param(req);
  if (!ref.ok()) return HttpResponse::from_status(ref.status());
  if (auto refused = refuse_unentitled(ctx, who, *ref, blob)) return *refused;
  auto rec = get_layer(ctx, who, req);
  if (!rec.ok()) return HttpResponse::from_status(rec.status());
  std::optional<std::string> bytes;
  Status s = ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(bytes, t.get(Table::layer_blobs, layer_key(*ref_param(req)) + "/" + blob));
    return Status();
  });
  if (!s.ok()) return HttpResponse::from_status(s);
  if (!bytes || bytes->empty()) return HttpResponse::error(404, std::string("layer has no ") + blob);
  HttpResponse res;
  res.body = std::move(*bytes);
  res.content_type = std::string(blob) == "torrent" ? "application/x-bittorrent" : "application/json";
  res.headers.emplace_back("X-BC-Signature", (*rec).value("signature", ""));
  res.headers.emplace_back("X-BC-Signer", public_key_hex(ctx.signing_key.public_key()));
  return res;
}

Result<json> retire(ApiContext& ctx, const Principal& who, HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(LayerRef ref, ref_param(req));
  json rec;
  BC_RETURN_IF_ERROR(ctx.store.write([&](Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(rec, get_json(t, Table::layers, layer_key(ref)));
    if (rec.is_null()) return Status::not_found("layer " + ref.to_string() + " is not published");
    rec["retired"] = true;
    rec["retired_at"] = ctx.clock.unix_s();
    BC_RETURN_IF_ERROR(put_json(t, Table::layers, layer_key(ref), rec));
    return audit(t, ctx, who, req, "layer.retire", ref.to_string());
  }));
  if (ctx.on_layer_retired) ctx.on_layer_retired(ref);
  return rec;
}

RawHandler blob_handler(const char* blob) {
  return [blob](ApiContext& ctx, const Principal& who, HttpRequest& req) { return get_blob(ctx, who, req, blob); };
}

}  // namespace

void add_layer_routes(Router& router, ApiContext& ctx) {
  // Nodes read only the manifest and torrent of layers they are entitled
  // to (node/layer_fetch.cpp); listing the catalog is for admins.
  const Access reader = Access::admin_or_node(Role::viewer), viewer = Access::admin(Role::viewer);
  add_routes(router, ctx, {
      {"POST", "/api/v1/layers/import", Access::admin(Role::admin), import, 201},
      {"GET", "/api/v1/layers", viewer, list_handler(Table::layers)},
      {"GET", "/api/v1/layers/{ref}", viewer, get_layer},
      {"GET", "/api/v1/layers/{ref}/manifest", reader, blob_handler("manifest")},
      {"GET", "/api/v1/layers/{ref}/torrent", reader, blob_handler("torrent")},
      {"POST", "/api/v1/layers/{ref}/retire", Access::admin(Role::operator_), retire},
  });
}

}  // namespace bc::tracker
