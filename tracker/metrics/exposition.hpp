// A small writer for the Prometheus text exposition format (version 0.0.4).
// Hand-written: Debian bookworm has no prometheus-cpp package. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bc::tracker {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
 public:
  // Starts a metric family: "# HELP" and "# TYPE" lines. type: counter|gauge|histogram.
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, const Labels& labels, double value);
  // A histogram: cumulative buckets (upper bounds ascending, counts per
  // bucket non-cumulative), +Inf, _sum and _count.
  void histogram(const std::string& name, const Labels& labels, const std::vector<double>& bounds,
                 const std::vector<uint64_t>& counts, double sum);
  const std::string& text() const { return out_; }

  // Label values escape backslash, double quote and newline.
  static std::string escape_label(const std::string& v);
  static std::string format_value(double v);

 private:
  std::string out_;
};

}  // namespace bc::tracker
