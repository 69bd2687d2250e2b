#include <doctest/doctest.h>

#include "layers/util/human_bytes.hpp"

using namespace bc;

TEST_CASE("human_bytes: whole bytes below 1 KiB, one decimal in binary units above, TiB at most") {
  struct Row {
    uint64_t bytes;
    const char* text;
  };
  const Row rows[] = {
      {0, "0 B"},
      {1, "1 B"},
      {1023, "1023 B"},
      {1024, "1.0 KiB"},
      {1536, "1.5 KiB"},
      {(1ull << 20) - 1, "1024.0 KiB"},  // rounds up in print, not in unit choice
      {1ull << 20, "1.0 MiB"},
      {5ull << 30, "5.0 GiB"},
      {3ull << 40, "3.0 TiB"},
      {2048ull << 40, "2048.0 TiB"},  // no unit beyond TiB
  };
  for (const Row& r : rows) {
    CAPTURE(r.bytes);
    CHECK(human_bytes(r.bytes) == r.text);
  }
}
