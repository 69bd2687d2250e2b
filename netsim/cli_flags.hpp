// bc-netsim's subcommands and their flags: each *Flags struct holds one
// subcommand's values (with their defaults) and registers its options with
// CLI11 in add(). cli.cpp runs what they parsed. Only cli.cpp includes this.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "netsim/linktest.hpp"
#include "netsim/realistic/realistic_tree.hpp"
#include "netsim/wanem/link_options.hpp"

namespace bc::netsim::cli {

// Flags of one link direction, in the units people quote.
struct DirectionFlags {
  double rate_mbit = 10;
  double delay_ms = 0;
  double queue_ms = 50;
  double loss = 0;

  void add(CLI::App* app, const std::string& dir) {
    app->add_option("--rate-" + dir, rate_mbit, "rate " + dir + ", Mbit/s")->capture_default_str();
    app->add_option("--delay-" + dir, delay_ms, "one-way delay " + dir + ", ms")->capture_default_str();
    app->add_option("--queue-" + dir, queue_ms, "queue limit " + dir + ", ms at link rate")->capture_default_str();
    app->add_option("--loss-" + dir, loss, "loss probability " + dir + " in [0,1)")->capture_default_str();
  }
  LinkOptions options(std::uint64_t seed) const {
    LinkOptions o = quoted_link(rate_mbit, delay_ms, queue_ms, loss);
    o.seed = seed;
    return o;
  }
};

struct WanemFlags {
  std::string ns_a, ns_b, dev_a = "wanem0", dev_b = "wanem0", addr_a = "10.254.0.1", addr_b = "10.254.0.2";
  DirectionFlags ab, ba;
  std::uint64_t seed = 1;
  std::string stats_file;
  int stats_interval_ms = 1000;
  int rt_priority = 50;
  std::int64_t spin_us = 0;
  double duration_s = 0;

  CLI::App* add(CLI::App& app) {
    CLI::App* wanem = app.add_subcommand("wanem", "run one WAN link emulator between two TUN devices");
    // Both sides must be namespaces: the emulator never adds addresses to the host's.
    wanem->add_option("--ns-a", ns_a, "existing network namespace of side A")->required();
    wanem->add_option("--ns-b", ns_b, "existing network namespace of side B")->required();
    wanem->add_option("--dev-a", dev_a, "TUN name of side A")->capture_default_str();
    wanem->add_option("--dev-b", dev_b, "TUN name of side B")->capture_default_str();
    wanem->add_option("--addr-a", addr_a, "IPv4 address of side A")->capture_default_str();
    wanem->add_option("--addr-b", addr_b, "IPv4 address of side B")->capture_default_str();
    ab.add(wanem, "ab");
    ba.add(wanem, "ba");
    wanem->add_option("--seed", seed, "loss RNG seed")->capture_default_str();
    wanem->add_option("--stats-file", stats_file, "JSON stats file, rewritten every interval");
    wanem->add_option("--stats-interval-ms", stats_interval_ms)->capture_default_str()->check(CLI::Range(100, 600000));
    wanem->add_option("--rt-priority", rt_priority, "SCHED_FIFO priority, 0 = off")->capture_default_str()->check(CLI::Range(0, 99));
    wanem->add_option("--spin-us", spin_us, "busy-wait budget before departures, us")->check(CLI::Range(0, 5000));
    wanem->add_option("--duration-s", duration_s, "stop after this long (0: on SIGINT/SIGTERM)");
    return wanem;
  }
};

struct ReportFlags {
  std::string scenario, input, out;
  bool no_plots = false;

  CLI::App* add(CLI::App& app) {
    CLI::App* rp = app.add_subcommand("report", "report of a run: WAN bytes, completion vs bound, queue delay, plots");
    rp->add_option("--scenario", scenario, "the run's scenario TOML")->required();
    rp->add_option("--input", input, "run directory holding links.json and nodes.json")->required();
    rp->add_option("--out", out, "output directory (report.json, report.txt, *.png)")->required();
    rp->add_flag("--no-plots", no_plots, "skip gnuplot");
    return rp;
  }
};

struct UpFlags {
  std::string run_id = "up";
  int branches = 1;
  int nodes = 2;
  DirectionFlags up, down;
  std::string stats_file;
  int rt_priority = 50;

  CLI::App* add(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand("up", "build a topology (datacenter + branches) and hold it until a signal");
    cmd->add_option("--run-id", run_id, "namespaces are bcns-<run-id>-*")->capture_default_str();
    cmd->add_option("--branches", branches)->capture_default_str()->check(CLI::Range(1, 250));
    cmd->add_option("--nodes", nodes, "nodes per branch")->capture_default_str()->check(CLI::Range(0, 240));
    up.add(cmd, "up");
    down.add(cmd, "down");
    cmd->add_option("--stats-file", stats_file, "JSON stats of every WAN link, rewritten every second");
    cmd->add_option("--rt-priority", rt_priority, "SCHED_FIFO priority of the emulator, 0 = off")
        ->capture_default_str()->check(CLI::Range(0, 99));
    return cmd;
  }
};

struct EmulateFlags {
  std::string scenario, out, run_id, bin_dir;
  std::string roots = kDefaultRootsDir;
  double scale = 1.0;
  int rt_priority = 50;
  bool insecure_plain_peers = false;
  bool no_plots = false;

  CLI::App* add(CLI::App& app) {
    CLI::App* em = app.add_subcommand("emulate", "run a scenario with the real tracker, reflectors and endpoints in namespaces");
    em->add_option("scenario", scenario, "scenario TOML")->required();
    em->add_option("--out", out, "run directory (created): logs, links.json, nodes.json, report, plots")->required();
    em->add_option("--scale", scale, "shrink layer sizes and times by this factor (e.g. 0.0625)")
        ->capture_default_str()->check(CLI::Range(1.0 / 1024, 1.0));
    em->add_option("--run-id", run_id, "namespaces are bcns-<run-id>-* (default em<pid>)");
    em->add_option("--bin-dir", bin_dir, "directory of bc-tracker, bc-reflector, bc-endpoint (default: build tree, PATH)");
    em->add_option("--rt-priority", rt_priority, "SCHED_FIFO priority of the emulator, 0 = off")
        ->capture_default_str()->check(CLI::Range(0, 99));
    em->add_flag("--no-plots", no_plots, "skip gnuplot");
    em->add_option("--roots", roots,
                   "Debian roots v1/v2 for layers with content = \"realistic\" (scripts/realistic-roots.sh DIR)")
        ->capture_default_str();
    em->add_flag("--insecure-plain-peers", insecure_plain_peers,
                 "plain torrents and sockets between peers (no TLS): to measure what encryption costs");
    return em;
  }
};

struct LinkTestFlags {
  LinkTestOptions o;
  std::string json_path;  // --json: the full report, when set

  CLI::App* add(CLI::App& app) {
    CLI::App* lt = app.add_subcommand("linktest", "measure the link emulator's accuracy on a two-namespace link");
    lt->add_option("--run-id", o.run_id)->capture_default_str();
    lt->add_option("--rates", o.rates_mbit, "rates to measure, Mbit/s")->capture_default_str();
    lt->add_option("--delay-ms", o.delay_ms, "one-way delay")->capture_default_str();
    lt->add_option("--queue-ms", o.queue_ms, "queue limit, ms at link rate")->capture_default_str();
    lt->add_option("--loss", o.loss, "loss probability of the loss phase")->capture_default_str();
    lt->add_option("--flow-ms", o.flow_ms, "length of each rate flow")->capture_default_str();
    lt->add_option("--rtt-probes", o.rtt_probes)->capture_default_str();
    lt->add_flag("!--no-tcp", o.tcp, "skip the TCP flows");
    lt->add_option("--rt-priority", o.realtime_priority, "SCHED_FIFO priority of the probes (the emulator runs 10 above), 0 = off")->capture_default_str()->check(CLI::Range(0, 99));
    lt->add_option("--spin-us", o.spin_us, "busy-wait budget before departures, us")->check(CLI::Range(0, 5000));
    lt->add_option("--json", json_path, "write the full report here");
    return lt;
  }
};

}  // namespace bc::netsim::cli
