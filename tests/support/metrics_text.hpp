// Reads one sample out of a Prometheus text exposition (GET /metrics), so a
// test asks for a value instead of searching the page for words.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace bc::test {

// The value of `series` (the metric name plus its labels exactly as exposed,
// e.g. `bc_tracker_layers{state="active"}`), or nullopt when no line holds it.
inline std::optional<double> metric_value(const std::string& exposition, const std::string& series) {
  size_t at = 0;
  while ((at = exposition.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || exposition[at - 1] == '\n') return std::strtod(exposition.c_str() + at + series.size() + 1, nullptr);
    at += series.size();
  }
  return std::nullopt;
}

// The sum over every sample of `name` whose labels start with `label_prefix`
// (e.g. `branch="hq"`); nullopt when there is none.
inline std::optional<double> metric_sum(const std::string& exposition, const std::string& name,
                                        const std::string& label_prefix = "") {
  std::optional<double> sum;
  const std::string head = name + "{" + label_prefix;
  for (size_t at = exposition.find(head); at != std::string::npos; at = exposition.find(head, at + 1)) {
    if (at != 0 && exposition[at - 1] != '\n') continue;
    size_t space = exposition.find(' ', exposition.find('}', at));
    if (space == std::string::npos) break;
    sum = sum.value_or(0) + std::strtod(exposition.c_str() + space + 1, nullptr);
  }
  return sum;
}

}  // namespace bc::test
