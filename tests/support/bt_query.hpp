// BitTorrent tracker query strings for tests that announce or scrape by hand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bc::test {

// Every byte of `raw` as %XX: how an info hash or peer id travels in a query.
inline std::string percent(std::string_view raw) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : raw) {
    out += '%';
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

// "/announce?bckey=KEY&info_hash=...&peer_id=...&port=6881&uploaded=0&downloaded=0&left=LEFT"
// for `raw_hash` (20 bytes), from a peer whose id is 20 times `peer_char`.
inline std::string announce_target(const std::string& key, std::string_view raw_hash, uint64_t left,
                                   char peer_char = 'p') {
  return "/announce?bckey=" + key + "&info_hash=" + percent(raw_hash) + "&peer_id=" +
         percent(std::string(20, peer_char)) + "&port=6881&uploaded=0&downloaded=0&left=" + std::to_string(left);
}

}  // namespace bc::test
