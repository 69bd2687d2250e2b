#include <doctest/doctest.h>

#include "layers/swarm/ban_list.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

TEST_CASE("banned peers survive a reload, expire after the TTL, and bad addresses or lines are refused or skipped") {
  test::TmpDir tmp;
  std::string path = tmp / "banned-peers";
  auto b = BanList::load(path, 1000, 3600);
  REQUIRE(b.ok());
  CHECK(b->entries().empty());
  CHECK(*b->add("10.1.0.7", 1000) == true);
  CHECK(*b->add("10.1.0.7", 1100) == false);  // refreshed, not new
  CHECK(*b->add("fd00::5", 2000) == true);
  CHECK_FALSE(b->add("not-an-ip", 2000).ok());

  auto again = BanList::load(path, 4000, 3600);
  REQUIRE(again.ok());
  CHECK(again->entries().size() == 2);
  auto later = BanList::load(path, 4700, 3600);  // 10.1.0.7 was banned at 1100: expired
  REQUIRE(later.ok());
  CHECK(later->entries().size() == 1);
  CHECK(later->entries().count("fd00::5") == 1);

  test::write_file(path, "garbage\n10.9.9.9 1000\n1.2.3 5\n");
  auto torn = BanList::load(path, 1000, 3600);
  REQUIRE(torn.ok());
  CHECK(torn->entries().size() == 1);
}
