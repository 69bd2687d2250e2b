// Helpers shared by the tracker/bt suites.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tracker/bt/info_hash.hpp"

namespace bc::tracker::bt::test {

// Percent-encodes every byte outside [A-Za-z0-9.-_~] (as libtorrent does).
inline std::string pct(std::string_view bytes) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
        c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

inline InfoHash hash_of(uint8_t fill) {
  InfoHash h;
  h.bytes.fill(fill);
  return h;
}

}  // namespace bc::tracker::bt::test
