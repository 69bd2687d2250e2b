// The tracker's side of tokenized web seeds (docs/security.md, "Web seeds"):
// it hands each node per-layer URLs carrying a token (desired state), and
// decides whether a request carrying one may read a file — for its own web
// seed (GET /ws/...) and for a web server that asks it (nginx auth_request,
// GET /api/v1/webseed/check).
//
// A request is granted only when, in this order (cheap checks first, no
// store read before the MAC holds):
//   1. the path carries a token (.../<node>/<expiry>/<mac>/<info-hash>/...);
//   2. the MAC is the tracker's for those fields (constant-time compare);
//   3. it has not expired: now <= expiry + expiry_grace_s, and the expiry is
//      not further out than the tracker ever issues (now + ttl + grace);
//   4. the node is enrolled and not revoked (read from the store on every
//      request, so a revocation counts at once);
//   5. the info-hash is a published layer's and the node is entitled to it
//      (the announce's rule, ApiContext::node_entitled);
//   6. the rest of the path names one of that layer's torrent files exactly
//      ("<torrent name>/<payload path>", or "<file>" for a single-file
//      torrent): the path is looked up in the manifest's file list, never
//      joined onto a directory, so "..", absolute paths and symlinks cannot
//      reach a file outside DATA/origin/<info-hash>.
// Refusals 1-5 are permission_denied (403), 6 not_found (404); each counts
// in bc_tracker_forbidden_total{route="webseed"}.
//
// Thread-safe: handlers call it from several workers.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tracker/api/api_context.hpp"
#include "tracker/webseed/web_seed_token.hpp"

namespace bc::tracker {

inline constexpr int64_t kMinWebSeedTokenTtlS = 60;
inline constexpr int64_t kMaxWebSeedTokenTtlS = 7 * 86'400;

struct WebSeedOptions {
  WebSeedSecret secret{};
  // Lifetime of a token, seconds ([origin] web_seed_token_ttl_s); default 1 h.
  int64_t ttl_s = 3600;
  // A token is accepted this long past its expiry; default 60 s. The tracker
  // signs and checks with its own clock, so there is no skew between the two;
  // the grace covers a request in flight while the node swaps its URLs.
  int64_t expiry_grace_s = 60;
  // Serve DATA/origin as a web seed at <scheme>://<host the node dialled>/ws
  // ([origin] serve_web_seed); default false (see docs/security.md).
  bool serve_own = false;
  bool own_https = true;  // the scheme of the tracker's own web seed URL
  // External BEP 19 bases ([origin] web_seeds); each gets the token appended.
  std::vector<std::string> external_bases;
  // Largest range one request may read (RAM per request); default 16 MiB,
  // libtorrent's urlseed_max_request_bytes default.
  uint64_t max_range_bytes = 16u << 20;
  size_t max_cached_layers = 1024;  // layers whose file lists are remembered
};

// What a granted request may read.
struct WebSeedGrant {
  std::string file;      // absolute path under DATA/origin/<key>/
  uint64_t size = 0;     // the manifest's size of it
  std::string layer_ref;
  std::string node_id;
};

class WebSeedService {
 public:
  // REQUIRES: ctx outlives the service; options.ttl_s within
  // [kMinWebSeedTokenTtlS, kMaxWebSeedTokenTtlS].
  WebSeedService(ApiContext& ctx, WebSeedOptions options);

  const WebSeedOptions& options() const { return options_; }
  // The port the tracker's HTTP(S) server is bound to, for a Host header that
  // names none (our client sends none). Set once the server started.
  void set_own_port(uint16_t port) { own_port_ = port; }

  // The URLs a node gets for one layer, expiring at token_expiry(now):
  // its own (when serve_own and `host` — what the node dialled, the Host
  // header — is a plain host[:port]) and one per external base.
  std::vector<std::string> urls_for(const std::string& node_id, const std::string& info_hash,
                                    const std::string& host) const;
  // Tokens expire at the end of the current quarter-TTL step plus 3/4 TTL:
  // all URLs handed within a step are the same (the desired state's ETag
  // holds, long polls stay long), and each has at least 3/4 TTL left.
  int64_t token_expiry(int64_t now_s) const;

  // Checks a (percent-decoded) request path as the header comment says.
  // Counts a refusal.
  Result<WebSeedGrant> authorize(const std::string& path);

 private:
  struct LayerFiles {
    std::string ref;
    std::string origin_dir;
    std::map<std::string, uint64_t> files;  // "<url path after the info-hash>" -> size
    std::map<std::string, std::string> disk;  // the same key -> path relative to origin_dir
  };
  Result<WebSeedGrant> check(const std::string& path);
  Status check_node(const std::string& node_id, std::string* role) const;
  Result<std::shared_ptr<const LayerFiles>> layer_files(const std::string& info_hash);

  ApiContext& ctx_;
  WebSeedOptions options_;
  std::atomic<uint16_t> own_port_{0};
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const LayerFiles>> cache_;  // by info-hash; guarded by mu_
};

}  // namespace bc::tracker
