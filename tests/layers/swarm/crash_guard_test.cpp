// The crash guard (layers/swarm/crash_guard.hpp): marker, suspects and ban
// TTLs, with time from a ManualClock.
#include <doctest/doctest.h>

#include <filesystem>

#include "layers/swarm/crash_guard.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
namespace fs = std::filesystem;

TEST_CASE("the marker tells an unclean stop from a clean one") {
  test::TmpDir tmp;
  ManualClock clock;
  {
    auto g = CrashGuard::open(tmp.path(), 3600, clock);
    REQUIRE(g.ok());
    CHECK_FALSE(g->unclean_start());
    CHECK(fs::exists(tmp / "running"));
  }  // no clean stop: as if killed
  auto g = CrashGuard::open(tmp.path(), 3600, clock);
  REQUIRE(g.ok());
  CHECK(g->unclean_start());
  g->mark_clean_stop();
  CHECK_FALSE(fs::exists(tmp / "running"));
  auto again = CrashGuard::open(tmp.path(), 3600, clock);
  REQUIRE(again.ok());
  CHECK_FALSE(again->unclean_start());
}

TEST_CASE("after an unclean stop the suspects are banned once; after a clean stop they are forgotten") {
  test::TmpDir tmp;
  ManualClock clock(0, 2'000'000'000);
  {
    auto g = CrashGuard::open(tmp.path(), 3600, clock);
    REQUIRE(g.ok());
    g->add_suspect("10.0.0.7");
    g->add_suspect("10.0.0.7");
    CHECK(test::read_file(tmp / "suspect-peers") == "10.0.0.7\n");
  }  // killed
  test::write_file(tmp / "suspect-peers", "10.0.0.7\nnot-an-ip\n");  // a torn line too
  {
    auto g = CrashGuard::open(tmp.path(), 3600, clock);
    REQUIRE(g.ok());
    CHECK(g->take_crash_bans() == std::vector<std::string>{"10.0.0.7"});
    CHECK(g->take_crash_bans().empty());
    REQUIRE(g->bans().count("10.0.0.7") == 1);
    CHECK(g->bans().at("10.0.0.7") == 2'000'000'000);  // the clock's time, not the wall clock's
    g->add_suspect("10.0.0.9");
    g->mark_clean_stop();
  }
  auto g = CrashGuard::open(tmp.path(), 3600, clock);
  REQUIRE(g.ok());
  CHECK(g->take_crash_bans().empty());
  CHECK(g->bans().count("10.0.0.9") == 0);
}

TEST_CASE("a ban expires ban_ttl_s after it was made, as the clock moves, in memory and across reopening") {
  test::TmpDir tmp;
  ManualClock clock;
  auto g = CrashGuard::open(tmp.path(), 100, clock);
  REQUIRE(g.ok());
  CHECK(*g->ban("192.0.2.1") == true);
  CHECK_FALSE(g->ban("nonsense").ok());
  clock.advance_ms(50'000);
  CHECK(*g->ban("192.0.2.2") == true);
  clock.advance_ms(49'000);  // 99 s after the first ban
  CHECK_FALSE(g->expire_bans());
  CHECK(g->bans().size() == 2);
  auto reopened = CrashGuard::open(tmp.path(), 100, clock);
  REQUIRE(reopened.ok());
  CHECK(reopened->bans().size() == 2);

  clock.advance_ms(1'000);  // 100 s: the first ban is over
  CHECK(g->expire_bans());
  CHECK(g->bans().size() == 1);
  CHECK(g->bans().count("192.0.2.2") == 1);
  auto later = CrashGuard::open(tmp.path(), 100, clock);
  REQUIRE(later.ok());
  CHECK(later->bans().size() == 1);
}
