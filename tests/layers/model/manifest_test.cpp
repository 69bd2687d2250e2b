#include <doctest/doctest.h>

#include "layers/model/manifest.hpp"

using namespace bc;

namespace {

Manifest sample() {
  Manifest m;
  m.name = "base";
  m.version = 3;
  m.kind = LayerKind::base;
  m.parent = LayerRef{"base", 2};
  m.created = "2026-11-21T21:00:00Z";
  m.info_hash = std::string(64, 'a');
  Entry d{"etc", EntryType::dir, 0755};
  Entry f{"etc/motd", EntryType::file, 0644, 12};
  f.root[0] = 1;
  Entry e{"etc/empty", EntryType::file, 0600, 0};
  Entry l{"etc/link", EntryType::symlink, 0};
  l.target = "../outside/is/fine/as/data";
  m.entries = {d, e, l, f};
  return m;
}

}  // namespace

TEST_CASE("a valid manifest round-trips through its encoding byte for byte") {
  Manifest m = sample();
  REQUIRE(m.validate().ok());
  std::string bytes = m.encode();
  auto back = Manifest::decode(bytes);
  REQUIRE(back.ok());
  CHECK(back->entries == m.entries);
  CHECK(back->parent == m.parent);
  CHECK(back->encode() == bytes);
}

TEST_CASE("decode rejects unsafe and inconsistent entries with the reason") {
  auto expect_error = [](Manifest m, const std::string& fragment) {
    std::string bytes;
    // Encode without validation by building JSON the same way encode does.
    bytes = m.encode();
    auto r = Manifest::decode(bytes);
    REQUIRE_FALSE(r.ok());
    INFO(r.status().to_string());
    CHECK(r.status().message().find(fragment) != std::string::npos);
  };
  Manifest m = sample();
  SUBCASE("dot-dot") { m.entries.push_back({"etc/..", EntryType::dir, 0755}); expect_error(m, "'..'"); }
  SUBCASE("absolute") { m.entries.insert(m.entries.begin(), {"/etc", EntryType::dir, 0755}); expect_error(m, "absolute"); }
  SUBCASE("duplicate") { m.entries.push_back(m.entries.back()); expect_error(m, "duplicate path"); }
  SUBCASE("unsorted") { std::swap(m.entries[0], m.entries[3]); expect_error(m, "not sorted"); }
  SUBCASE("missing parent dir") { m.entries.push_back({"var/log", EntryType::dir, 0755}); expect_error(m, "parent directory"); }
  SUBCASE("file under a file") {
    Entry f{"etc/motd/x", EntryType::file, 0644, 0};
    m.entries.push_back(f);
    expect_error(m, "parent directory");
  }
  SUBCASE("nonzero root on empty file") { m.entries[1].root[5] = 9; expect_error(m, "root must be zero"); }
  SUBCASE("bad info hash") { m.info_hash = "xyz"; expect_error(m, "info_hash"); }
  SUBCASE("mode bits") { m.entries[0].mode = 010000; expect_error(m, "mode"); }
}

TEST_CASE("decode rejects malformed JSON, wrong types and oversize fields precisely") {
  CHECK(Manifest::decode("{").status().code() == Status::Code::invalid_argument);
  CHECK(Manifest::decode("[]").status().message().find("not a JSON object") != std::string::npos);
  std::string deep(100, '[');
  CHECK(Manifest::decode(deep).status().message().find("nesting") != std::string::npos);
  auto r = Manifest::decode(R"({"schema":4})");
  CHECK(r.status().code() == Status::Code::unsupported);
  std::string good = sample().encode();
  std::string bad = good;
  bad.replace(bad.find("\"version\": 3"), 12, "\"version\": \"3\"");
  CHECK(Manifest::decode(bad).status().message().find("'version' must be an integer") !=
        std::string::npos);
  std::string longname = good;
  longname.replace(longname.find("\"name\": \"base\""), 14, "\"name\": \"" + std::string(100, 'a') + "\"");
  CHECK_FALSE(Manifest::decode(longname).ok());
}

TEST_CASE("driver layers match hardware facts by glob and other kinds always match") {
  Manifest m = sample();
  CHECK(driver_matches(m, {}));
  m.kind = LayerKind::driver;
  m.match = {{"vendor", "Dell*"}, {"model", "Latitude 7*"}};
  CHECK(driver_matches(m, {{"vendor", "Dell Inc."}, {"model", "Latitude 7420"}}));
  CHECK_FALSE(driver_matches(m, {{"vendor", "Dell Inc."}, {"model", "OptiPlex"}}));
  CHECK_FALSE(driver_matches(m, {{"vendor", "Dell Inc."}}));
}
