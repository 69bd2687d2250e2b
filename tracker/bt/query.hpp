// Splitting and percent-decoding of an HTTP query string (the raw request
// target after '?'), strictly and within bounds. BitTorrent clients put raw
// binary (info_hash, peer_id) into the query as %XX escapes, so values are
// decoded to byte strings, not text.
//
// Rules (RFC 3986 query, as BitTorrent clients send it):
//   - parameters are separated by '&'; each is `key=value`; an empty
//     parameter ("a=1&&b=2", a trailing '&') or one without '=' is refused;
//   - '%' must be followed by two hex digits; '+' is a literal plus, not a
//     space (clients escape '+' in binary values, so nothing is lost);
//   - a byte outside 0x21..0x7e must be escaped;
//   - decoded keys are 1..32 bytes of [A-Za-z0-9_.-].
// Every error names the parameter (or offset) and why.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::tracker::bt {

struct QueryLimits {
  size_t max_query_bytes = 8192;  // raw query string, bytes; default 8 KiB
  size_t max_params = 96;         // parameters of any key; default 96
  size_t max_value_bytes = 512;   // one decoded value, bytes; default 512
  Status validate() const;
};

inline constexpr size_t kMaxQueryKeyBytes = 32;

struct QueryParam {
  std::string key;    // decoded
  std::string value;  // decoded; may hold any byte
};

// Decodes %XX escapes in `raw`. `what` names the parameter in error messages.
Result<std::string> percent_decode(std::string_view raw, std::string_view what);

// Splits and decodes `query` (without the leading '?'). An empty query gives
// no parameters.
Result<std::vector<QueryParam>> split_query(std::string_view query, const QueryLimits& limits = {});

// A printable rendering of a decoded value for error messages: at most 24
// bytes, non-printable bytes as \xNN.
std::string printable_value(std::string_view value);
// printable_value between single quotes.
std::string quoted(std::string_view value);

}  // namespace bc::tracker::bt
