#include <doctest/doctest.h>

#include "tracker/http/message.hpp"

using namespace bc;
using namespace bc::tracker;

TEST_CASE("an HTTP/1.1 request needs exactly one Host field; HTTP/1.0 may omit it (RFC 9112 3.2)") {
  CHECK(check_host_field(11, 1).ok());
  CHECK(check_host_field(10, 0).ok());
  CHECK(check_host_field(11, 0).message() == "HTTP/1.1 request without a Host field");
  CHECK(check_host_field(11, 2).message() == "request with 2 Host fields");
  CHECK(check_host_field(10, 2).code() == Status::Code::invalid_argument);
  CHECK(HttpResponse::from_status(check_host_field(11, 0)).status == 400);
}

TEST_CASE("is_json_media_type takes application/json with parameters, in any case, and nothing else") {
  CHECK(is_json_media_type("application/json"));
  CHECK(is_json_media_type("Application/JSON; charset=utf-8"));
  CHECK(is_json_media_type("  application/json  ;charset=UTF-8"));
  CHECK_FALSE(is_json_media_type(""));
  CHECK_FALSE(is_json_media_type("text/plain"));
  CHECK_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  CHECK_FALSE(is_json_media_type("application/jsonx"));
  CHECK_FALSE(is_json_media_type("application/json-patch+json"));
}
