#include "tracker/webseed/byte_range.hpp"

#include <optional>

namespace bc::tracker {

namespace {

std::optional<uint64_t> number(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;  // 19 digits fit in uint64_t
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

ByteRange parse_byte_range(std::string_view header, uint64_t file_size) {
  ByteRange r;
  header = trim(header);
  if (header.empty()) return r;
  if (header.substr(0, 6) != "bytes=") return r;  // another unit: ignored, as RFC 9110 §14.2 allows
  std::string_view spec = trim(header.substr(6));
  r.kind = ByteRange::Kind::unsatisfiable;
  if (spec.find(',') != std::string_view::npos) return r;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos || file_size == 0) return r;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {  // suffix: the last N bytes
    auto n = number(b);
    if (!n || *n == 0) return r;
    r.first = *n >= file_size ? 0 : file_size - *n;
    r.last = file_size - 1;
  } else {
    auto first = number(a);
    if (!first || *first >= file_size) return r;
    r.first = *first;
    r.last = file_size - 1;
    if (!b.empty()) {
      auto last = number(b);
      if (!last || *last < *first) return r;
      if (*last < file_size) r.last = *last;
    }
  }
  r.kind = ByteRange::Kind::range;
  return r;
}

}  // namespace bc::tracker
