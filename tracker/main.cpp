// bc-tracker: the central server. `bc-tracker serve --config FILE [--insecure-plain-http]`:
// HTTPS by default, with the certificate its own CA (DATA/pki) issues.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "tracker/app/tracker_app.hpp"

namespace {

int serve(const std::string& config_path, const std::string& port_file, bool insecure_plain_http) {
  auto config = bc::tracker::load_config(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "bc-tracker: %s\n", config.status().to_string().c_str());
    return 2;
  }
  if (!port_file.empty()) config->port_file = port_file;
  if (insecure_plain_http) {
    config->insecure_plain_http = true;
    if (auto s = config->validate(); !s.ok()) {
      std::fprintf(stderr, "bc-tracker: --insecure-plain-http: %s\n", s.to_string().c_str());
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  // Block the stop signals before any thread starts; wait for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  bc::SystemClock clock;
  auto app = bc::tracker::TrackerApp::create(*config, clock);
  if (!app.ok()) {
    std::fprintf(stderr, "bc-tracker: %s\n", app.status().to_string().c_str());
    return 1;
  }
  auto port = (*app)->start();
  if (!port.ok()) {
    std::fprintf(stderr, "bc-tracker: %s\n", port.status().to_string().c_str());
    return 1;
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("bc-tracker: signal {}, stopping", sig);
  (*app)->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bc-tracker: branchcast's central server (layers, branches, enrollment, assignments, status)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bc-tracker " BC_VERSION, "print the name and version, then exit");
  auto* serve_cmd = app.add_subcommand("serve", "run the tracker");
  std::string config_path, port_file;
  bool insecure_plain_http = false;
  serve_cmd->add_option("--config", config_path, "TOML configuration file")->required();
  serve_cmd->add_option("--port-file", port_file, "write the bound port here (overrides server.port_file)");
  serve_cmd->add_flag("--insecure-plain-http", insecure_plain_http,
                      "serve plain HTTP instead of HTTPS (tokens and keys in clear; tests only)");
  CLI11_PARSE(app, argc, argv);
  return serve(config_path, port_file, insecure_plain_http);
}
