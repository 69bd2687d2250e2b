#include <doctest/doctest.h>

#include <string>

#include "tracker/auth/roles.hpp"

using namespace bc::tracker;

TEST_CASE("roles nest admin over operator over viewer and parse only their exact names") {
  CHECK(role_allows(Role::admin, Role::admin));
  CHECK(role_allows(Role::admin, Role::operator_));
  CHECK(role_allows(Role::admin, Role::viewer));
  CHECK(role_allows(Role::operator_, Role::viewer));
  CHECK(role_allows(Role::operator_, Role::operator_));
  CHECK_FALSE(role_allows(Role::operator_, Role::admin));
  CHECK_FALSE(role_allows(Role::viewer, Role::operator_));
  CHECK(parse_role("operator") == Role::operator_);
  CHECK_FALSE(parse_role("Admin").has_value());
  CHECK_FALSE(parse_role("").has_value());
  CHECK(std::string(to_string(Role::operator_)) == "operator");
}
