#include "tracker/metrics/exposition.hpp"

#include <cmath>
#include <cstdio>

namespace bc::tracker {

std::string Exposition::escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string Exposition::format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void Exposition::family(const std::string& name, const std::string& type, const std::string& help) {
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

namespace {
std::string label_text(const Labels& labels) {
  if (labels.empty()) return "";
  std::string s = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) s += ",";
    s += labels[i].first + "=\"" + Exposition::escape_label(labels[i].second) + "\"";
  }
  return s + "}";
}
}  // namespace

void Exposition::sample(const std::string& name, const Labels& labels, double value) {
  out_ += name + label_text(labels) + " " + format_value(value) + "\n";
}

void Exposition::histogram(const std::string& name, const Labels& labels,
                           const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                           double sum) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    Labels l = labels;
    l.emplace_back("le", format_value(bounds[i]));
    sample(name + "_bucket", l, static_cast<double>(cumulative));
  }
  if (counts.size() > bounds.size()) cumulative += counts[bounds.size()];
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  sample(name + "_bucket", inf, static_cast<double>(cumulative));
  sample(name + "_sum", labels, sum);
  sample(name + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace bc::tracker
