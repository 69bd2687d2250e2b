// bc-probe: the RTT probe's responder and a ping for people and tests.
#include <CLI/CLI.hpp>

#include "layers/rtt_probe/tool/commands.hpp"

int main(int argc, char** argv) {
  using namespace bc::rtt_probe::tool;
  CLI::App app{"bc-probe: UDP echo responder and RTT ping (branchcast WAN governor probe)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bc-probe " BC_VERSION, "print the name and version, then exit");

  ResponderArgs r;
  auto* responder = app.add_subcommand("responder", "echo probes back (rate-limited per source)");
  responder->add_option("--bind", r.bind, "ADDR:PORT to listen on (port 0 picks one; printed)");
  responder->add_option("--rate", r.rate_per_source, "replies/s per source address (default 200)");
  responder->add_option("--burst", r.burst, "burst per source address (default 50)");
  responder->add_option("--duration-s", r.duration_s, "exit after this long (default: on SIGINT)");

  PingArgs p;
  auto* ping = app.add_subcommand("ping", "probe a responder, print RTT percentiles and loss");
  ping->add_option("--to", p.to, "responder ADDR:PORT")->required();
  ping->add_option("--bind", p.bind, "source address (default: any)");
  ping->add_option("--count", p.count, "probes to send (default 10)")->check(CLI::Range(1, 10'000'000));
  ping->add_option("--interval-ms", p.interval_ms, "time between probes (default 100)");
  ping->add_option("--timeout-ms", p.timeout_ms, "unanswered this long = lost (default 1000)");
  ping->add_option("--size", p.size_bytes, "probe datagram bytes, 24..1200 (default 24)");
  ping->add_flag("--json", p.json, "print one JSON object");

  CLI11_PARSE(app, argc, argv);
  if (*responder) return cmd_responder(r);
  if (*ping) return cmd_ping(p);
  return 2;
}
