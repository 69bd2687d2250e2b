#include <doctest/doctest.h>

#include <filesystem>

#include "endpoint/agent/report_queue.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::endpoint;

static std::string front_body(ReportQueue& q) {
  auto f = q.front();
  REQUIRE(f.ok());
  REQUIRE(f->has_value());
  return (*f)->body;
}

TEST_CASE("reports come out in the order they went in, and only pop removes them") {
  test::TmpDir tmp;
  auto q = ReportQueue::open(tmp / "q");
  REQUIRE(q.ok());
  REQUIRE(q->push("{\"n\":1}").ok());
  REQUIRE(q->push("{\"n\":2}").ok());
  CHECK(front_body(*q) == "{\"n\":1}");
  CHECK(front_body(*q) == "{\"n\":1}");  // not acknowledged yet: still there
  auto f = q->front();
  REQUIRE(q->pop((*f)->seq).ok());
  CHECK(front_body(*q) == "{\"n\":2}");
}

TEST_CASE("undelivered reports survive a restart (reopen) in order") {
  test::TmpDir tmp;
  {
    auto q = ReportQueue::open(tmp / "q");
    for (int i = 0; i < 5; ++i) REQUIRE(q->push("r" + std::to_string(i)).ok());
    auto f = q->front();
    REQUIRE(q->pop((*f)->seq).ok());
  }
  // A write interrupted by a crash leaves a temporary file: never a report.
  test::write_file(tmp / "q/00000000000000000009.json.tmp.1.2", "partial");
  auto q = ReportQueue::open(tmp / "q");
  REQUIRE(q.ok());
  CHECK(q->size() == 4);
  CHECK(front_body(*q) == "r1");
  REQUIRE(q->push("r5").ok());
  for (int i = 1; i <= 5; ++i) {
    auto f = q->front();
    CHECK((*f)->body == "r" + std::to_string(i));
    REQUIRE(q->pop((*f)->seq).ok());
  }
  CHECK_FALSE(std::filesystem::exists(tmp / "q/00000000000000000009.json.tmp.1.2"));
}

TEST_CASE("a newer progress report replaces an undelivered one with the same key; results never do") {
  test::TmpDir tmp;
  auto q = ReportQueue::open(tmp / "q", {});
  REQUIRE(q->push("progress base 10%", "progress:base@1").ok());
  REQUIRE(q->push("applied", "").ok());
  REQUIRE(q->push("progress base 50%", "progress:base@1").ok());
  REQUIRE(q->push("progress app 5%", "progress:app@1").ok());
  CHECK(q->size() == 3);
  CHECK(q->coalesced() == 1);
  CHECK(front_body(*q) == "applied");
  // The replacement also holds across a restart.
  auto q2 = ReportQueue::open(tmp / "q", {});
  REQUIRE(q2->push("progress base 90%", "progress:base@1").ok());
  CHECK(q2->size() == 3);
}

TEST_CASE("the queue is bounded: oversize reports and a full queue are refused, nothing is dropped") {
  test::TmpDir tmp;
  ReportQueueOptions o;
  o.max_reports = 3;
  o.max_report_bytes = 10;
  auto q = ReportQueue::open(tmp / "q", o);
  CHECK(q->push(std::string(11, 'x')).code() == Status::Code::invalid_argument);
  for (int i = 0; i < 3; ++i) REQUIRE(q->push("e" + std::to_string(i)).ok());
  CHECK(q->push("e3").code() == Status::Code::no_space);
  CHECK(q->size() == 3);
  CHECK(front_body(*q) == "e0");
  CHECK_FALSE(ReportQueue::open(tmp / "q2", ReportQueueOptions{0, 1}).ok());
}
