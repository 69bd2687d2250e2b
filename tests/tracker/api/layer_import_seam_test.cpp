// The layer import reaches the importer only through ApiContext::import_layer,
// which TrackerApp wires (bc_tracker_core links no libtorrent, so it cannot
// call the importer itself).
#include <doctest/doctest.h>

#include "tests/tracker/api/api_fixture.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

TEST_CASE("an import goes through the injected importer, with the origin store under the data dir") {
  test::ApiFixture f;
  std::string seen_dir, seen_root;
  f.app->context().import_layer = [&](const std::string& dir, const std::string& root,
                                      const SecretKey&) -> Result<ImportedLayer> {
    seen_dir = dir;
    seen_root = root;
    return Status::invalid_argument("stub importer refuses");
  };
  HttpResponse r = f.call("POST", "/api/v1/layers/import", json{{"dir", "/nowhere/layer"}}.dump());
  CHECK(r.status == 400);
  CHECK(f.body(r)["error"].get<std::string>().find("stub importer refuses") != std::string::npos);
  CHECK(seen_dir == "/nowhere/layer");
  CHECK(seen_root == f.app->context().data_dir + "/origin");
}

TEST_CASE("without an importer wired, an import answers 503 and records nothing") {
  test::ApiFixture f;
  f.app->context().import_layer = nullptr;
  HttpResponse r = f.call("POST", "/api/v1/layers/import", json{{"dir", "/nowhere/layer"}}.dump());
  CHECK(r.status == 503);
  HttpResponse list = f.call("GET", "/api/v1/layers");
  REQUIRE(list.status == 200);
  CHECK(f.body(list) == json::array());
}
