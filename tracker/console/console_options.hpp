// The [console] section of bc-tracker's configuration: the web console the
// tracker serves under /console/ (docs/console.md). Plain data, so the config
// reader needs nothing of the console itself.
#pragma once

#include <string>

namespace bc::tracker {

struct ConsoleOptions {
  bool enabled = true;  // serve /console/ (default true)
  // Chart.js, read once at start and served as /console/vendor/chart.js.
  // Debian's libjs-chart.js (3.9) installs its UMD build here; the file is
  // never copied into the repository. Missing: the console works without
  // charts and says so.
  std::string chartjs = "/usr/share/javascript/chart.js/chart.min.js";
};

}  // namespace bc::tracker
