// The Range header a web seed answers (tracker/webseed/byte_range.hpp).
#include <doctest/doctest.h>

#include "tracker/webseed/byte_range.hpp"

using namespace bc::tracker;
using K = ByteRange::Kind;

TEST_CASE("one byte range is read as RFC 9110 says; anything else is whole or unsatisfiable") {
  auto r = parse_byte_range("bytes=0-99", 1000);
  CHECK(r.kind == K::range);
  CHECK((r.first == 0 && r.last == 99 && r.length() == 100));
  r = parse_byte_range("bytes=990-2000", 1000);  // the end is cut to the file's
  CHECK((r.kind == K::range && r.first == 990 && r.last == 999));
  r = parse_byte_range("bytes=500-", 1000);
  CHECK((r.kind == K::range && r.first == 500 && r.last == 999));
  r = parse_byte_range("bytes=-10", 1000);
  CHECK((r.kind == K::range && r.first == 990 && r.last == 999));
  r = parse_byte_range("bytes=-5000", 1000);
  CHECK((r.kind == K::range && r.first == 0 && r.last == 999));
  CHECK(parse_byte_range("", 1000).kind == K::whole);
  CHECK(parse_byte_range("items=0-1", 1000).kind == K::whole);  // another unit is ignored
  for (const char* bad : {"bytes=1000-", "bytes=1000-1001", "bytes=5-4", "bytes=-0", "bytes=0-1,5-6", "bytes=a-b",
                          "bytes=", "bytes=-", "bytes=99999999999999999999-"})
    CHECK_MESSAGE(parse_byte_range(bad, 1000).kind == K::unsatisfiable, bad);
  CHECK(parse_byte_range("bytes=0-0", 0).kind == K::unsatisfiable);
}
