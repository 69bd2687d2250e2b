#include "netsim/cli.hpp"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "layers/util/fs.hpp"
#include "netsim/emulate/emulation.hpp"
#include "netsim/cli_flags.hpp"
#include "netsim/emulate/scale.hpp"
#include "netsim/linktest.hpp"
#include "netsim/report/plots.hpp"
#include "netsim/report/report.hpp"
#include "netsim/report/run_inputs.hpp"
#include "netsim/scenario/scenario_parse.hpp"
#include "netsim/scenario/to_topology.hpp"
#include "netsim/topo/cleanup.hpp"
#include "netsim/topo/exec.hpp"
#include "netsim/topo/netns.hpp"
#include "netsim/topo/run_lock.hpp"
#include "netsim/topo/topology.hpp"
#include "netsim/wanem/emulator_thread.hpp"

namespace bc::netsim {

namespace {

using namespace cli;

int fail(const Status& s) {
  std::fprintf(stderr, "bc-netsim: %s\n", s.to_string().c_str());
  return s.code() == Status::Code::permission_denied ? 77 : 1;
}

// Blocks SIGINT/SIGTERM in this thread (and threads started after) so they
// are taken synchronously by wait_for_signal.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits up to timeout_ms for a stop signal; true when one arrived.
bool wait_for_signal(const sigset_t& set, int timeout_ms) {
  timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1'000'000L};
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

void dump_stats(EmulatorThread& emu, const std::string& path) {
  if (path.empty()) return;
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << emu.stats_json().dump() << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

int run_wanem(const WanemFlags& f) {
  if (Status s = require_root("bc-netsim wanem"); !s.ok()) return fail(s);
  sigset_t stop = block_stop_signals();
  auto a = TunDevice::create(f.ns_a, f.dev_a);
  if (!a.ok()) return fail(a.status());
  auto b = TunDevice::create(f.ns_b, f.dev_b);
  if (!b.ok()) return fail(b.status());
  for (auto [ns, dev, local, peer] : {std::tuple{f.ns_a, f.dev_a, f.addr_a, f.addr_b},
                                      std::tuple{f.ns_b, f.dev_b, f.addr_b, f.addr_a}}) {
    std::vector<std::string> pre = {"ip", "-n", ns};
    auto with = [&](std::vector<std::string> rest) {
      std::vector<std::string> v = pre;
      v.insert(v.end(), rest.begin(), rest.end());
      return run_command(v).status();
    };
    if (Status s = with({"addr", "add", local, "peer", peer, "dev", dev}); !s.ok()) return fail(s);
    if (Status s = with({"link", "set", dev, "up"}); !s.ok()) return fail(s);
  }
  WanLinkOptions wo;
  wo.a_to_b = f.ab.options(f.seed);
  wo.b_to_a = f.ba.options(f.seed + 1);
  wo.spin_us = f.spin_us;
  EmulatorThread emu;
  if (Status s = emu.add_link("link", std::move(*a), std::move(*b), wo); !s.ok()) return fail(s);
  EmulatorThreadOptions eo;
  eo.realtime_priority = f.rt_priority;
  if (Status s = emu.start(eo); !s.ok()) return fail(s);
  std::fprintf(stderr, "bc-netsim wanem: bridging %s/%s (%s) <-> %s/%s (%s); Ctrl-C stops\n", f.ns_a.c_str(),
               f.dev_a.c_str(), f.addr_a.c_str(), f.ns_b.c_str(), f.dev_b.c_str(), f.addr_b.c_str());
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long>(f.duration_s * 1000));
  while (!wait_for_signal(stop, f.stats_interval_ms)) {
    dump_stats(emu, f.stats_file);
    if (f.duration_s > 0 && std::chrono::steady_clock::now() >= end) break;
  }
  dump_stats(emu, f.stats_file);
  std::printf("%s\n", emu.stats_json().dump(2).c_str());
  emu.stop();
  return 0;
}

int run_validate(const std::string& path) {
  auto s = load_scenario(path);
  if (!s.ok()) return fail(s.status());
  auto topo = scenario_to_topology(*s, "check");
  if (!topo.ok()) return fail(topo.status().with_context(path));
  std::size_t nodes = 0;
  for (const auto& b : s->branches) nodes += b.reflectors + b.endpoints;
  std::printf("%s: ok (scenario %s: %zu branches, %zu nodes, %zu layers, %zu assignments, %zu faults)\n",
              path.c_str(), s->name.c_str(), s->branches.size(), nodes, s->layers.size(), s->assignments.size(),
              s->faults.size());
  return 0;
}

int run_report(const ReportFlags& f) {
  auto s = load_scenario(f.scenario);
  if (!s.ok()) return fail(s.status());
  auto in = load_run_inputs(f.input);
  if (!in.ok()) return fail(in.status());
  Report r = build_report(*s, *in);
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);
  if (ec) return fail(Status::io_error("creating " + f.out + ": " + ec.message()));
  if (Status st = write_file_atomic(f.out + "/report.json", r.to_json().dump(2) + "\n", 0644); !st.ok()) return fail(st);
  std::string table = r.to_table();
  if (Status st = write_file_atomic(f.out + "/report.txt", table, 0644); !st.ok()) return fail(st);
  std::printf("%s", table.c_str());
  if (!f.no_plots) {
    if (Status st = draw_plots(*s, *in, r, f.out); !st.ok()) return fail(st);
    std::printf("\nplots: %s/{wan_rate,queue_delay,completion_cdf,wan_content}.png\n", f.out.c_str());
  }
  return 0;
}

int run_up(const UpFlags& f) {
  if (Status s = require_root("bc-netsim up"); !s.ok()) return fail(s);
  sigset_t stop = block_stop_signals();
  TopologySpec spec;
  spec.run_id = f.run_id;
  spec.datacenter_nodes.push_back(NodeSpec{"tracker", 0});
  for (int b = 1; b <= f.branches; ++b) {
    BranchSpec br;
    br.name = "b" + std::to_string(b);
    br.up = f.up.options(2 * b);
    br.down = f.down.options(2 * b + 1);
    for (int n = 1; n <= f.nodes; ++n) br.nodes.push_back(NodeSpec{br.name + "-n" + std::to_string(n), 0});
    spec.branches.push_back(br);
  }
  auto topo = Topology::build(spec);
  if (!topo.ok()) return fail(topo.status());
  EmulatorThread emu;
  for (WanLinkPlan& p : (*topo)->take_wan_links()) {
    if (Status s = emu.add_link(p.branch, std::move(p.branch_side), std::move(p.dc_side), p.options); !s.ok()) {
      return fail(s);
    }
  }
  EmulatorThreadOptions eo;
  eo.realtime_priority = f.rt_priority;
  if (Status s = emu.start(eo); !s.ok()) return fail(s);
  for (const NodeInfo& n : (*topo)->nodes()) std::printf("node %s %s %s\n", n.name.c_str(), n.netns.c_str(), n.address.c_str());
  std::printf("ready %s\n", f.run_id.c_str());
  std::fflush(stdout);
  while (!wait_for_signal(stop, 1000)) dump_stats(emu, f.stats_file);
  dump_stats(emu, f.stats_file);
  emu.stop();
  Status s = (*topo)->teardown();
  return s.ok() ? 0 : fail(s);
}

int run_emulate(const EmulateFlags& f) {
  if (Status s = require_root("bc-netsim emulate"); !s.ok()) return fail(s);
  auto loaded = load_scenario(f.scenario);
  if (!loaded.ok()) return fail(loaded.status());
  auto scaled = scale_scenario(*loaded, f.scale);
  if (!scaled.ok()) return fail(scaled.status());
  sigset_t stop = block_stop_signals();
  EmulateOptions o;
  o.run_dir = std::filesystem::absolute(f.out).string();
  o.run_id = f.run_id.empty() ? "em" + std::to_string(::getpid() % 1'000'000) : f.run_id;
  o.bin_dir = f.bin_dir;
  o.rt_priority = f.rt_priority;
  o.plots = !f.no_plots;
  o.roots_dir = f.roots;
  o.insecure_plain_peers = f.insecure_plain_peers;
  const auto t0 = std::chrono::steady_clock::now();
  o.progress = [t0](const std::string& line) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[%7.1f] %s\n", s, line.c_str());
    std::fflush(stdout);
  };
  // A signal is taken once; the run must keep seeing it until it returns.
  auto stopped = std::make_shared<bool>(false);
  o.should_stop = [stop, stopped] {
    if (!*stopped) *stopped = wait_for_signal(stop, 0);
    return *stopped;
  };
  std::printf("bc-netsim emulate: scenario %s, scale %g, run dir %s\n", scaled->name.c_str(), f.scale, o.run_dir.c_str());
  auto r = run_emulation(*scaled, o);
  if (!r.ok()) return fail(r.status().with_context("emulate " + f.scenario));
  nlohmann::json run = {{"scenario", f.scenario}, {"name", scaled->name}, {"scale", f.scale},
                        {"run_id", o.run_id}, {"run_s", r->run_s}, {"all_complete", r->all_complete},
                        {"interrupted", r->interrupted}};
  (void)write_file_atomic(o.run_dir + "/run.json", run.dump(2) + "\n", 0644);
  std::printf("\n%s", r->report_table.c_str());
  std::printf("\nrun directory: %s (links.json, nodes.json, report.json, report.txt, logs under nodes/ and tracker/)\n",
              o.run_dir.c_str());
  if (!f.no_plots) std::printf("plots: %s/{wan_rate,queue_delay,completion_cdf,wan_content}.png\n", o.run_dir.c_str());
  if (r->interrupted) return 130;
  return r->all_complete ? 0 : 3;
}

int run_linktest_cmd(const LinkTestFlags& f) {
  if (Status s = require_root("bc-netsim linktest"); !s.ok()) return fail(s);
  // A stop signal mid-measurement deletes this run's namespaces and exits;
  // the TUN devices go with the process.
  sigset_t stop = block_stop_signals();
  std::thread([stop, run = f.o.run_id] {
    int sig = 0;
    sigwait(&stop, &sig);
    for (const std::string& ns : list_netns(netns_name(run, ""))) (void)delete_netns(ns);
    ::unlink((std::string(kRunLockDir) + "/" + run + ".lock").c_str());
    std::fprintf(stderr, "bc-netsim linktest: stopped by signal %d, namespaces removed\n", sig);
    ::_exit(130);
  }).detach();
  auto report = run_link_test(f.o);
  if (!report.ok()) return fail(report.status());
  std::printf("%s", format_link_test(*report).c_str());
  if (!f.json_path.empty()) std::ofstream(f.json_path) << report->dump(2) << "\n";
  return 0;
}

int run_cleanup(bool all) {
  auto report = cleanup_runs(all);
  if (!report.ok()) return fail(report.status());
  for (const auto& ns : report->removed_netns) std::printf("removed %s\n", ns.c_str());
  for (const auto& run : report->live_runs_kept) std::printf("kept live run %s\n", run.c_str());
  std::printf("%zu namespaces removed, %d processes killed\n", report->removed_netns.size(), report->killed_processes);
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"bc-netsim: branchcast's network emulator (namespaces + a userspace WAN link emulator)"};
  app.require_subcommand(1);
  WanemFlags wf;
  CLI::App* wanem = wf.add(app);
  UpFlags uf;
  CLI::App* up = uf.add(app);
  LinkTestFlags lf;
  CLI::App* lt = lf.add(app);
  bool all = false;
  CLI::App* cl = app.add_subcommand("cleanup", "remove namespaces left by dead runs");
  cl->add_flag("--all", all, "also remove namespaces of live runs");
  std::string validate_path;
  CLI::App* va = app.add_subcommand("validate", "parse and validate a scenario file");
  va->add_option("file", validate_path, "scenario TOML")->required();
  ReportFlags rf;
  CLI::App* rp = rf.add(app);
  EmulateFlags ef;
  CLI::App* em = ef.add(app);

  CLI11_PARSE(app, argc, argv);
  if (em->parsed()) return run_emulate(ef);
  if (va->parsed()) return run_validate(validate_path);
  if (rp->parsed()) return run_report(rf);
  if (wanem->parsed()) return run_wanem(wf);
  if (up->parsed()) return run_up(uf);
  if (lt->parsed()) return run_linktest_cmd(lf);
  return run_cleanup(all);
}

}  // namespace bc::netsim
