#include "tracker/config/config.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <set>

#include "layers/util/fs.hpp"

namespace bc::tracker {

namespace {

struct Reader {
  const toml::table& root;
  std::string base_dir;
  Status error;

  const toml::table* section(const char* name) {
    auto* node = root.get(name);
    if (!node) return nullptr;
    if (!node->is_table()) fail(std::string(name) + " must be a table");
    return node->as_table();
  }
  void fail(std::string msg) {
    if (error.ok()) error = Status::invalid_argument("config: " + msg);
  }
  void check_keys(const toml::table* t, const char* name, std::set<std::string> allowed) {
    if (!t) return;
    for (auto&& [k, v] : *t)
      if (!allowed.count(std::string(k.str())))
        fail("unknown key " + std::string(name) + "." + std::string(k.str()));
  }
  template <class T>
  void integer(const toml::table* t, const char* sect, const char* key, T* out, int64_t lo, int64_t hi) {
    if (!t || !t->get(key)) return;
    auto v = t->get(key)->value<int64_t>();
    if (!t->get(key)->is_integer() || !v) return fail(std::string(sect) + "." + key + " must be an integer");
    if (*v < lo || *v > hi)
      return fail(std::string(sect) + "." + key + " = " + std::to_string(*v) + " is outside [" +
                  std::to_string(lo) + ", " + std::to_string(hi) + "]");
    *out = static_cast<T>(*v);
  }
  void string(const toml::table* t, const char* sect, const char* key, std::string* out, bool path) {
    if (!t || !t->get(key)) return;
    auto v = t->get(key)->value<std::string>();
    if (!t->get(key)->is_string() || !v) return fail(std::string(sect) + "." + key + " must be a string");
    *out = *v;
    if (path && !out->empty() && (*out)[0] != '/') *out = base_dir + "/" + *out;
  }
};

void read_origin(Reader& r, TrackerConfig& c) {
  auto* origin = r.section("origin");
  r.check_keys(origin, "origin",
               {"enabled", "listen", "upload_limit_bytes_per_s", "announce_url", "announce_key", "web_seeds",
                "state_dir", "serve_web_seed", "web_seed_token_ttl_s", "web_seed_secret_file"});
  if (!origin) return;
  if (auto* e = origin->get("enabled")) {
    if (!e->is_boolean()) return r.fail("origin.enabled must be a boolean");
    c.origin.enabled = *e->value<bool>();
  }
  r.string(origin, "origin", "listen", &c.origin.listen, false);
  r.integer(origin, "origin", "upload_limit_bytes_per_s", &c.origin.upload_limit_bytes_per_s, 0, INT32_MAX);
  r.string(origin, "origin", "announce_url", &c.origin.announce_url, false);
  r.string(origin, "origin", "announce_key", &c.origin.announce_key, false);
  r.string(origin, "origin", "state_dir", &c.origin.state_dir, true);
  r.string(origin, "origin", "web_seed_secret_file", &c.origin.web_seed_secret_file, true);
  r.integer(origin, "origin", "web_seed_token_ttl_s", &c.origin.web_seed_token_ttl_s, 60, 7 * 86'400);
  if (auto* b = origin->get("serve_web_seed")) {
    if (!b->is_boolean()) return r.fail("origin.serve_web_seed must be true or false");
    c.origin.serve_web_seed = *b->value<bool>();
  }
  if (auto* w = origin->get("web_seeds")) {
    auto* arr = w->as_array();
    if (!arr) return r.fail("origin.web_seeds must be an array of strings");
    for (auto&& u : *arr) {
      if (!u.is_string()) return r.fail("origin.web_seeds must be an array of strings");
      c.origin.web_seeds.push_back(*u.value<std::string>());
    }
  }
}

void read_tls(Reader& r, const toml::table* server, TrackerConfig& c) {
  if (!server) return;
  if (auto* n = server->get("tls_names")) {
    auto* arr = n->as_array();
    if (!arr) return r.fail("server.tls_names must be an array of strings");
    for (auto&& u : *arr) {
      if (!u.is_string()) return r.fail("server.tls_names must be an array of strings");
      c.tls_names.push_back(*u.value<std::string>());
    }
  }
  if (auto* b = server->get("insecure_plain_http")) {
    if (!b->is_boolean()) return r.fail("server.insecure_plain_http must be true or false");
    c.insecure_plain_http = *b->value<bool>();
  }
}

void read_announce(Reader& r, TrackerConfig& c) {
  auto* a = r.section("announce");
  r.check_keys(a, "announce",
               {"interval_s", "min_interval_s", "default_numwant", "max_numwant", "peer_timeout_s", "reflector_live_s"});
  r.integer(a, "announce", "interval_s", &c.bt.interval_s, 10, 86'400);
  r.integer(a, "announce", "min_interval_s", &c.bt.min_interval_s, 1, 86'400);
  r.integer(a, "announce", "default_numwant", &c.bt.default_numwant, 1, 1000);
  r.integer(a, "announce", "max_numwant", &c.bt.max_numwant, 1, 1000);
  // Derived from the interval: hand-outs are counted per announce interval,
  // and peers time out after two missed announces unless peer_timeout_s is set
  // (the defaults, 1800 s and 3900 s, assume the default interval).
  c.bt.registry.swarm.handout_interval_s = c.bt.interval_s;
  c.bt.registry.peer_timeout_s = 2 * int64_t(c.bt.interval_s) + 300;
  r.integer(a, "announce", "peer_timeout_s", &c.bt.registry.peer_timeout_s, 1, 7 * 86'400);
  r.integer(a, "announce", "reflector_live_s", &c.api.reflector_live_s, 1, 86'400);
}

void read_pki(Reader& r, TrackerConfig& c) {
  auto* pki = r.section("pki");
  r.check_keys(pki, "pki", {"node_cert_lifetime_s", "insecure_plain_torrents"});
  r.integer(pki, "pki", "node_cert_lifetime_s", &c.pki.node_cert_lifetime_s, kMinNodeCertLifetime_s,
            kMaxNodeCertLifetime_s);
  if (auto* p = pki ? pki->get("insecure_plain_torrents") : nullptr) {
    if (!p->is_boolean()) return r.fail("pki.insecure_plain_torrents must be a boolean");
    c.pki.insecure_plain_torrents = *p->value<bool>();
  }
}

void read_console(Reader& r, TrackerConfig& c) {
  auto* console = r.section("console");
  r.check_keys(console, "console", {"enabled", "chartjs"});
  if (!console) return;
  if (auto* e = console->get("enabled")) {
    if (!e->is_boolean()) return r.fail("console.enabled must be true or false");
    c.console.enabled = *e->value<bool>();
  }
  r.string(console, "console", "chartjs", &c.console.chartjs, true);
}

void read_upload(Reader& r, TrackerConfig& c) {
  auto* u = r.section("upload");
  r.check_keys(u, "upload",
               {"max_layer_bytes", "max_chunk_bytes", "max_start_bytes", "max_concurrent", "stale_after_s",
                "sweep_interval_s", "reserve_free_bytes"});
  r.integer(u, "upload", "max_layer_bytes", &c.upload.max_layer_bytes, 0, int64_t(1) << 50);
  r.integer(u, "upload", "max_chunk_bytes", &c.upload.max_chunk_bytes, 16 * 1024, int64_t(1) << 30);
  r.integer(u, "upload", "max_start_bytes", &c.upload.max_start_bytes, 1024, int64_t(1) << 30);
  r.integer(u, "upload", "max_concurrent", &c.upload.max_concurrent, 1, 1024);
  r.integer(u, "upload", "stale_after_s", &c.upload.stale_after_s, 1, int64_t(365) * 86'400);
  r.integer(u, "upload", "sweep_interval_s", &c.upload.sweep_interval_s, 1, 86'400);
  r.integer(u, "upload", "reserve_free_bytes", &c.upload.reserve_free_bytes, 0, int64_t(1) << 50);
}

void read_sections(Reader& r, TrackerConfig& c) {
  for (auto&& [k, v] : r.root)
    if (!std::set<std::string>{"server", "storage", "auth", "limits", "log", "origin", "announce",
                               "pki", "status", "console", "upload"}.count(
            std::string(k.str())))
      r.fail("unknown section [" + std::string(k.str()) + "]");
  auto* server = r.section("server");
  r.check_keys(server, "server",
               {"listen", "port", "port_file", "tls_cert", "tls_key", "io_threads", "worker_threads",
                "probe_port", "tls_names", "insecure_plain_http"});
  r.string(server, "server", "listen", &c.server.listen_address, false);
  r.integer(server, "server", "port", &c.server.port, 0, 65535);
  r.string(server, "server", "port_file", &c.port_file, true);
  r.string(server, "server", "tls_cert", &c.server.tls_cert_file, true);
  r.string(server, "server", "tls_key", &c.server.tls_key_file, true);
  r.integer(server, "server", "io_threads", &c.server.io_threads, 1, 64);
  r.integer(server, "server", "worker_threads", &c.server.worker_threads, 1, 256);
  r.integer(server, "server", "probe_port", &c.probe_port, 0, 65535);
  read_tls(r, server, c);
  auto* storage = r.section("storage");
  r.check_keys(storage, "storage", {"data_dir", "map_size_mib"});
  r.string(storage, "storage", "data_dir", &c.data_dir, true);
  uint64_t map_mib = c.lmdb.map_size_bytes >> 20;
  r.integer(storage, "storage", "map_size_mib", &map_mib, 1, int64_t(1) << 24);
  c.lmdb.map_size_bytes = map_mib << 20;
  auto* auth = r.section("auth");
  r.check_keys(auth, "auth", {"admin_token_file", "signing_key", "max_clock_skew_s", "replay_nonces_per_node"});
  r.string(auth, "auth", "admin_token_file", &c.admin_token_file, true);
  r.string(auth, "auth", "signing_key", &c.signing_key_file, true);
  r.integer(auth, "auth", "max_clock_skew_s", &c.api.max_clock_skew_s, 1, 86400);
  r.integer(auth, "auth", "replay_nonces_per_node", &c.api.replay_nonces_per_node, 16, 1'000'000);
  auto* limits = r.section("limits");
  r.check_keys(limits, "limits",
               {"max_header_bytes", "max_body_bytes", "read_timeout_ms", "write_timeout_ms",
                "max_connections", "max_long_polls", "long_poll_retry_after_s", "max_long_poll_s", "max_json_depth",
                "max_list_items", "max_wan_policy_bytes"});
  r.integer(limits, "limits", "max_header_bytes", &c.server.max_header_bytes, 1024, 1 << 20);
  r.integer(limits, "limits", "max_body_bytes", &c.server.max_body_bytes, 1024, int64_t(1) << 30);
  r.integer(limits, "limits", "read_timeout_ms", &c.server.read_timeout_ms, 100, 3'600'000);
  r.integer(limits, "limits", "write_timeout_ms", &c.server.write_timeout_ms, 100, 3'600'000);
  r.integer(limits, "limits", "max_connections", &c.server.max_connections, 1, 1'000'000);
  r.integer(limits, "limits", "max_long_polls", &c.server.max_long_polls, 0, 1'000'000);
  r.integer(limits, "limits", "long_poll_retry_after_s", &c.server.long_poll_retry_after_s, 1, 3600);
  r.integer(limits, "limits", "max_long_poll_s", &c.api.max_long_poll_s, 0, 3600);
  r.integer(limits, "limits", "max_json_depth", &c.api.max_json_depth, 2, 64);
  r.integer(limits, "limits", "max_list_items", &c.api.max_list_items, 1, 1'000'000);
  r.integer(limits, "limits", "max_wan_policy_bytes", &c.api.max_wan_policy_bytes, 2, 1 << 20);
  read_origin(r, c);
  read_announce(r, c);
  read_pki(r, c);
  // [status]: the rollout history sampler (tracker/service/status_history.hpp).
  auto* status = r.section("status");
  r.check_keys(status, "status", {"sample_interval_s"});
  r.integer(status, "status", "sample_interval_s", &c.status_sample_interval_s, 1, 3600);
  read_console(r, c);
  read_upload(r, c);
  auto* log = r.section("log");
  r.check_keys(log, "log", {"level"});
  r.string(log, "log", "level", &c.log_level, false);
}

}  // namespace

Status ApiLimits::validate() const {
  if (max_json_depth < 2) return Status::invalid_argument("limits.max_json_depth must be >= 2");
  if (max_list_items < 1) return Status::invalid_argument("limits.max_list_items must be >= 1");
  if (max_clock_skew_s < 1) return Status::invalid_argument("auth.max_clock_skew_s must be >= 1");
  return Status();
}

Status TrackerConfig::validate() const {
  if (data_dir.empty()) return Status::invalid_argument("config: storage.data_dir is required");
  if (signing_key_file.empty()) return Status::invalid_argument("config: auth.signing_key is required");
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!levels.count(log_level))
    return Status::invalid_argument("config: log.level '" + log_level + "' is not one of trace|debug|info|warn|error|off");
  BC_RETURN_IF_ERROR(server.validate().with_context("config"));
  if (insecure_plain_http && server.tls())
    return Status::invalid_argument(
        "config: server.insecure_plain_http = true contradicts server.tls_cert: drop one of them");
  for (const auto& n : tls_names)
    if (n.empty() || n.size() > 253 || n.find_first_of(" \t/,") != std::string::npos)
      return Status::invalid_argument("config: server.tls_names entry '" + n +
                                      "' is not a host name or IP address");
  BC_RETURN_IF_ERROR(api.validate().with_context("config"));
  BC_RETURN_IF_ERROR(origin.validate().with_context("config"));
  BC_RETURN_IF_ERROR(pki.validate().with_context("config"));
  BC_RETURN_IF_ERROR(upload.validate().with_context("config"));
  BC_RETURN_IF_ERROR(bt.validate().with_context("config: announce"));
  return lmdb.validate().with_context("config");
}

Result<TrackerConfig> parse_config(std::string_view toml_text, const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument("config: TOML syntax error at line " +
                                    std::to_string(e.source().begin.line) + ": " +
                                    std::string(e.description()));
  }
  TrackerConfig c;
  Reader r{root, base_dir, Status()};
  read_sections(r, c);
  BC_RETURN_IF_ERROR(r.error);
  if (c.origin.state_dir.empty() && !c.data_dir.empty()) c.origin.state_dir = c.data_dir + "/origin-swarm";
  if (c.origin.web_seed_secret_file.empty() && !c.data_dir.empty())
    c.origin.web_seed_secret_file = c.data_dir + "/webseed.key";
  BC_RETURN_IF_ERROR(c.validate());
  return c;
}

Result<TrackerConfig> load_config(const std::string& path) {
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, 1 << 20));
  std::string dir = std::filesystem::absolute(path).parent_path().string();
  return parse_config(text, dir);
}

}  // namespace bc::tracker
