// bc-endpoint: flags -> commands.hpp.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "endpoint/commands.hpp"
#include "endpoint/role.hpp"
#include "layers/util/supervise.hpp"

namespace {
int finish(const bc::Status& s) {
  if (s.ok()) return 0;
  std::fprintf(stderr, "bc-endpoint: %s\n", s.to_string().c_str());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace bc::endpoint;
  CLI::App app{role_summary()};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bc-endpoint " BC_VERSION, "print the name and version, then exit");

  EnrollArgs ea;
  auto* enroll = app.add_subcommand("enroll", "create this node's identity and enroll with the tracker");
  enroll->add_option("--tracker", ea.tracker_url, "tracker URL, https://HOST:PORT")->required();
  enroll->add_option("--tracker-ca", ea.tracker_ca_file,
                     "the tracker's CA certificate (its DATA/pki/ca.pem), pinned; without it or a fingerprint "
                     "the CA served now is trusted on first use");
  enroll->add_option("--tracker-ca-fingerprint", ea.tracker_ca_fingerprint,
                     "SHA-256 of the tracker's CA certificate (as bc-tracker logs it), pinned");
  enroll->add_flag("--insecure-plain-http", ea.insecure_plain_http,
                   "allow an http:// tracker URL: no TLS, the token and requests in clear (tests only)");
  enroll->add_flag("--insecure-plain-peers", ea.insecure_plain_peers,
                   "plain torrents and sockets between peers: no TLS, no certificates (to measure what "
                   "encryption costs; the tracker must publish with [pki] insecure_plain_torrents)");
  enroll->add_option("--token", ea.token, "enrollment token")->required();
  enroll->add_option("--dir", ea.dir, "state directory")->capture_default_str();
  enroll->add_option("--root", ea.root, "target tree the layers are applied to")->capture_default_str();
  enroll->add_option("--tracker-pubkey", ea.tracker_pubkey_file,
                     "file with the tracker's public key (hex); without it the key served now is pinned");
  enroll->add_option("--branch", ea.branch, "requested branch (the token's branch wins)");
  enroll->add_option("--hardware-root", ea.hardware_root,
                     "read hardware facts from DIR/sys and DIR/proc (driver layers match them)")
      ->capture_default_str();
  enroll->add_option("--listen", ea.listen, "swarm listen interfaces IP:PORT")->capture_default_str();
  enroll->add_option("--poll-interval-ms", ea.poll_interval_ms, "desired-state poll period")->capture_default_str();
  enroll->add_option("--lan-download-limit", ea.lan_download_limit_bytes_per_s,
                     "download cap from branch peers, bytes/s (0: none)")->capture_default_str();

  RunArgs ra;
  auto* run = app.add_subcommand("run", "run the agent: download, verify and apply the desired stack");
  run->add_option("--dir", ra.dir, "state directory")->capture_default_str();
  run->add_flag("--exit-when-applied", ra.exit_when_converged,
                "return once the desired stack is applied and every report delivered");
  run->add_option("--max-run-ms", ra.max_run_ms, "give up after this long (0: never)")->capture_default_str();
  run->add_option("--retry-after-ms", ra.retry_after_ms, "wait before retrying a failed layer")->capture_default_str();

  std::string dir = kDefaultDir;
  bool as_json = false;
  auto* status = app.add_subcommand("status", "show the applied stack, generations, held layers, queued reports");
  status->add_option("--dir", dir, "state directory")->capture_default_str();
  status->add_flag("--json", as_json, "machine-readable output");
  auto* rollback = app.add_subcommand("rollback", "return the target to the previous generation");
  rollback->add_option("--dir", dir, "state directory")->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (*enroll) return finish(enroll_command(ea));
  if (*run) {  // supervised: a crash restarts the agent (layers/util/supervise.hpp)
    bc::SuperviseOptions so;
    so.name = "bc-endpoint";
    return bc::run_supervised(so, [&] { return finish(run_command(ra)); });
  }
  if (*status) return finish(status_command(dir, as_json));
  if (*rollback) return finish(rollback_command(dir));
  return 2;
}
