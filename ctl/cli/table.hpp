// Plain-text output for people: aligned tables and the small formatters
// every listing uses (sizes, ages, short node ids). `-o json` bypasses all of
// it and prints the API's JSON.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace bc::ctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // REQUIRES: cells.size() == headers.size().
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t size() const { return rows_.size(); }
  // Columns separated by two spaces, padded to the widest cell (UTF-8 counted
  // by code points); the last column unpadded.
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

std::string human_bytes(int64_t bytes);          // "1.5 MiB", "812 B"
std::string human_rate(double bytes_per_s);      // "1.5 MiB/s"
std::string human_age(int64_t then_unix_s, int64_t now_unix_s);  // "12s ago", "3h ago", "-" for 0
std::string utc_time(int64_t unix_s);                 // "2027-01-15 08:00:00Z"
std::string short_id(const std::string& id);     // the first 12 characters of a node id
std::string join(const std::vector<std::string>& v, const std::string& sep);
// A bar of `width` cells for fraction [0, 1]: "[#######.....]".
std::string progress_bar(double fraction, int width);

}  // namespace bc::ctl
