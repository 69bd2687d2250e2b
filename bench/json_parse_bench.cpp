// Hostile JSON bodies against the bounded parser (layers/util/json.hpp):
// ms per MiB for parse_json, against nlohmann's plain parse of the same body
// in the same run (the reference: no limits, linear), and against the
// depth-limit callback parse_json used before (quadratic in 3.11.2).
// Usage: bc-bench-json [--old-too]   (docs/benchmarks.md, "Bounded JSON")
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "layers/util/json.hpp"

namespace {

using Steady = std::chrono::steady_clock;
volatile size_t g_sink = 0;  // keeps the parses from being optimised away

double best_ms(const std::function<void()>& f, int runs) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Steady::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
  }
  return best;
}

// N empty objects in an array: the shape that made the callback quadratic.
std::string empty_objects(size_t bytes) {
  std::string s = "[{}";
  while (s.size() + 4 < bytes) s += ",{}";
  return s + "]";
}

// A manifest-like body: N entries of path, size, mode and a hash.
std::string entries(size_t bytes) {
  std::string s = "{\"entries\":[";
  for (int i = 0; s.size() + 160 < bytes; ++i)
    s += std::string(i ? "," : "") + "{\"path\":\"usr/lib/file" + std::to_string(i) +
         "\",\"size\":4096,\"mode\":420,\"root\":\"" + std::string(64, 'a') + "\"}";
  return s + "]}";
}

nlohmann::json callback_parse(const std::string& text, int max_depth) {
  auto cb = [max_depth](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > max_depth) throw std::runtime_error("too deep");
    return true;
  };
  return nlohmann::json::parse(text.begin(), text.end(), cb);
}

void row(const char* name, const std::string& body, bool old_too) {
  bc::JsonLimits limits;
  limits.max_bytes = body.size();
  const double mib = double(body.size()) / (1 << 20);
  const double plain = best_ms([&] { g_sink = nlohmann::json::parse(body).size(); }, 3);
  const double ours = best_ms([&] {
    if (!bc::parse_json(body, limits).ok()) std::abort();
  }, 3);
  std::printf("%-24s %8.2f MiB  plain %8.1f ms/MiB  parse_json %8.1f ms/MiB  ratio %5.2fx", name, mib,
              plain / mib, ours / mib, ours / plain);
  if (old_too) {
    const double old = best_ms([&] { g_sink = callback_parse(body, 16).size(); }, 1);
    std::printf("  old callback %10.1f ms/MiB (%.0fx)", old / mib, old / plain);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const bool old_too = argc > 1 && std::strcmp(argv[1], "--old-too") == 0;
  row("empty objects, 439 KiB", empty_objects(439 << 10), old_too);
  row("empty objects, 1 MiB", empty_objects(1 << 20), old_too);
  row("manifest entries, 1 MiB", entries(1 << 20), old_too);
  row("manifest entries, 16 MiB", entries(16 << 20), false);
  return 0;
}
