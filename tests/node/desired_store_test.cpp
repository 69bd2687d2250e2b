// The saved desired state: written atomically, read back as it was; none
// saved is not_found, a damaged file is corruption (never half-used).
#include <doctest/doctest.h>

#include "node/desired_store.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::node;

TEST_CASE("desired store: a saved state reads back; none is not_found; a damaged one is corruption") {
  test::TmpDir tmp;
  const std::string path = tmp.path() + "/desired.json";
  CHECK(load_desired_state(path).status().code() == Status::Code::not_found);
  nlohmann::json state = {{"stack", {{{"ref", "base@1"}}}}, {"announce_key", "k"}};
  REQUIRE(save_desired_state(path, state).ok());
  auto back = load_desired_state(path);
  REQUIRE(back.ok());
  CHECK(*back == state);
  test::write_file(path, "{\"stack\": [");
  CHECK(load_desired_state(path).status().code() == Status::Code::corruption);
  test::write_file(path, "[1, 2]");
  CHECK(load_desired_state(path).status().code() == Status::Code::corruption);
}
