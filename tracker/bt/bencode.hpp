// A small bencode writer (BEP 3) for tracker responses. It only writes: the
// tracker never decodes bencode from the network.
//
// Dictionary keys must be written in strictly increasing byte order (BEP 3);
// the writer checks this and `finish()` reports the first violation, so a
// coding mistake is an error value in tests rather than a subtly invalid
// response. Nesting is bounded by kMaxBencodeDepth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::tracker::bt {

inline constexpr size_t kMaxBencodeDepth = 8;

class BencodeWriter {
 public:
  void integer(int64_t v);
  void string(std::string_view bytes);
  void begin_list();
  void begin_dict();
  void end();  // closes the innermost list or dict
  // Writes a dict key. REQUIRES: inside a dict, expecting a key.
  void key(std::string_view k);
  // A key and its value: key(k) then integer(v) or string(bytes).
  void entry(std::string_view k, int64_t v) {
    key(k);
    integer(v);
  }
  void entry(std::string_view k, std::string_view bytes) {
    key(k);
    string(bytes);
  }

  // The encoded bytes, or internal naming the first misuse (unsorted or
  // duplicate key, unbalanced end, a value where a key belongs, too deep).
  Result<std::string> finish() &&;

 private:
  struct Frame {
    bool dict = false;
    bool expect_key = true;  // dicts only
    std::string last_key;
    bool has_key = false;
  };
  void before_value();
  void fail(std::string why);

  std::string out_;
  std::vector<Frame> stack_;
  std::string error_;
  size_t top_values_ = 0;
};

}  // namespace bc::tracker::bt
