#include "ctl/cli/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace bc::ctl {

namespace {
size_t width_of(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count code points, not bytes
  return n;
}
}  // namespace

void Table::print(std::ostream& out) const {
  std::vector<size_t> w(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) w[i] = width_of(headers_[i]);
  for (const auto& r : rows_)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width_of(r[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s += std::string(w[i] - width_of(cells[i]) + 2, ' ');
    }
    out << s << "\n";
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
}

std::string human_bytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = double(bytes);
  int u = 0;
  while (std::fabs(v) >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string human_rate(double bytes_per_s) { return human_bytes(int64_t(std::llround(bytes_per_s))) + "/s"; }

std::string human_age(int64_t then, int64_t now) {
  if (then <= 0) return "-";
  int64_t d = std::max<int64_t>(0, now - then);
  if (d < 120) return std::to_string(d) + "s ago";
  if (d < 7200) return std::to_string(d / 60) + "m ago";
  if (d < 172800) return std::to_string(d / 3600) + "h ago";
  return std::to_string(d / 86400) + "d ago";
}

std::string utc_time(int64_t unix_s) {
  std::time_t t = std::time_t(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string short_id(const std::string& id) { return id.size() > 12 ? id.substr(0, 12) : id; }

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string progress_bar(double f, int width) {
  f = std::clamp(std::isfinite(f) ? f : 0.0, 0.0, 1.0);
  int full = int(std::lround(f * width));
  return "[" + std::string(size_t(full), '#') + std::string(size_t(width - full), '.') + "]";
}

}  // namespace bc::ctl
