#include <doctest/doctest.h>

#include <string>

#include "layers/util/json.hpp"

using namespace bc;

namespace {
std::string nested(int levels, const std::string& inner = "") {
  return std::string(levels, '[') + inner + std::string(levels, ']');
}
}  // namespace

TEST_CASE("parse_json allows max_depth open objects and arrays and refuses one more, naming the limit") {
  JsonLimits limits;
  limits.max_depth = 16;
  CHECK(parse_json(nested(16, "1"), limits).ok());
  CHECK(parse_json(nested(16), limits).ok());
  auto deep = parse_json(nested(17, "1"), limits);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.status().code() == Status::Code::invalid_argument);
  CHECK(deep.status().message() == "JSON nesting deeper than 16");
  CHECK_FALSE(parse_json("{\"a\":" + nested(16) + "}", limits).ok());  // the object counts as a level
}

TEST_CASE("parse_json counts brackets in structure only, never inside strings") {
  JsonLimits limits;
  limits.max_depth = 2;
  auto r = parse_json(R"({"a": "[[[[{{{{", "b": "\"[[[[", "c": ["]]]]\\"]})", limits);
  REQUIRE(r.ok());
  CHECK((*r)["a"] == "[[[[{{{{");
  CHECK((*r)["c"][0] == "]]]]\\");
}

TEST_CASE("parse_json refuses too deep before malformed, and malformed with the parser's reason") {
  JsonLimits limits;
  limits.max_depth = 4;
  CHECK(parse_json(std::string(100, '['), limits).status().message() == "JSON nesting deeper than 4");
  auto bad = parse_json("{\"a\": [1, 2}", limits);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("malformed JSON") == 0);
}

TEST_CASE("parse_json takes a body of 150,000 empty objects (the shape that was quadratic) whole") {
  std::string body = "[";
  for (int i = 0; i < 150'000; ++i) body += i ? ",{}" : "{}";
  body += "]";
  auto r = parse_json(body);
  REQUIRE(r.ok());
  CHECK(r->size() == 150'000);
}
