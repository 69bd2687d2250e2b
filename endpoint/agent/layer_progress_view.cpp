#include "endpoint/agent/layer_progress_view.hpp"

#include <unistd.h>

#include <cstdio>

namespace bc::endpoint {

namespace {
std::string human(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}
}  // namespace

std::string source_split(const BytesBySource& b) {
  return "origin " + human(double(b.origin_wan)) + " / reflector " + human(double(b.reflector)) + " / peer " +
         human(double(b.branch_peer));
}

LayerProgressView::LayerProgressView(std::string label)
    : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) != 0) {}

void LayerProgressView::update(const LayerProgress& p) {
  if (finished_) return;
  auto now = clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(3000))) return;
  last_ = now;
  double pct = p.total_bytes ? 100.0 * double(p.done_bytes) / double(p.total_bytes) : 100.0;
  double rate = double(p.download_bytes_per_s);
  double eta_s = rate > 0 ? double(p.total_bytes - p.done_bytes) / rate : -1;
  std::string eta = eta_s < 0 ? "--" : std::to_string(int64_t(eta_s)) + "s";
  if (tty_) {
    int width = 24, fill = int(pct / 100 * width);
    std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%% %s/%s %s/s ETA %s (%s) ", label_.c_str(), fill,
                 "########################", width - fill, "", pct, human(double(p.done_bytes)).c_str(),
                 human(double(p.total_bytes)).c_str(), human(rate).c_str(), eta.c_str(),
                 source_split(p.downloaded).c_str());
  } else {
    std::fprintf(stderr, "bc-endpoint: %s: %.1f%% (%llu/%llu bytes, %s/s, ETA %s, %s, %d peers)\n",
                 label_.c_str(), pct, (unsigned long long)p.done_bytes, (unsigned long long)p.total_bytes,
                 human(rate).c_str(), eta.c_str(), source_split(p.downloaded).c_str(), p.peers);
  }
}

void LayerProgressView::finish(uint64_t total_bytes, const BytesBySource& by_source) {
  if (finished_) return;
  finished_ = true;
  if (tty_) std::fputc('\n', stderr);
  std::fprintf(stderr, "bc-endpoint: %s: complete, %llu bytes (%s)\n", label_.c_str(),
               (unsigned long long)total_bytes, source_split(by_source).c_str());
}

}  // namespace bc::endpoint
