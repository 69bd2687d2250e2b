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

LayerProgressView::LayerProgressView(std::string label, spdlog::logger& log)
    : label_(std::move(label)), log_(&log), tty_(::isatty(STDERR_FILENO) != 0) {}

void LayerProgressView::update(const LayerProgress& p, int64_t now_ms) {
  if (finished_) return;
  if (shown_ && now_ms - last_ms_ < (tty_ ? 200 : 3000)) return;
  shown_ = true;
  last_ms_ = now_ms;
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
    log_->info("{}: {:.1f}% ({}/{} bytes, {}/s, ETA {}, {}, {} peers)", label_, pct, p.done_bytes, p.total_bytes,
               human(rate), eta, source_split(p.downloaded), p.peers);
  }
}

void LayerProgressView::finish(uint64_t total_bytes, const BytesBySource& by_source) {
  if (finished_) return;
  finished_ = true;
  if (tty_) std::fputc('\n', stderr);
  log_->info("{}: complete, {} bytes ({})", label_, total_bytes, source_split(by_source));
}

}  // namespace bc::endpoint
