#include <doctest/doctest.h>

#include "layers/util/hex.hpp"

using namespace bc;

TEST_CASE("hex_digit_value reads both cases and refuses every other byte") {
  CHECK(hex_digit_value('0') == 0);
  CHECK(hex_digit_value('9') == 9);
  CHECK(hex_digit_value('a') == 10);
  CHECK(hex_digit_value('F') == 15);
  int digits = 0;
  for (int c = 0; c < 256; ++c) digits += hex_digit_value(char(c)) >= 0;
  CHECK(digits == 22);  // 0-9, a-f, A-F
  CHECK(hex_digit_value('g') == -1);
  CHECK(hex_digit_value('\0') == -1);
}

TEST_CASE("from_hex round-trips to_hex and refuses odd lengths and non-digits") {
  const std::vector<uint8_t> bytes = {0x00, 0x7f, 0x80, 0xff};
  CHECK(to_hex(bytes) == "007f80ff");
  CHECK(from_hex("007F80fF") == bytes);
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK_FALSE(from_hex("zz").has_value());
}
