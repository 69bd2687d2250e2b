// The loop skeleton runs on the injected clock: periods, the run limit and the
// stop flag are read from it, so a ManualClock drives them.
#include <doctest/doctest.h>

#include "node/node_loop.hpp"

using namespace bc;
using namespace bc::node;

TEST_CASE("Every: due at once, then once per period of the injected clock") {
  ManualClock clock(1'000);
  Every e(500);
  CHECK(e.due(clock.now_ms()));
  CHECK_FALSE(e.due(clock.now_ms()));
  clock.advance_ms(499);
  CHECK_FALSE(e.due(clock.now_ms()));
  clock.advance_ms(1);
  CHECK(e.due(clock.now_ms()));
  e.restart(clock.now_ms() + 100);
  clock.advance_ms(550);
  CHECK_FALSE(e.due(clock.now_ms()));
  clock.advance_ms(50);
  CHECK(e.due(clock.now_ms()));
}

TEST_CASE("run_node_loop: ends on done, on an error, on stop, and after max_run_ms of the injected clock") {
  ManualClock clock;
  NodeLoopOptions o;
  o.name = "test";
  o.clock = &clock;
  int turns = 0;
  CHECK(run_node_loop(o, [&]() -> Result<Turn> { return ++turns == 3 ? Turn::done : Turn::again; }).ok());
  CHECK(turns == 3);
  Status err = run_node_loop(o, [&]() -> Result<Turn> { return Status::io_error("disk"); });
  CHECK(err.code() == Status::Code::io_error);
  std::atomic<bool> stop{false};
  o.stop = &stop;
  turns = 0;
  CHECK(run_node_loop(o, [&]() -> Result<Turn> {
          stop.store(++turns == 2);
          return Turn::again;
        }).ok());
  CHECK(turns == 2);
  o.stop = nullptr;
  o.max_run_ms = 1'000;
  turns = 0;
  Status late = run_node_loop(o, [&]() -> Result<Turn> {
    ++turns;
    clock.advance_ms(300);
    return Turn::again;
  });
  CHECK(late.code() == Status::Code::unavailable);
  CHECK(turns == 4);  // 0, 300, 600, 900 ms ran; at 1200 ms the limit ends it
  CHECK(late.message().find("test") != std::string::npos);
  o.clock = nullptr;
  CHECK(run_node_loop(o, [&]() -> Result<Turn> { return Turn::done; }).code() == Status::Code::invalid_argument);
}
