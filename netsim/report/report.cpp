#include "netsim/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "netsim/report/kumar_ross.hpp"

namespace bc::netsim {

namespace {

// Packet headers and TCP acks make the link carry more than the payload; more
// than this share on top of payload + cross traffic is flagged.
constexpr double kOverheadTolerance = 0.15;
constexpr std::uint64_t kSlackBytes = 1 << 20;

std::string branch_of(const Scenario& s, const std::string& node) {
  for (const auto& b : s.branches)
    if (node.rfind(b.name + "-", 0) == 0) return b.name;
  return "";
}

std::uint64_t source(const NodeData& n, const char* key) {
  auto it = n.bytes_by_source.find(key);
  return it == n.bytes_by_source.end() ? 0 : it->second;
}

void cross_check(BranchReport& r) {
  if (r.wan_down_bt_stream_bytes >= 0) {
    // Class tallies: hold the nodes' WAN payload against the BitTorrent
    // stream the link carried (no headers, no cross traffic, no HTTP).
    const auto stream = static_cast<double>(r.wan_down_bt_stream_bytes);
    if (static_cast<double>(r.nodes_wan_bytes) > stream) {
      r.cross_check_ok = false;
      r.cross_check_note = "nodes report more WAN bytes than the link's BitTorrent stream carried";
      return;
    }
    if (stream > static_cast<double>(r.nodes_wan_bytes) * (1 + kOverheadTolerance) + kSlackBytes) {
      r.cross_check_ok = false;
      r.cross_check_note = "the link's BitTorrent stream carried more than nodes' WAN bytes + 15%";
      return;
    }
    r.cross_check_note = "ok";
    return;
  }
  if (r.nodes_wan_bytes > r.wan_down_bytes) {
    r.cross_check_ok = false;
    r.cross_check_note = "nodes report more WAN bytes than the link carried";
    return;
  }
  double budget = (static_cast<double>(r.nodes_wan_bytes) + static_cast<double>(r.cross_down_bytes_expected)) *
                      (1 + kOverheadTolerance) + kSlackBytes;
  if (static_cast<double>(r.wan_down_bytes) > budget) {
    r.cross_check_ok = false;
    r.cross_check_note = "link carried more than nodes' WAN bytes + cross traffic + 15%";
    return;
  }
  r.cross_check_note = "ok";
}

double ratio(double num, std::int64_t den) { return den > 0 ? num / static_cast<double>(den) : -1; }

// With content facts the new content is counted from the layers: raw and
// wire (content_facts.hpp). new_content_bytes becomes the raw count, so the
// older ratios keep their meaning (bytes against the content itself).
void content_ratios(const Scenario& s, const BranchDef& b, const RunInputs& in, BranchReport& r, Report& rep) {
  if (!in.content) return;
  std::uint64_t raw = 0, wire = 0;
  const std::vector<NewContent> news = assignment_new_content(s, *in.content, b.name);
  for (std::size_t i = 0; i < news.size(); ++i) {
    const NewContent& n = news[i];
    if (n.raw_bytes > 0 || n.wire_bytes > 0)
      r.new_content_by_assignment.push_back({s.assignments[i].layer, s.assignments[i].version, n.raw_bytes, n.wire_bytes});
    if (!n.known) {
      rep.warnings.push_back("content.json lacks a layer version assigned to branch " + b.name +
                             ": its new content comes from the scenario");
      return;
    }
    raw += n.raw_bytes, wire += n.wire_bytes;
  }
  r.raw_new_content_bytes = static_cast<std::int64_t>(raw);
  r.wire_new_content_bytes = static_cast<std::int64_t>(wire);
  r.new_content_bytes = raw;
  if (r.wan_down_bt_stream_bytes >= 0) {
    const auto stream = static_cast<double>(r.wan_down_bt_stream_bytes);
    r.bt_stream_per_new_content = ratio(stream, r.raw_new_content_bytes);
    r.bt_stream_per_raw = r.bt_stream_per_new_content;
    r.bt_stream_per_wire = ratio(stream, r.wire_new_content_bytes);
  }
  r.wan_down_per_raw = ratio(static_cast<double>(r.wan_down_bytes), r.raw_new_content_bytes);
  r.wan_down_per_wire = ratio(static_cast<double>(r.wan_down_bytes), r.wire_new_content_bytes);
}

BranchReport branch_report(const Scenario& s, const BranchDef& b, const RunInputs& in, Report& rep) {
  BranchReport r;
  r.branch = b.name;
  r.new_content_bytes = branch_new_content_bytes(s, b.name);
  r.cross_down_bytes_expected = expected_cross_down_bytes(b, s.duration_ms);
  auto link = std::find_if(in.links.begin(), in.links.end(), [&](const LinkData& l) { return l.branch == b.name; });
  if (link == in.links.end()) {
    rep.warnings.push_back("no link stats for branch " + b.name);
  } else {
    r.wan_down_bytes = link->down.bytes_out, r.wan_up_bytes = link->up.bytes_out;
    r.drops_down = link->down.drops, r.drops_up = link->up.drops;
    r.qdelay_down_ms[0] = link->down.queue_delay_p50_ms, r.qdelay_down_ms[1] = link->down.queue_delay_p95_ms;
    r.qdelay_down_ms[2] = link->down.queue_delay_p99_ms;
    r.qdelay_up_ms[0] = link->up.queue_delay_p50_ms, r.qdelay_up_ms[1] = link->up.queue_delay_p95_ms;
    r.qdelay_up_ms[2] = link->up.queue_delay_p99_ms;
    if (link->down.has_classes) {
      r.wan_down_bt_stream_bytes = static_cast<std::int64_t>(link->down.bt_payload_bytes);
      r.wan_down_bt_ip_bytes = link->down.bt_ip_bytes;
      r.wan_down_tracker_ip_bytes = link->down.tracker_ip_bytes;
      if (r.new_content_bytes > 0)
        r.bt_stream_per_new_content = static_cast<double>(link->down.bt_payload_bytes) /
                                      static_cast<double>(r.new_content_bytes);
    }
  }
  content_ratios(s, b, in, r, rep);
  if (r.new_content_bytes > 0)
    r.wan_down_per_new_content = static_cast<double>(r.wan_down_bytes) / static_cast<double>(r.new_content_bytes);
  for (const NodeData& n : in.nodes) {
    if (branch_of(s, n.name) != b.name) continue;
    r.nodes_wan_bytes += source(n, "wan");
    r.nodes_lan_bytes += source(n, "lan");
  }
  std::vector<double> lat;
  for (const auto& d : in.interactive)
    if (d.branch == b.name) lat.insert(lat.end(), d.latency_ms.begin(), d.latency_ms.end());
  r.interactive_p50_ms = percentile(lat, 0.50), r.interactive_p95_ms = percentile(lat, 0.95);
  cross_check(r);
  return r;
}

const NodeData* find_node(const RunInputs& in, const std::string& name) {
  for (const auto& n : in.nodes)
    if (n.name == name) return &n;
  return nullptr;
}

// One row per (endpoint, assignment targeting its branch).
void completion_rows(const Scenario& s, const RunInputs& in, Report& rep) {
  for (const BranchDef& b : s.branches) {
    SwarmCapacity cap = branch_capacity(s, b);
    // The bound is on the bytes that must cross: the wire new content when
    // the run says what it is.
    std::vector<NewContent> news;
    if (in.content) news = assignment_new_content(s, *in.content, b.name);
    for (std::size_t e = 1; e <= b.endpoints; ++e) {
      const NodeData* n = find_node(in, b.endpoint_name(e));
      if (n == nullptr) rep.warnings.push_back("no counters for node " + b.endpoint_name(e));
      for (std::size_t i = 0; i < s.assignments.size(); ++i) {
        const AssignmentDef& a = s.assignments[i];
        if (!assignment_targets(a, b.name)) continue;
        CompletionReport c;
        c.node = b.endpoint_name(e), c.branch = b.name, c.layer = a.layer, c.version = a.version;
        c.assigned_ms = a.at_ms;
        c.bound_bytes = i < news.size() && news[i].known ? news[i].wire_bytes : assignment_new_bytes(s, i, b.name);
        c.bound_s = kumar_ross_lower_bound_s(static_cast<double>(c.bound_bytes), cap);
        if (n != nullptr) {
          for (const Completion& done : n->completions)
            if (done.layer == a.layer && done.version == a.version && done.done_ms >= a.at_ms) {
              if (c.done_ms < 0 || done.done_ms < c.done_ms) c.done_ms = done.done_ms;
            }
        }
        if (c.done_ms >= 0) {
          c.elapsed_s = static_cast<double>(c.done_ms - c.assigned_ms) / 1000.0;
          if (c.bound_s > 0) c.ratio = c.elapsed_s / c.bound_s;
        }
        rep.completions.push_back(c);
      }
    }
  }
}

std::string mib(std::uint64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(b) / (1 << 20));
  return buf;
}

std::string governor_table(const std::vector<GovernorFigures>& gs) {
  std::string out =
      "\nWAN governor (downlink, over each branch's rollout; added delay = interactive latency - unloaded baseline)\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-8s %-8s %9s %9s %9s %8s %15s %17s %s\n", "branch", "mode", "rollout s",
                "roll Mb/s", "xt Mb/s", "spare %", "added p50/p95", "qdelay mean/p95", "(ms)");
  out += line;
  for (const auto& g : gs) {
    char added[48], q[48];
    std::snprintf(added, sizeof added, "%.1f/%.1f", g.added_p50_ms, g.added_p95_ms);
    std::snprintf(q, sizeof q, "%.1f/%.1f", g.qdelay_mean_p50_ms, g.qdelay_mean_p95_ms);
    const double rs = g.rollout_end_ms > g.rollout_start_ms ? (g.rollout_end_ms - g.rollout_start_ms) / 1000.0 : -1;
    std::snprintf(line, sizeof line, "%-8s %-8s %8.1f%s %9.2f %9.2f %8.1f %15s %17s\n", g.branch.c_str(), g.mode.c_str(),
                  rs, g.rollout_done ? " " : "+", g.rollout_mbit, g.cross_mbit, g.spare_taken * 100, added, q);
    out += line;
    if (g.xt_qdelay_packets > 0) {
      std::snprintf(line, sizeof line,
                    "         cross traffic's packets at the link: queue delay p50/p95 %.0f/%.0f ms (unloaded p50 "
                    "%.0f ms): added p95 %.0f ms, %llu packets\n",
                    g.xt_qdelay_p50_ms, g.xt_qdelay_p95_ms, g.xt_qdelay_unloaded_p50_ms, g.xt_qdelay_added_p95_ms,
                    static_cast<unsigned long long>(g.xt_qdelay_packets));
      out += line;
      if (g.xt_added_p95_ms >= 0) {
        std::snprintf(line, sizeof line,
                      "         added to each of them against a queue of the cross traffic alone: p50/p95 %.0f/%.0f ms "
                      "(before the rollout p95 %.0f ms)\n",
                      g.xt_added_p50_ms, g.xt_added_p95_ms, g.xt_added_unloaded_p95_ms);
        out += line;
      }
    }
    if (g.spare_taken_within_cap >= 0) {
      std::snprintf(line, sizeof line, "         spare taken within the policy's cap (min(spare, cap) per 100 ms): %.1f%%\n",
                    g.spare_taken_within_cap * 100);
      out += line;
    }
    for (const auto& c : g.caps) {
      std::snprintf(line, sizeof line,
                    "         cap %.3f Mbit/s over [%.0f, %.0f) s, %d x 10 s windows: payload at the link %.3f..%.3f "
                    "(mean %.3f) x cap, IP bytes %.3f..%.3f\n",
                    c.cap_bytes_per_s * 8 / 1e6, c.from_ms / 1000.0, c.to_ms / 1000.0, c.windows, c.payload_min,
                    c.payload_max, c.payload_mean, c.ip_min, c.ip_max);
      out += line;
    }
    if (g.window_change_latency_ms >= 0 || g.window_change_half_ms >= 0) {
      std::snprintf(line, sizeof line,
                    "         window change: link rate past the midpoint of the caps %.0f ms, within 10%% of the new cap "
                    "%.0f ms after the boundary\n",
                    g.window_change_half_ms, g.window_change_latency_ms);
      out += line;
    }
  }
  out += "         (+ = not done by the end of the run)\n";
  return out;
}

}  // namespace

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  std::size_t rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

std::uint64_t expected_cross_down_bytes(const BranchDef& b, std::int64_t duration_ms) {
  double sum = 0;
  for (const CrossFlowDef& f : b.cross_traffic) {
    std::int64_t stop = f.stop_ms < 0 ? duration_ms : std::min(f.stop_ms, duration_ms);
    double active_s = static_cast<double>(std::max<std::int64_t>(0, stop - f.start_ms)) / 1000.0;
    if (f.kind == CrossKind::constant) {
      if (f.direction == Direction::down) sum += active_s * static_cast<double>(f.rate_bytes_per_s);
    } else {
      sum += std::floor(active_s * 1000.0 / static_cast<double>(f.interval_ms)) * f.response_bytes;
    }
  }
  return static_cast<std::uint64_t>(sum);
}

Report build_report(const Scenario& s, const RunInputs& in) {
  Report rep;
  rep.scenario = s.name;
  for (const BranchDef& b : s.branches) rep.branches.push_back(branch_report(s, b, in, rep));
  completion_rows(s, in, rep);
  for (const BranchDef& b : s.branches)
    if (!b.cross_traffic.empty() || b.wan_policy || b.cap_window || b.governor != GovernorMode::on)
      rep.governor.push_back(governor_figures(s, b, in));
  for (const auto& l : in.links)
    if (s.branch(l.branch) == nullptr) rep.warnings.push_back("link stats for unknown branch " + l.branch);
  return rep;
}

nlohmann::json Report::to_json() const {
  nlohmann::json j;
  j["scenario"] = scenario;
  j["branches"] = nlohmann::json::array();
  for (const auto& b : branches) {
    j["branches"].push_back(
        {{"branch", b.branch}, {"wan_down_bytes", b.wan_down_bytes}, {"wan_up_bytes", b.wan_up_bytes},
         {"new_content_bytes", b.new_content_bytes}, {"wan_down_per_new_content", b.wan_down_per_new_content},
         {"wan_down_bt_stream_bytes", b.wan_down_bt_stream_bytes},
         {"bt_stream_per_new_content", b.bt_stream_per_new_content},
         {"wan_down_bt_ip_bytes", b.wan_down_bt_ip_bytes}, {"wan_down_tracker_ip_bytes", b.wan_down_tracker_ip_bytes},
         {"nodes_wan_bytes", b.nodes_wan_bytes}, {"nodes_lan_bytes", b.nodes_lan_bytes},
         {"cross_down_bytes_expected", b.cross_down_bytes_expected}, {"cross_check_ok", b.cross_check_ok},
         {"cross_check_note", b.cross_check_note},
         {"queue_delay_down_ms", {{"p50", b.qdelay_down_ms[0]}, {"p95", b.qdelay_down_ms[1]}, {"p99", b.qdelay_down_ms[2]}}},
         {"queue_delay_up_ms", {{"p50", b.qdelay_up_ms[0]}, {"p95", b.qdelay_up_ms[1]}, {"p99", b.qdelay_up_ms[2]}}},
         {"drops_down", b.drops_down}, {"drops_up", b.drops_up},
         {"interactive_p50_ms", b.interactive_p50_ms}, {"interactive_p95_ms", b.interactive_p95_ms},
         {"raw_new_content_bytes", b.raw_new_content_bytes}, {"wire_new_content_bytes", b.wire_new_content_bytes},
         {"bt_stream_per_raw", b.bt_stream_per_raw}, {"bt_stream_per_wire", b.bt_stream_per_wire},
         {"wan_down_per_raw", b.wan_down_per_raw}, {"wan_down_per_wire", b.wan_down_per_wire}});
    nlohmann::json by = nlohmann::json::array();
    for (const auto& a : b.new_content_by_assignment)
      by.push_back({{"layer", a.layer}, {"version", a.version}, {"raw_bytes", a.raw_bytes}, {"wire_bytes", a.wire_bytes}});
    j["branches"].back()["new_content_by_assignment"] = std::move(by);
  }
  j["completions"] = nlohmann::json::array();
  for (const auto& c : completions) {
    j["completions"].push_back({{"node", c.node}, {"branch", c.branch}, {"layer", c.layer}, {"version", c.version},
                                {"assigned_ms", c.assigned_ms}, {"done_ms", c.done_ms}, {"elapsed_s", c.elapsed_s},
                                {"bound_s", c.bound_s}, {"bound_bytes", c.bound_bytes}, {"ratio", c.ratio}});
  }
  j["governor"] = nlohmann::json::array();
  for (const auto& g : governor) j["governor"].push_back(g.to_json());
  j["warnings"] = warnings;
  return j;
}

std::string Report::to_table() const {
  std::string out = "scenario " + scenario + "\n\nWAN bytes per branch (MiB)\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-8s %10s %10s %10s %8s %10s %10s %-6s %s\n", "branch", "down", "up", "new",
                "down/new", "nodes-wan", "nodes-lan", "check", "queue delay down p50/p95/p99 ms");
  out += line;
  for (const auto& b : branches) {
    char q[96];
    std::snprintf(q, sizeof q, "%.1f/%.1f/%.1f", b.qdelay_down_ms[0], b.qdelay_down_ms[1], b.qdelay_down_ms[2]);
    std::snprintf(line, sizeof line, "%-8s %10s %10s %10s %8.2f %10s %10s %-6s %s\n", b.branch.c_str(),
                  mib(b.wan_down_bytes).c_str(), mib(b.wan_up_bytes).c_str(), mib(b.new_content_bytes).c_str(),
                  b.wan_down_per_new_content, mib(b.nodes_wan_bytes).c_str(), mib(b.nodes_lan_bytes).c_str(),
                  b.cross_check_ok ? "ok" : "FAIL", q);
    out += line;
    if (!b.cross_check_ok) out += "         " + b.cross_check_note + "\n";
    if (b.wan_down_bt_stream_bytes >= 0) {
      std::snprintf(line, sizeof line,
                    "         content: BitTorrent stream %s MiB = %.3fx new (%s MiB as IP packets); tracker HTTP %s MiB\n",
                    mib(static_cast<std::uint64_t>(b.wan_down_bt_stream_bytes)).c_str(), b.bt_stream_per_new_content,
                    mib(b.wan_down_bt_ip_bytes).c_str(), mib(b.wan_down_tracker_ip_bytes).c_str());
      out += line;
    }
    if (b.wire_new_content_bytes >= 0) {
      std::snprintf(line, sizeof line,
                    "         new content: raw %s MiB, wire %s MiB (torrent bytes to fetch); stream %.3fx raw, %.3fx "
                    "wire; link %.3fx raw, %.3fx wire\n",
                    mib(static_cast<std::uint64_t>(b.raw_new_content_bytes)).c_str(),
                    mib(static_cast<std::uint64_t>(b.wire_new_content_bytes)).c_str(), b.bt_stream_per_raw,
                    b.bt_stream_per_wire, b.wan_down_per_raw, b.wan_down_per_wire);
      out += line;
      std::string per = "         wire/raw by assignment:";
      for (const auto& a : b.new_content_by_assignment) {
        std::snprintf(line, sizeof line, " %s@%d %.3fx (%s MiB raw);", a.layer.c_str(), a.version,
                      a.raw_bytes ? static_cast<double>(a.wire_bytes) / static_cast<double>(a.raw_bytes) : 0.0,
                      mib(a.raw_bytes).c_str());
        per += line;
      }
      out += per + "\n";
    }
    if (b.interactive_p50_ms >= 0) {
      std::snprintf(line, sizeof line, "         interactive latency p50 %.1f ms p95 %.1f ms\n", b.interactive_p50_ms,
                    b.interactive_p95_ms);
      out += line;
    }
  }
  out += "\nCompletion times against the Kumar-Ross lower bound";
  out += std::any_of(branches.begin(), branches.end(), [](const BranchReport& b) { return b.wire_new_content_bytes >= 0; })
             ? " (on the wire bytes that must cross)\n" : "\n";
  std::snprintf(line, sizeof line, "%-12s %-16s %10s %10s %10s %8s\n", "node", "layer", "assigned s", "elapsed s",
                "bound s", "ratio");
  out += line;
  for (const auto& c : completions) {
    std::string lv = c.layer + "@" + std::to_string(c.version);
    if (c.done_ms < 0) {
      std::snprintf(line, sizeof line, "%-12s %-16s %10.1f %10s %10.1f %8s\n", c.node.c_str(), lv.c_str(),
                    c.assigned_ms / 1000.0, "not done", c.bound_s, "-");
    } else {
      std::snprintf(line, sizeof line, "%-12s %-16s %10.1f %10.1f %10.1f %8.2f\n", c.node.c_str(), lv.c_str(),
                    c.assigned_ms / 1000.0, c.elapsed_s, c.bound_s, c.ratio);
    }
    out += line;
  }
  if (!governor.empty()) out += governor_table(governor);
  for (const auto& w : warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace bc::netsim
