#include "tracker/webseed/web_seed_service.hpp"

#include <cctype>
#include <climits>
#include <cstdlib>

#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

namespace {

// A Host header value we may put in a URL: letters, digits, '.', '-', ':'
// and brackets (IPv6), nothing that could end the authority.
bool plain_host(const std::string& h) {
  if (h.empty() || h.size() > 255) return false;
  for (char c : h)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']')
      return false;
  return true;
}

std::string join(const std::vector<std::string>& segs) {
  std::string out;
  for (const auto& s : segs) out += (out.empty() ? "" : "/") + s;
  return out;
}

// The real path of `file` lies inside the real path of `dir`: a symlink in
// the store (a file the admin put there by hand) cannot lead outside.
bool inside(const std::string& dir, const std::string& file) {
  char* d = ::realpath(dir.c_str(), nullptr);
  char* f = ::realpath(file.c_str(), nullptr);
  bool ok = d && f && std::string(f).rfind(std::string(d) + "/", 0) == 0;
  std::free(d);
  std::free(f);
  return ok;
}

}  // namespace

WebSeedService::WebSeedService(ApiContext& ctx, WebSeedOptions options) : ctx_(ctx), options_(std::move(options)) {}

int64_t WebSeedService::token_expiry(int64_t now_s) const {
  const int64_t step = std::max<int64_t>(1, options_.ttl_s / 4);
  return (now_s / step) * step + options_.ttl_s;
}

std::vector<std::string> WebSeedService::urls_for(const std::string& node_id, const std::string& info_hash,
                                                  const std::string& host) const {
  std::vector<std::string> out;
  if (!is_lower_hex64(info_hash)) return out;
  const WebSeedToken t =
      make_web_seed_token(options_.secret, node_id, token_expiry(ctx_.clock.unix_s()), info_hash);
  if (options_.serve_own && plain_host(host)) {
    // "host", "host:port", "[v6]" or "[v6]:port": add our port when none is named.
    const size_t colon = host.rfind(':'), bracket = host.rfind(']');
    const bool bracketed = host.front() == '[';
    const bool v6_bare = !bracketed && host.find(':') != colon;  // several colons: an unbracketed IPv6 literal
    const bool has_port = colon != std::string::npos && !v6_bare &&
                          (!bracketed || (bracket != std::string::npos && colon > bracket));
    std::string authority = v6_bare ? "[" + host + "]" : host;
    if (!has_port && own_port_ != 0) authority += ":" + std::to_string(own_port_.load());
    out.push_back(web_seed_token_url((options_.own_https ? "https://" : "http://") + authority + "/ws", t));
  }
  for (const auto& base : options_.external_bases) out.push_back(web_seed_token_url(base, t));
  return out;
}

Result<WebSeedGrant> WebSeedService::authorize(const std::string& path) {
  Result<WebSeedGrant> r = check(path);
  if (!r.ok()) ctx_.metrics.record_forbidden("webseed");
  return r;
}

Result<WebSeedGrant> WebSeedService::check(const std::string& path) {
  auto denied = [](const std::string& why) { return Status::permission_denied("web seed: " + why); };
  auto parsed = parse_web_seed_path(path);
  if (!parsed.ok()) return denied(parsed.status().message());
  const WebSeedToken& t = parsed->token;
  if (!web_seed_mac_matches(options_.secret, t)) return denied("the token's MAC is wrong");
  const int64_t now = ctx_.clock.unix_s();
  if (now > t.expiry_unix_s + options_.expiry_grace_s)
    return denied("the token expired " + std::to_string(now - t.expiry_unix_s) +
                  " s ago; the node gets fresh URLs with its desired state");
  if (t.expiry_unix_s > now + options_.ttl_s + options_.expiry_grace_s)
    return denied("the token expires further out than the tracker issues (was its clock set back?)");
  std::string role;
  BC_RETURN_IF_ERROR(check_node(t.node_id, &role));
  BC_ASSIGN_OR_RETURN(auto layer, layer_files(t.info_hash));
  Principal who{Principal::Kind::node, t.node_id, Role::viewer, role};
  Result<bool> ok = ctx_.node_entitled ? ctx_.node_entitled(who, layer->ref)
                                       : Result<bool>(Status::unavailable("layer entitlement is not available"));
  if (!ok.ok() && ok.status().code() != Status::Code::permission_denied) return ok.status();
  if (!ok.ok() || !*ok) return denied("node " + t.node_id + " is not entitled to layer " + layer->ref);
  const std::string key = join(parsed->rest);
  auto f = layer->files.find(key);
  if (f == layer->files.end()) return Status::not_found("web seed: layer " + layer->ref + " has no such file");
  WebSeedGrant g{layer->origin_dir + "/" + layer->disk.at(key), f->second, layer->ref, t.node_id};
  if (!inside(layer->origin_dir, g.file))
    return Status::not_found("web seed: layer " + layer->ref + "'s file is missing from the origin store");
  return g;
}

Status WebSeedService::check_node(const std::string& node_id, std::string* role) const {
  return ctx_.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto revoked, t.get(Table::revoked_nodes, node_id));
    if (revoked) return Status::permission_denied("web seed: node " + node_id + " is revoked");
    BC_ASSIGN_OR_RETURN(auto e, t.get(Table::endpoints, node_id));
    BC_ASSIGN_OR_RETURN(auto r, t.get(Table::reflectors, node_id));
    if (!e && !r) return Status::permission_denied("web seed: node " + node_id + " is not enrolled");
    *role = e ? "endpoint" : "reflector";
    return Status();
  });
}

// The layer's torrent files as URL paths, from its signed manifest (the
// torrent lists the same files: check_torrent_matches at import). Immutable
// for an info-hash, so remembered; a retired layer fails the entitlement.
Result<std::shared_ptr<const WebSeedService::LayerFiles>> WebSeedService::layer_files(const std::string& info_hash) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(info_hash);
    if (it != cache_.end()) return it->second;
  }
  auto l = std::make_shared<LayerFiles>();
  std::string manifest_bytes;
  BC_RETURN_IF_ERROR(ctx_.store.read([&](const Txn& t) -> Status {
    std::string key;
    BC_RETURN_IF_ERROR(t.scan(Table::layers, "", [&](std::string_view k, std::string_view v) {
      json r = json::parse(v, nullptr, false);
      if (!r.is_object() || r.value("info_hash", "") != info_hash) return true;
      key = k;
      l->ref = r.value("ref", "");
      l->origin_dir = r.value("origin_dir", "");
      return false;
    }));
    if (key.empty()) return Status();
    BC_ASSIGN_OR_RETURN(auto m, t.get(Table::layer_blobs, key + "/manifest"));
    if (m) manifest_bytes = std::string(*m);
    return Status();
  }));
  // An unknown layer is refused like a forbidden one: a node learns nothing of others' layers.
  if (manifest_bytes.empty() || l->origin_dir.empty())
    return Status::permission_denied("web seed: no layer the node is entitled to has this info-hash");
  BC_ASSIGN_OR_RETURN(Manifest m, Manifest::decode(manifest_bytes));
  const auto files = m.payload_files();
  const bool single = files.size() == 1 && files[0].path.find('/') == std::string::npos;
  for (const auto& f : files) {
    std::string url = single ? f.path : m.ref().torrent_name() + "/" + f.path;
    l->files[url] = f.size;
    l->disk[url] = f.path;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= options_.max_cached_layers) cache_.clear();
  cache_[info_hash] = l;
  return std::shared_ptr<const LayerFiles>(l);
}

}  // namespace bc::tracker
