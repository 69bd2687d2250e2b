// bcctl rollout status [--watch]: the rollout per branch, once or live.
// --watch polls with If-None-Match (a 304 costs the tracker no body), redraws
// in place on a terminal and appends lines otherwise (logs, CI); -o json
// with --watch prints one JSON document per line when something moved.
// Ctrl-C ends the watch with exit 0.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/rollout_view.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted = true; }

struct RolloutFlags {
  bool watch = false;
  std::string branch;
  double interval_s = 2;
};

int rollout_status(const Globals& g, const RolloutFlags& f) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  if (f.watch) {
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
  }
  const bool tty = ::isatty(1) == 1;
  std::string etag;
  while (!g_interrupted) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!etag.empty()) h.emplace_back("If-None-Match", etag);
    auto r = api->get_raw("/api/v1/status/rollout", h);
    if (!r.ok()) return fail(r.status());
    if (r->status == 200) {
      json body = json::parse(r->body, nullptr, false);
      if (!body.is_object()) return fail(Exit::failed, "tracker answered the rollout status with a body that is not JSON");
      if (!f.branch.empty()) {
        json kept = json::array();
        for (const auto& b : body["branches"])
          if (b.value("name", "") == f.branch) kept.push_back(b);
        if (kept.empty()) return fail(Exit::not_found, "branch '" + f.branch + "' does not exist (or has no nodes)");
        body["branches"] = kept;
      }
      etag = r->header("etag");
      if (g.json()) std::cout << (f.watch ? body.dump() : body.dump(2)) << std::endl;
      else if (!f.watch) std::cout << render_rollout(body, f.branch);
      else if (tty) std::cout << "\033[H\033[2J" << render_rollout(body, f.branch) << "\n(Ctrl-C to stop)" << std::flush;
      else std::cout << render_rollout_lines(body, f.branch) << std::flush;
    } else if (r->status != 304) {
      return fail(status_for_http(r->status, r->body));
    }
    if (!f.watch) return 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(int64_t(f.interval_s * 1000));
    while (!g_interrupted && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (tty && !g.json()) std::cout << "\n";
  return 0;
}

}  // namespace

void add_rollout_commands(CLI::App& app, Globals& g, Run& run) {
  auto* rollout = app.add_subcommand("rollout", "The rollout, per branch");
  rollout->require_subcommand(1);
  auto f = std::make_shared<RolloutFlags>();
  auto* status = rollout->add_subcommand(
      "status", "Per branch: endpoints done/total per layer, bytes by source, WAN rate against its cap, ETA, errors");
  status->add_flag("-w,--watch", f->watch, "Keep watching: redraw on a terminal, append lines otherwise; Ctrl-C stops");
  status->add_option("--branch", f->branch, "Only this branch");
  status->add_option("--interval", f->interval_s, "Seconds between polls with --watch (default 2)")->check(CLI::Range(0.2, 3600.0));
  examples(status, "  bcctl rollout status\n  bcctl rollout status --watch --branch berlin\n"
                   "  bcctl rollout status --watch -o json | jq .branches[0].wan\n");
  status->callback([&g, &run, f] { run = [&g, f] { return rollout_status(g, *f); }; });
}

}  // namespace bc::ctl
