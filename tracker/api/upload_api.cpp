// Layer upload: the routes over UploadService, with the audit log and the
// importer (verify, SSL torrent, signature) that publishing shares with
// POST /api/v1/layers/import.
#include "tracker/api/upload_api.hpp"

#include <charconv>

#include "layers/util/hex.hpp"
#include "tracker/api/api_route.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

Status audit_upload(ApiContext& ctx, const Principal& who, const HttpRequest& req, const char* action,
                    const std::string& ref, json details) {
  return ctx.store.write([&](Txn& t) { return audit(t, ctx, who, req, action, ref, details); }, Store::Notify::no);
}

Result<json> start_body(const HttpRequest& req, std::string* manifest, std::string* torrent) {
  if (!is_json_media_type(req.header("content-type")))
    return Status::invalid_argument("upload start: the body must be application/json");
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("manifest") || !body["manifest"].is_string() ||
      !body.contains("content_bytes") || !body["content_bytes"].is_number_unsigned())
    return Status::invalid_argument("upload start: the body must be {\"content_bytes\": N, \"manifest\": \"<manifest "
                                    "JSON text>\", \"torrent\": \"<hex>\"}");
  for (auto& [k, v] : body.items())
    if (k != "manifest" && k != "torrent" && k != "content_bytes")
      return Status::invalid_argument("upload start: unknown field '" + k + "'");
  *manifest = body["manifest"].get<std::string>();
  if (body.contains("torrent")) {
    if (!body["torrent"].is_string()) return Status::invalid_argument("upload start: torrent must be a hex string");
    auto bytes = from_hex(body["torrent"].get<std::string>());
    if (!bytes) return Status::invalid_argument("upload start: torrent is not valid hex");
    torrent->assign(bytes->begin(), bytes->end());
  }
  return body;
}

HttpResponse start(ApiContext& ctx, UploadService& up, const Principal& who, HttpRequest& req) {
  if (req.body.size() > up.options().max_start_bytes)
    return HttpResponse::error(413, "upload start of " + std::to_string(req.body.size()) + " bytes is larger than " +
                                        std::to_string(up.options().max_start_bytes) + " ([upload] max_start_bytes)");
  std::string manifest, torrent;
  auto body = start_body(req, &manifest, &torrent);
  if (!body.ok()) return HttpResponse::from_status(body.status());
  uint64_t claimed = (*body)["content_bytes"].get<uint64_t>();
  req.body.clear();
  auto started = up.start(who.actor(), claimed, std::move(manifest), std::move(torrent));
  if (!started.ok()) return HttpResponse::from_status(started.status());
  json& st = started->status;
  st["max_chunk_bytes"] = up.options().max_chunk_bytes;
  st["resumed"] = started->resumed;
  if (!started->resumed) {
    Status s = audit_upload(ctx, who, req, "upload.start", st["ref"],
                            {{"upload", st["id"]}, {"content_bytes", st["content_bytes"]},
                             {"need_bytes", st["need_bytes"]}, {"held_bytes", st["held_bytes"]}});
    if (!s.ok()) return HttpResponse::from_status(s);
  }
  return HttpResponse::json(started->resumed ? 200 : 201, st);
}

Result<uint32_t> index_param(const HttpRequest& req, const char* name) {
  const std::string& v = req.params.at(name);
  uint32_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    return Status::invalid_argument(std::string(name) + " '" + v + "' is not a non-negative integer");
  return out;
}

Result<json> chunk(UploadService& up, HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(uint32_t file, index_param(req, "file"));
  BC_ASSIGN_OR_RETURN(uint32_t piece, index_param(req, "piece"));
  return up.put_chunk(req.params.at("id"), file, piece, req.body);
}

Result<json> commit(ApiContext& ctx, UploadService& up, const Principal& who, HttpRequest& req) {
  const std::string id = req.params.at("id");
  if (!ctx.import_layer) return Status::unavailable("layer import is not available on this tracker");
  BC_ASSIGN_OR_RETURN(UploadService::Assembled a, up.begin_commit(id));
  auto imported = ctx.import_layer(a.layer_dir, ctx.data_dir + "/origin", ctx.signing_key);
  if (!imported.ok()) {
    up.abort_commit(id);
    return imported.status().with_context("upload " + id + " (" + a.info.ref + ")");
  }
  auto rec = publish_layer(ctx, who, req, *imported, "upload.commit",
                           {{"upload", id}, {"started_by", a.info.actor},
                            {"received_bytes", a.totals["received_bytes"]}, {"held_bytes", a.totals["held_bytes"]}});
  if (!rec.ok()) {
    up.abort_commit(id);
    return rec.status();
  }
  up.finish_commit(id);
  (*rec)["upload"] = a.totals;
  return rec;
}

Result<json> cancel(ApiContext& ctx, UploadService& up, const Principal& who, HttpRequest& req) {
  BC_ASSIGN_OR_RETURN(UploadInfo info, up.cancel(req.params.at("id")));
  BC_RETURN_IF_ERROR(audit_upload(ctx, who, req, "upload.cancel", info.ref, {{"upload", info.id},
                                                                               {"started_by", info.actor}}));
  return json{{"id", info.id}, {"ref", info.ref}, {"cancelled", true}};
}

}  // namespace

void add_upload_routes(Router& router, ApiContext& ctx, UploadService& up) {
  const Access op = Access::admin(Role::operator_);
  UploadService* u = &up;
  ApiRoute put_chunk("PUT", "/api/v1/uploads/{id}/files/{file}/pieces/{piece}", op,
                     JsonHandler([u](ApiContext&, const Principal&, HttpRequest& req) { return chunk(*u, req); }));
  put_chunk.body_type = "application/octet-stream";
  ApiRoute put_batch("PUT", "/api/v1/uploads/{id}/batch", op,
                     JsonHandler([u](ApiContext&, const Principal&, HttpRequest& req) {
                       return u->put_batch(req.params.at("id"), req.body);
                     }));
  put_batch.body_type = "application/octet-stream";
  add_routes(router, ctx, {
      put_chunk,
      put_batch,
      {"POST", "/api/v1/uploads", op,
       RawHandler([u](ApiContext& c, const Principal& who, HttpRequest& req) { return start(c, *u, who, req); })},
      {"GET", "/api/v1/uploads", op, JsonHandler([u](ApiContext&, const Principal&, HttpRequest&) { return u->list(); })},
      {"GET", "/api/v1/uploads/{id}", op,
       JsonHandler([u](ApiContext&, const Principal&, HttpRequest& req) { return u->status(req.params.at("id")); })},
      {"POST", "/api/v1/uploads/{id}/commit", op,
       JsonHandler([u](ApiContext& c, const Principal& who, HttpRequest& req) { return commit(c, *u, who, req); }),
       201},
      {"DELETE", "/api/v1/uploads/{id}", op,
       JsonHandler([u](ApiContext& c, const Principal& who, HttpRequest& req) { return cancel(c, *u, who, req); })},
  });
}

}  // namespace bc::tracker
