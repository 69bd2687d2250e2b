// The reflector's messages with the tracker, pure: the desired state read in
// (refused whole when malformed), the heartbeat fields and the bounded report.
#include <doctest/doctest.h>

#include "reflector/agent/reflector_messages.hpp"

using namespace bc;
using namespace bc::reflector;
using nlohmann::json;

namespace {
const std::string kHash(64, 'a');
}

TEST_CASE("desired layers: refs, info-hashes and sizes are read; a malformed state is refused whole") {
  // Parsed, as from the wire: the parser stores 42 as unsigned.
  auto ok = desired_layers(json::parse(R"({"layers": [{"ref": "base@1", "total_bytes": 42, "info_hash": ")" + kHash + R"("}]})"));
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 1);
  CHECK((*ok)[0].ref.to_string() == "base@1");
  CHECK((*ok)[0].total_bytes == 42);
  CHECK(desired_layers(json::object()).status().code() == Status::Code::corruption);
  CHECK_FALSE(desired_layers({{"layers", {{{"ref", "base"}, {"info_hash", kHash}}}}}).ok());
  auto bad_hash = desired_layers({{"layers", {{{"ref", "base@1"}, {"info_hash", "ABC"}}}}});
  CHECK(bad_hash.status().message().find("base@1") != std::string::npos);
}

TEST_CASE("heartbeat fields list the seeding layers only; the report is bounded and prefers the core's error") {
  ReflectorCoreOptions o;
  o.quota_bytes = 1'000'000;
  ReflectorCore core(o);
  for (uint32_t i = 1; i <= 300; ++i) core.adopt_cached({LayerRef{"l", i}, kHash, 10}, 0);
  core.set_desired({{LayerRef{"m", 1}, kHash, 10}});
  core.plan(1);  // m@1 fetching: not in the heartbeat's cache
  json hb = heartbeat_fields(core, "10.0.0.2");
  CHECK(hb["cache"].size() == 300);
  CHECK(hb["address"] == "10.0.0.2");
  CHECK_FALSE(heartbeat_fields(core, "").contains("address"));
  json r = status_report(core, BytesBySource{5, 6, 7}, std::string(5000, 'e'));
  CHECK(r["layers"].size() == kMaxReportedLayers);
  CHECK(r["last_error"].get<std::string>().size() == kMaxReportedErrorBytes);
  CHECK(r["bytes_by_source"]["origin"] == 5);
  CHECK(r["bytes_by_source"]["peer"] == 7);
}
