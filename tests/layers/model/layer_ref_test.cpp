#include <doctest/doctest.h>

#include "layers/model/manifest.hpp"
#include "layers/util/fs.hpp"

using namespace bc;

TEST_CASE("layer references parse NAME@VERSION and reject the rest") {
  auto r = LayerRef::parse("office-2024.x@12");
  REQUIRE(r.ok());
  CHECK(r->name == "office-2024.x");
  CHECK(r->version == 12);
  CHECK(r->to_string() == "office-2024.x@12");
  for (const char* bad : {"base", "base@", "@3", "Base@1", "base@0", "base@-1", "base@x", "base@99999999999", "a/b@1"})
    CHECK_MESSAGE(!LayerRef::parse(bad).ok(), bad);
}

TEST_CASE("unsafe_path_reason names what is wrong with a relative path") {
  CHECK(unsafe_path_reason("a/b c/d\xc3\xa9").empty());
  CHECK(unsafe_path_reason("") == "path is empty");
  CHECK(unsafe_path_reason("/a") == "path is absolute");
  CHECK(unsafe_path_reason("a//b") == "path has an empty component");
  CHECK(unsafe_path_reason("a/") == "path has an empty component");
  CHECK(unsafe_path_reason("a/./b") == "path has a '.' component");
  CHECK(unsafe_path_reason("../a") == "path has a '..' component");
  CHECK(unsafe_path_reason("a\xff") == "path is not valid UTF-8");
  CHECK(unsafe_path_reason(std::string(256, 'x')).find("longer than 255") != std::string::npos);
  CHECK(printable("a\nb\xff") == "a\\x0ab\\xff");
}

TEST_CASE("UTF-8 validation rejects overlong forms, surrogates and truncation") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xe2\x82\xac"));       // euro sign
  CHECK(is_valid_utf8("\xf0\x9f\x98\x80"));   // emoji
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));     // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80")); // surrogate
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));     // truncated
  CHECK_FALSE(is_valid_utf8("\x80"));
}
