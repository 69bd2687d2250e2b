// bc-reflector: `init` writes an identity key (0600) and a config file;
// `run --config FILE` registers with the tracker and caches/seeds the
// branch's layers until SIGINT/SIGTERM.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <spdlog/logger.h>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/supervise.hpp"
#include "reflector/agent/reflector_config.hpp"
#include "reflector/agent/reflector_driver.hpp"

namespace {
std::atomic<bc::reflector::ReflectorDriver*> g_driver{nullptr};
void on_signal(int) {
  if (auto* d = g_driver.load()) d->stop();
}

int fail(const bc::Status& s) {
  std::fprintf(stderr, "bc-reflector: %s\n", s.to_string().c_str());
  return 1;
}

int cmd_init(bc::reflector::ReflectorConfig c, const std::string& config_path) {
  namespace fs = std::filesystem;
  c.identity_key_file = fs::absolute(c.identity_key_file).string();
  c.cache_dir = fs::absolute(c.cache_dir).string();
  bc::Status s = c.validate();
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
  g_driver.store(driver->get());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
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
  bc::reflector::ReflectorConfig c;
  std::string config_path = "reflector.toml";
  auto* init = app.add_subcommand("init", "create an identity key (0600) and a config file");
  init->add_option("--config", config_path, "config file to write (refused if it exists)");
  init->add_option("--tracker-url", c.tracker_url, "http://HOST:PORT")->required();
  init->add_option("--tracker-public-key", c.tracker_public_key, "pinned tracker key, 64 hex")->required();
  init->add_option("--key", c.identity_key_file, "identity key file to create")->required();
  init->add_option("--token", c.registration_token, "reflector enrollment token");
  init->add_option("--branch", c.branch, "branch to register in");
  init->add_option("--address", c.address, "address announced to the tracker");
  init->add_option("--cache-dir", c.cache_dir, "cache directory")->required();
  init->add_option("--quota-bytes", c.quota_bytes, "cache quota in bytes")->required();
  init->add_option("--listen", c.listen, "BitTorrent listen interfaces IP:PORT[,IP:PORT]");
  auto* run = app.add_subcommand("run", "register and cache/seed the branch's layers");
  run->add_option("--config", config_path, "config file")->required();
  CLI11_PARSE(app, argc, argv);
  if (init->parsed()) return cmd_init(c, config_path);
  bc::SuperviseOptions so;  // a crash restarts the reflector (layers/util/supervise.hpp)
  so.name = "bc-reflector";
  return bc::run_supervised(so, [&] { return cmd_run(config_path); });
}
