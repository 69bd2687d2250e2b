// Draws a report's plots with gnuplot (Debian gnuplot-nox): writes data files
// and plots.gp into out_dir, then runs `gnuplot plots.gp`, producing
//   wan_rate.png        WAN rate over time per branch (down, up, and the
//                       scenario's constant downstream cross traffic),
//   queue_delay.png     worst queuing delay per interval on each WAN link,
//   completion_cdf.png  CDF of endpoint completion times per branch,
//   wan_content.png     when the run has content facts: per branch the
//                       link's BitTorrent stream against the raw and the
//                       wire new content;
//   governor.png        when the report has governor figures: per branch
//                       (arm) the rollout's and the cross traffic's rate at
//                       the link and the queuing delay, over time.
// Errors: io_error when a file cannot be written or gnuplot fails.
#pragma once

#include <string>
#include <vector>

#include "layers/util/status.hpp"
#include "netsim/report/report.hpp"
#include "netsim/report/run_inputs.hpp"
#include "netsim/scenario/scenario.hpp"

namespace bc::netsim {

inline const std::vector<std::string> kPlotFiles = {"wan_rate.png", "queue_delay.png", "completion_cdf.png"};

// Writes the data files and the script only (no gnuplot); REQUIRES out_dir exists
// and has no quote characters.
Status write_plot_script(const Scenario& s, const RunInputs& in, const Report& r, const std::string& out_dir);
// write_plot_script, then runs gnuplot.
Status draw_plots(const Scenario& s, const RunInputs& in, const Report& r, const std::string& out_dir);

}  // namespace bc::netsim
