// The branch policy's DSCP (issue #17): Lower-Effort by default, any code
// point 0..63 by policy, refused outside it with the field named, and left
// out of the JSON when it is the default (older encodings stay identical).
#include <doctest/doctest.h>

#include "layers/governor/wan_policy.hpp"

using namespace bc::governor;

TEST_CASE("a WAN policy's dscp defaults to Lower-Effort, round-trips, and is refused outside [0, 63]") {
  WanPolicy p;
  CHECK(p.dscp == 1);
  CHECK(p.encode().find("dscp") == std::string::npos);
  auto d = WanPolicy::decode(R"({"schema":1})");
  REQUIRE(d.ok());
  CHECK(d->dscp == kDscpLowerEffort);

  p.dscp = 0;  // unmarked
  auto back = WanPolicy::decode(p.encode());
  REQUIRE(back.ok());
  CHECK(back->dscp == 0);
  CHECK(*back == p);
  d = WanPolicy::decode(R"({"schema":1,"dscp":8})");  // CS1, the older "scavenger"
  REQUIRE(d.ok());
  CHECK(d->dscp == 8);

  auto bad = WanPolicy::decode(R"({"schema":1,"dscp":64})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("dscp") != std::string::npos);
  CHECK_FALSE(WanPolicy::decode(R"({"schema":1,"dscp":-1})").ok());
  CHECK_FALSE(WanPolicy::decode(R"({"schema":1,"dscp":"le"})").ok());
  p.dscp = 99;
  CHECK(p.validate().message() == "dscp: must be a DSCP in [0, 63] (1 = Lower-Effort)");
}
