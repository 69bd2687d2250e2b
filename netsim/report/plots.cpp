#include "netsim/report/plots.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "layers/util/fs.hpp"
#include "netsim/topo/exec.hpp"

namespace bc::netsim {

namespace {

double constant_cross_down_mbit(const BranchDef& b, std::int64_t t_ms) {
  double sum = 0;
  for (const auto& f : b.cross_traffic) {
    bool active = t_ms >= f.start_ms && (f.stop_ms < 0 || t_ms < f.stop_ms);
    if (active && f.kind == CrossKind::constant && f.direction == Direction::down)
      sum += static_cast<double>(f.rate_bytes_per_s) * 8 / 1e6;
  }
  return sum;
}

double mbit(std::uint64_t bytes, std::int64_t dt_ms) {
  return dt_ms <= 0 ? 0 : static_cast<double>(bytes) * 8 / 1000.0 / static_cast<double>(dt_ms);
}

// t_s down_mbit up_mbit cross_mbit down_qdelay_ms up_qdelay_ms
std::string link_data(const BranchDef& b, const LinkData& l) {
  std::ostringstream o;
  o << "# t_s down_mbit up_mbit cross_down_mbit down_qdelay_ms up_qdelay_ms\n";
  std::size_t n = std::min(l.down.t_ms.size(), l.up.t_ms.size());
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t t = l.down.t_ms[i];
    std::int64_t dt = i == 0 ? l.interval_ms : t - l.down.t_ms[i - 1];
    std::int64_t dt_up = i == 0 ? l.interval_ms : l.up.t_ms[i] - l.up.t_ms[i - 1];
    char line[256];
    std::snprintf(line, sizeof line, "%.3f %.4f %.4f %.4f %.3f %.3f\n", static_cast<double>(t) / 1000.0,
                  mbit(l.down.bytes[i], dt), mbit(l.up.bytes[i], dt_up), constant_cross_down_mbit(b, t),
                  static_cast<double>(l.down.max_queue_delay_us[i]) / 1000.0,
                  static_cast<double>(l.up.max_queue_delay_us[i]) / 1000.0);
    o << line;
  }
  return o.str();
}

// 1 s bins of the downlink: t_s rollout_mbit cross_mbit worst_mean_qdelay_ms
// (rollout = all but the cross-traffic node's packets; the queue delay is the
// worst of the 100 ms means in the second).
std::string governor_data(const LinkData& l) {
  std::ostringstream o;
  o << "# t_s rollout_mbit cross_mbit qdelay_ms\n";
  const DirectionData& d = l.down;
  std::int64_t sec = INT64_MIN;
  double rollout = 0, cross = 0, q = 0;
  auto flush = [&] {
    if (sec == INT64_MIN) return;
    char line[128];
    std::snprintf(line, sizeof line, "%lld %.4f %.4f %.3f\n", static_cast<long long>(sec + 1), rollout * 8 / 1e6,
                  cross * 8 / 1e6, q);
    o << line;
  };
  for (std::size_t i = 0; i < d.t_ms.size(); ++i) {
    const std::int64_t s = (d.t_ms[i] - 1) >= 0 ? (d.t_ms[i] - 1) / 1000 : -((999 - (d.t_ms[i] - 1)) / 1000);
    if (s != sec) {
      flush();
      sec = s, rollout = 0, cross = 0, q = 0;
    }
    const double xt = i < d.xt_bytes.size() ? static_cast<double>(std::min(d.xt_bytes[i], d.bytes[i])) : 0.0;
    rollout += static_cast<double>(d.bytes[i]) - xt;
    cross += xt;
    const double qd = i < d.mean_queue_delay_us.size() ? static_cast<double>(d.mean_queue_delay_us[i]) / 1000.0
                                                        : static_cast<double>(d.max_queue_delay_us[i]) / 1000.0;
    q = std::max(q, qd);
  }
  flush();
  return o.str();
}

std::string governor_script(const Scenario& s, const std::vector<std::string>& branches, const std::string& dir) {
  std::ostringstream g;
  g << "set terminal pngcairo size 1100,800 font 'sans,10'\nset output '" << dir << "/governor.png'\n";
  g << "set multiplot layout 2,1 title 'WAN governor arms - scenario " << s.name << " (downlink, 1 s bins)'\n";
  g << "set xlabel 'time (s)'\nset ylabel 'Mbit/s'\nset yrange [0:*]\nset xrange [*:*]\n";
  g << "set title 'rollout (solid) and cross traffic (dashed) at the link'\nplot ";
  for (std::size_t i = 0; i < branches.size(); ++i) {
    const BranchDef* b = s.branch(branches[i]);
    const std::string label = branches[i] + " (" + (b ? to_string(b->governor) : "?") + ")";
    g << (i ? ", " : "") << "'" << dir << "/gov_" << branches[i] << ".dat' using 1:2 with lines lw 2 lc " << i + 1
      << " title '" << label << "', '' using 1:3 with lines dt 2 lc " << i + 1 << " notitle";
  }
  g << "\nset ylabel 'ms'\nset title 'queuing delay at the link (worst 100 ms mean per second)'\nplot ";
  for (std::size_t i = 0; i < branches.size(); ++i)
    g << (i ? ", " : "") << "'" << dir << "/gov_" << branches[i] << ".dat' using 1:4 with lines lw 2 lc " << i + 1
      << " title '" << branches[i] << "'";
  g << "\nunset multiplot\nunset output\n";
  return g.str();
}

// One row per branch with content facts: branch stream/raw stream/wire.
std::string content_data(const Report& r) {
  std::ostringstream o;
  o << "# branch stream_per_raw stream_per_wire\n";
  for (const BranchReport& b : r.branches) {
    if (b.bt_stream_per_wire < 0) continue;
    char line[128];
    std::snprintf(line, sizeof line, "%s %.4f %.4f\n", b.branch.c_str(), b.bt_stream_per_raw, b.bt_stream_per_wire);
    o << line;
  }
  return o.str();
}

// Bars per branch: the link's BitTorrent stream against the raw and the wire
// new content (compression shows as stream/raw well below 1, padding as
// stream/raw above stream/wire).
std::string content_script(const std::string& dir) {
  std::ostringstream g;
  g << "set terminal pngcairo size 800,500 font 'sans,10'\nset output '" << dir << "/wan_content.png'\n";
  g << "set title 'BitTorrent stream at each WAN link against the new content'\n";
  g << "set style data histogram\nset style histogram clustered gap 1\nset style fill solid 0.8 border -1\n";
  g << "set key inside top left\nset autoscale\nset yrange [0:*]\nset xlabel 'branch'\nset ylabel 'bytes at the link / new content'\n";
  g << "plot '" << dir << "/content_ratio.dat' using 2:xtic(1) title 'per raw new content', '' using 3 title "
    << "'per wire new content (torrent bytes to fetch)'\nunset output\n";
  return g.str();
}

// elapsed_s cdf, one line per completed endpoint row of the branch.
std::string cdf_data(const Report& r, const std::string& branch) {
  std::vector<double> v;
  for (const auto& c : r.completions)
    if (c.branch == branch && c.done_ms >= 0) v.push_back(c.elapsed_s);
  std::sort(v.begin(), v.end());
  std::ostringstream o;
  o << "# elapsed_s fraction_done\n0 0\n";
  std::size_t total = 0;
  for (const auto& c : r.completions) total += c.branch == branch;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "%.3f %.4f\n", v[i], static_cast<double>(i + 1) / static_cast<double>(total));
    o << line;
  }
  if (!v.empty()) {  // hold the last step a little past the last completion
    char line[64];
    std::snprintf(line, sizeof line, "%.3f %.4f\n", v.back() * 1.05,
                  static_cast<double>(v.size()) / static_cast<double>(total));
    o << line;
  }
  return o.str();
}

Status put(const std::string& dir, const std::string& name, const std::string& text) {
  return write_file_atomic(dir + "/" + name, text, 0644);
}

std::string script(const Scenario& s, const std::vector<std::string>& linked, const std::vector<std::string>& cdfs,
                   const std::string& dir) {
  std::ostringstream g;
  g << "# generated by bc-netsim report\nset datafile commentschars '#'\nset grid\nset key outside right top\n";
  std::size_t rows = std::max<std::size_t>(1, linked.size());
  g << "set terminal pngcairo size 1100," << 120 + 260 * rows << " font 'sans,10'\n";
  g << "set output '" << dir << "/wan_rate.png'\n";
  g << "set multiplot layout " << rows << ",1 title 'WAN rate per branch - scenario " << s.name << "'\n";
  g << "set xlabel 'time (s)'\nset ylabel 'Mbit/s'\n";
  for (const auto& b : linked) {
    const BranchDef* bd = s.branch(b);
    double cap = bd ? static_cast<double>(bd->wan.down_bytes_per_s) * 8 / 1e6 : 0;
    g << "set yrange [0:" << cap * 1.15 << "]\n";
    g << "set title 'branch " << b << " (down " << cap << " Mbit/s)'\n";
    g << "plot '" << dir << "/link_" << b << ".dat' using 1:2 with lines lw 2 title 'down', "
      << "'' using 1:3 with lines lw 1 title 'up', '' using 1:4 with lines dt 2 lw 2 title 'cross traffic down', "
      << cap << " with lines dt 3 lw 2 lc rgb 'gray40' title 'capacity'\n";
  }
  g << "unset multiplot\nunset output\n";
  g << "set terminal pngcairo size 1100,500 font 'sans,10'\nset output '" << dir << "/queue_delay.png'\n";
  g << "set yrange [0:*]\n";
  g << "set title 'Worst queuing delay per interval on each WAN link'\nset ylabel 'ms'\nset xlabel 'time (s)'\n";
  g << "plot ";
  for (std::size_t i = 0; i < linked.size(); ++i) {
    g << (i ? ", " : "") << "'" << dir << "/link_" << linked[i] << ".dat' using 1:5 with lines lw 2 title '"
      << linked[i] << " down', '' using 1:6 with lines dt 2 title '" << linked[i] << " up'";
  }
  if (linked.empty()) g << "0 title 'no link data'";
  g << "\nunset output\n";
  g << "set output '" << dir << "/completion_cdf.png'\n";
  g << "set title 'Endpoint completion time CDF (from assignment)'\nset xlabel 'seconds after assignment'\n"
    << "set ylabel 'fraction of endpoint assignments done'\nset yrange [0:1.05]\nset xrange [0:*]\n";
  g << "plot ";
  bool any = false;
  for (const auto& b : cdfs) {
    g << (any ? ", " : "") << "'" << dir << "/cdf_" << b << ".dat' using 1:2 with steps lw 2 title 'branch " << b << "'";
    any = true;
  }
  if (!any) g << "0 title 'no completions'";
  g << "\nunset output\n";
  return g.str();
}

}  // namespace

Status write_plot_script(const Scenario& s, const RunInputs& in, const Report& r, const std::string& out_dir) {
  if (out_dir.find_first_of("'\"\n") != std::string::npos)
    return Status::invalid_argument("plot directory must not contain quotes or newlines: " + printable(out_dir));
  std::vector<std::string> linked, cdfs;
  for (const auto& b : s.branches) {
    auto l = std::find_if(in.links.begin(), in.links.end(), [&](const LinkData& x) { return x.branch == b.name; });
    if (l != in.links.end() && !l->down.t_ms.empty()) {
      BC_RETURN_IF_ERROR(put(out_dir, "link_" + b.name + ".dat", link_data(b, *l)));
      linked.push_back(b.name);
    }
    std::string cdf = cdf_data(r, b.name);
    if (std::count(cdf.begin(), cdf.end(), '\n') > 2) {  // more than the header and the origin
      BC_RETURN_IF_ERROR(put(out_dir, "cdf_" + b.name + ".dat", cdf));
      cdfs.push_back(b.name);
    }
  }
  std::string gp = script(s, linked, cdfs, out_dir);
  std::vector<std::string> governed;
  for (const GovernorFigures& g : r.governor) {
    auto l = std::find_if(in.links.begin(), in.links.end(), [&](const LinkData& x) { return x.branch == g.branch; });
    if (l == in.links.end() || l->down.t_ms.empty()) continue;
    BC_RETURN_IF_ERROR(put(out_dir, "gov_" + g.branch + ".dat", governor_data(*l)));
    governed.push_back(g.branch);
  }
  if (!governed.empty()) gp += governor_script(s, governed, out_dir);
  const std::string content = content_data(r);
  if (std::count(content.begin(), content.end(), '\n') > 1) {
    BC_RETURN_IF_ERROR(put(out_dir, "content_ratio.dat", content));
    gp += content_script(out_dir);
  }
  return put(out_dir, "plots.gp", gp);
}

Status draw_plots(const Scenario& s, const RunInputs& in, const Report& r, const std::string& out_dir) {
  BC_RETURN_IF_ERROR(write_plot_script(s, in, r, out_dir));
  auto out = run_command({"gnuplot", out_dir + "/plots.gp"});
  if (!out.ok()) return out.status().with_context("drawing plots");
  return Status();
}

}  // namespace bc::netsim
