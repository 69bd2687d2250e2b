// The one Range form a web seed needs (RFC 9110 §14): "bytes=A-B", "bytes=A-"
// or "bytes=-N", one range, against a file of known size. Pure.
#pragma once

#include <cstdint>
#include <string_view>

namespace bc::tracker {

struct ByteRange {
  enum class Kind {
    whole,          // no Range header (or one we must ignore: another unit)
    range,          // [first, last] inclusive, within the file
    unsatisfiable,  // 416: starts past the end, several ranges, or malformed
  } kind = Kind::whole;
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

// `header` is the Range header's value ("" when absent). A last position
// past the end is cut to the end (RFC 9110 §14.1.2). Several ranges are
// refused as unsatisfiable: libtorrent never sends them, and answering them
// would take a multipart body. A suffix "-0" and a first position at or past
// the end are unsatisfiable; so is any range of an empty file.
ByteRange parse_byte_range(std::string_view header, uint64_t file_size);

}  // namespace bc::tracker
