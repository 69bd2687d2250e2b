// bc-reflector: `init` pins the tracker's CA (CACHE_DIR/tracker-ca.pem),
// writes an identity key (0600) and a config file;
// `run --config FILE` registers with the tracker and caches/seeds the
// branch's layers until SIGINT/SIGTERM; SIGHUP reloads the cache quota.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <spdlog/logger.h>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/supervise.hpp"
#include "layers/util/private_dir.hpp"
#include "node/tracker_pin.hpp"
#include "reflector/agent/reflector_config.hpp"
#include "reflector/agent/reflector_driver.hpp"
#include "reflector/import_command.hpp"

namespace {
std::atomic<bc::reflector::ReflectorDriver*> g_driver{nullptr};
void on_signal(int) {
  if (auto* d = g_driver.load()) d->stop();
}
void on_hangup(int) {
  if (auto* d = g_driver.load()) d->request_reload();
}

int fail(const bc::Status& s) {
  std::fprintf(stderr, "bc-reflector: %s\n", s.to_string().c_str());
  return 1;
}

struct PinFlags {
  std::string ca_file;         // --tracker-ca
  std::string ca_fingerprint;  // --tracker-ca-fingerprint
};

// Pins the tracker's CA into CACHE_DIR/tracker-ca.pem (node/tracker_pin.hpp)
// and checks that the tracker of that CA serves the key given on the command line.
bc::Status pin_ca(bc::reflector::ReflectorConfig& c, const PinFlags& flags) {
  BC_ASSIGN_OR_RETURN(bc::node::TrackerUrl url, bc::node::parse_node_tracker_url(c.tracker_url));
  BC_RETURN_IF_ERROR(bc::ensure_private_dir(c.cache_dir));  // 0700: it will hold keys and entitled payloads
  bc::node::TrackerPinOptions pin;
  pin.url = url;
  pin.ca_file = flags.ca_file;
  pin.ca_fingerprint = flags.ca_fingerprint;
  pin.insecure_plain_http = c.insecure_plain_http;
  pin.save_path = c.cache_dir + "/" + bc::node::kTrackerCaFileName;
  const bc::node::Logger log = bc::node::make_node_logger("bc-reflector", "");
  BC_ASSIGN_OR_RETURN(bc::node::PinnedTracker pinned, bc::node::pin_tracker(pin, log));
  const std::string served = pinned.info.value("public_key", "");
  if (served != c.tracker_public_key)
    return bc::Status::permission_denied("tracker at " + url.base() + " serves public key " + served +
                                         ", not --tracker-public-key " + c.tracker_public_key);
  c.tracker_ca_file = pinned.ca_file;
  return bc::Status();
}

int cmd_init(bc::reflector::ReflectorConfig c, const std::string& config_path, const PinFlags& flags) {
  namespace fs = std::filesystem;
  c.identity_key_file = fs::absolute(c.identity_key_file).string();
  c.cache_dir = fs::absolute(c.cache_dir).string();
  if (auto url = bc::node::parse_node_tracker_url(c.tracker_url); url.ok() && url->tls())
    c.tracker_ca_file = c.cache_dir + "/" + bc::node::kTrackerCaFileName;  // what pin_ca writes
  bc::Status s = c.validate();
  if (!s.ok()) return fail(s);
  s = pin_ca(c, flags);
  if (!s.ok()) return fail(s);
  auto key = bc::SecretKey::generate();
  s = bc::write_file_atomic(c.identity_key_file, key.to_hex() + "\n", 0600, /*overwrite=*/false);
  if (!s.ok()) return fail(s.with_context("identity key"));
  s = bc::write_file_atomic(config_path, bc::reflector::render_reflector_config(c), 0600, false);
  if (!s.ok()) return fail(s.with_context("config"));
  std::printf("%s\n", bc::public_key_hex(key.public_key()).c_str());
  return 0;
}

int cmd_run(const std::string& config_path) {
  auto cfg = bc::reflector::load_reflector_config(config_path);
  if (!cfg.ok()) return fail(cfg.status());
  bc::SystemClock clock;
  auto driver = bc::reflector::ReflectorDriver::create(*cfg, clock);
  if (!driver.ok()) return fail(driver.status());
  (*driver)->set_reload_source([config_path] { return bc::reflector::load_reflector_config(config_path); });
  g_driver.store(driver->get());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_hangup);  // reload: the cache quota (ReflectorDriver::request_reload)
  const bc::node::Logger log = (*driver)->logger();
  log->info("reflector {} starting", (*driver)->node_id());
  bc::Status s = (*driver)->run();
  g_driver.store(nullptr);
  if (!s.ok()) return fail(s);
  log->info("reflector stopped");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bc-reflector: branch cache and seed (docs/reflector.md)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bc-reflector " BC_VERSION, "print the name and version, then exit");
  bc::reflector::ReflectorConfig c;
  // The packaged locations (docs/operations.md): one place for keys and state.
  const std::string state = "/var/lib/branchcast/reflector";
  std::string config_path = state + "/reflector.toml";
  c.identity_key_file = state + "/identity.key";
  c.cache_dir = state + "/cache";
  auto* init = app.add_subcommand("init", "create an identity key (0600) and a config file");
  init->add_option("--config", config_path, "config file to write (refused if it exists)")->capture_default_str();
  PinFlags pin;
  init->add_option("--tracker-url", c.tracker_url, "https://HOST:PORT")->required();
  init->add_option("--tracker-ca", pin.ca_file,
                   "the tracker's CA certificate (its DATA/pki/ca.pem), pinned; without it or a fingerprint "
                   "the CA served now is trusted on first use");
  init->add_option("--tracker-ca-fingerprint", pin.ca_fingerprint,
                   "SHA-256 of the tracker's CA certificate (as bc-tracker logs it), pinned");
  init->add_flag("--insecure-plain-http", c.insecure_plain_http,
                 "allow an http:// tracker URL: no TLS, tokens and requests in clear (tests only)");
  init->add_flag("--insecure-plain-peers", c.insecure_plain_peers,
                 "plain torrents and sockets between peers: no TLS, no certificates (to measure what "
                 "encryption costs; the tracker must publish with [pki] insecure_plain_torrents)");
  init->add_option("--tracker-public-key", c.tracker_public_key, "pinned tracker key, 64 hex")->required();
  init->add_option("--key", c.identity_key_file, "identity key file to create")->capture_default_str();
  init->add_option("--token", c.registration_token, "reflector enrollment token");
  init->add_option("--branch", c.branch, "branch to register in");
  init->add_option("--address", c.address, "address announced to the tracker");
  init->add_option("--cache-dir", c.cache_dir, "cache directory")->capture_default_str();
  init->add_option("--quota-bytes", c.quota_bytes, "cache quota in bytes")->required();
  init->add_option("--listen", c.listen, "BitTorrent listen interfaces IP:PORT[,IP:PORT]");
  auto* run = app.add_subcommand("run", "register and cache/seed the branch's layers");
  run->add_option("--config", config_path, "config file")->capture_default_str();
  std::string bundle;
  auto* import = app.add_subcommand("import", "import a portable layer bundle into the cache (bc-layer export)");
  import->add_option("bundle", bundle, "the bundle file")->required();
  import->add_option("--config", config_path, "config file")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (init->parsed()) return cmd_init(c, config_path, pin);
  if (import->parsed()) {
    bc::Status s = bc::reflector::import_command(config_path, bundle);
    return s.ok() ? 0 : fail(s);
  }
  bc::SuperviseOptions so;  // a crash restarts the reflector (layers/util/supervise.hpp)
  so.name = "bc-reflector";
  so.forward_hangup = true;  // SIGHUP reloads the cache quota (the unit's ExecReload)
  return bc::run_supervised(so, [&] { return cmd_run(config_path); });
}
