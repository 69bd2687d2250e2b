#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/support/tmp_dir.hpp"
#include "tracker/store/migrations.hpp"
#include "tracker/store/store.hpp"

using namespace bc;
using namespace bc::tracker;

TEST_CASE("a committed write is visible after reopening the environment; a failed one leaves nothing") {
  test::TmpDir tmp;
  {
    auto store = Store::open(tmp / "db", {});
    REQUIRE(store.ok());
    REQUIRE((*store)->write([](Txn& t) { return t.put(Table::branches, "hq", "{}"); }).ok());
    Status s = (*store)->write([](Txn& t) -> Status {
      BC_RETURN_IF_ERROR(t.put(Table::branches, "half", "{}"));
      return Status::invalid_argument("changed my mind");
    });
    CHECK(s.code() == Status::Code::invalid_argument);
  }
  auto store = Store::open(tmp / "db", {});
  REQUIRE(store.ok());
  (*store)->read([](const Txn& t) {
    CHECK(t.get(Table::branches, "hq")->has_value());
    CHECK_FALSE(t.get(Table::branches, "half")->has_value());
    return Status();
  });
}

TEST_CASE("prefix scans return keys in order and stop at the prefix's end") {
  test::TmpDir tmp;
  auto store = Store::open(tmp / "db", {}).value();
  store->write([](Txn& t) {
    for (const char* k : {"a:1", "b:2", "b:1", "c:1", "b"}) BC_RETURN_IF_ERROR(t.put(Table::groups, k, k));
    return Status();
  });
  std::vector<std::string> seen;
  store->read([&](const Txn& t) {
    return t.scan(Table::groups, "b:", [&](std::string_view k, std::string_view) {
      seen.emplace_back(k);
      return true;
    });
  });
  CHECK(seen == std::vector<std::string>{"b:1", "b:2"});
}

TEST_CASE("the audit log appends with increasing sequence numbers across reopen") {
  test::TmpDir tmp;
  for (int round = 0; round < 2; ++round) {
    auto store = Store::open(tmp / "db", {}).value();
    for (int i = 0; i < 3; ++i)
      REQUIRE(store->write([&](Txn& t) { return append_audit(t, {{"i", i}}).status(); }).ok());
  }
  auto store = Store::open(tmp / "db", {}).value();
  std::vector<uint64_t> seqs;
  store->read([&](const Txn& t) {
    return t.scan(Table::audit, "", [&](std::string_view k, std::string_view v) {
      seqs.push_back(audit_seq(k));
      CHECK(nlohmann::json::parse(v)["seq"] == audit_seq(k));
      return true;
    });
  });
  CHECK(seqs == std::vector<uint64_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("a new database is migrated to the current schema and a newer one is refused") {
  test::TmpDir tmp;
  {
    auto store = Store::open(tmp / "db", {}).value();
    store->read([](const Txn& t) {
      CHECK(*read_schema_version(t) == kSchemaVersion);
      return Status();
    });
    store->write([](Txn& t) { return t.put(Table::meta, "schema_version", "99"); });
  }
  auto again = Store::open(tmp / "db", {});
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Status::Code::unsupported);
  CHECK(again.status().message().find("99") != std::string::npos);
}

TEST_CASE("migration steps run in order from the stored version, each with its version bump") {
  test::TmpDir tmp;
  auto env = LmdbEnv::open(std::string(tmp.path()), {}).value();
  std::vector<int> ran;
  std::vector<MigrationStep> steps = {
      [&](Txn&) { ran.push_back(1); return Status(); },
      [&](Txn& t) { ran.push_back(2); return t.put(Table::groups, "added-by-v2", "{}"); },
      [&](Txn&) { ran.push_back(3); return Status::io_error("step 3 fails"); },
  };
  CHECK(migrate(*env, steps, 2).ok());
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(migrate(*env, steps, 2).ok());  // idempotent
  CHECK(ran.size() == 2);
  CHECK_FALSE(migrate(*env, steps, 3).ok());
  env->read([](const Txn& t) {
    CHECK(*read_schema_version(t) == 2);  // the failed step left the version alone
    return Status();
  });
}

TEST_CASE("watchers fire once after the next notifying write, not after a silent one, and can be cancelled") {
  test::TmpDir tmp;
  auto store = Store::open(tmp / "db", {}).value();
  std::atomic<int> fired{0};
  uint64_t g0 = store->generation();
  store->on_next_change([&] { fired++; });
  uint64_t cancelled = store->on_next_change([&] { fired += 100; });
  CHECK(store->cancel(cancelled));
  store->write([](Txn& t) { return t.put(Table::status, "n", "{}"); }, Store::Notify::no);
  CHECK(fired == 0);
  CHECK(store->generation() == g0);
  store->write([](Txn& t) { return t.put(Table::branches, "b", "{}"); });
  CHECK(fired == 1);
  CHECK(store->generation() == g0 + 1);
  store->write([](Txn& t) { return t.put(Table::branches, "c", "{}"); });
  CHECK(fired == 1);
  CHECK(store->watcher_count() == 0);
}

TEST_CASE("a batch commits its good writes and rolls back only the failing or throwing one") {
  test::TmpDir tmp;
  auto env = LmdbEnv::open(std::string(tmp.path()), {}).value();
  std::function<Status(Txn&)> a = [](Txn& t) { return t.put(Table::groups, "a", "1"); };
  std::function<Status(Txn&)> b = [](Txn& t) -> Status {
    BC_RETURN_IF_ERROR(t.put(Table::groups, "b", "1"));
    return Status::invalid_argument("b fails");
  };
  std::function<Status(Txn&)> c = [](Txn& t) -> Status {
    BC_RETURN_IF_ERROR(t.put(Table::groups, "c", "1"));
    throw std::runtime_error("c throws");
  };
  std::function<Status(Txn&)> d = [](Txn& t) { return append_audit(t, {{"d", 1}}).status(); };
  std::vector<Status> results(4);
  REQUIRE(env->write_batch({&a, &b, &c, &d}, &results).ok());
  CHECK(results[0].ok());
  CHECK(results[1].code() == Status::Code::invalid_argument);
  CHECK(results[2].code() == Status::Code::internal);
  CHECK(results[3].ok());
  env->read([](const Txn& t) {
    CHECK(t.get(Table::groups, "a")->has_value());
    CHECK_FALSE(t.get(Table::groups, "b")->has_value());
    CHECK_FALSE(t.get(Table::groups, "c")->has_value());
    CHECK(t.get(Table::audit, audit_key(1))->has_value());
    return Status();
  });
}

TEST_CASE("concurrent writers are all acknowledged, each write lands once and audit sequences stay contiguous") {
  test::TmpDir tmp;
  auto store = Store::open(tmp / "db", {}).value();
  constexpr int kThreads = 8, kWrites = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int th = 0; th < kThreads; ++th)
    threads.emplace_back([&, th] {
      for (int i = 0; i < kWrites; ++i) {
        std::string key = std::to_string(th) + "/" + std::to_string(i);
        Status s = store->write([&](Txn& t) -> Status {
          BC_RETURN_IF_ERROR(t.put(Table::groups, key, "{}"));
          return append_audit(t, {{"key", key}}).status();
        });
        if (!s.ok()) failures++;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(store->commits() >= 1);
  CHECK(store->commits() <= uint64_t(kThreads * kWrites));
  std::set<std::string> keys;
  uint64_t expect = 1;
  store->read([&](const Txn& t) {
    t.scan(Table::groups, "", [&](std::string_view k, std::string_view) {
      keys.emplace(k);
      return true;
    });
    return t.scan(Table::audit, "", [&](std::string_view k, std::string_view) {
      CHECK(audit_seq(k) == expect++);
      return true;
    });
  });
  CHECK(keys.size() == size_t(kThreads * kWrites));
  CHECK(expect == uint64_t(kThreads * kWrites + 1));
  MESSAGE("commits for " << kThreads * kWrites << " writes: " << store->commits());
}
