// The node's reading of per-layer web seed URLs from its desired state
// (tracker/client/branch_net.hpp), the secret file the tracker keeps
// (tracker/webseed/web_seed_key.hpp) and the [origin] keys that configure them.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "layers/util/fs.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/client/branch_net.hpp"
#include "tracker/config/config.hpp"
#include "tracker/webseed/web_seed_key.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

TEST_CASE("layer_web_seeds are read per info-hash; a wrong shape is refused naming the field") {
  const std::string ih(64, 'c');
  auto n = branch_net_from_desired(json{{"layer_web_seeds", {{ih, {"https://t:1/ws/x/"}}}}});
  REQUIRE(n.ok());
  CHECK(n->layer_web_seeds.at(ih) == std::vector<std::string>{"https://t:1/ws/x/"});
  CHECK(branch_net_from_desired(json::object())->layer_web_seeds.empty());
  auto bad = branch_net_from_desired(json{{"layer_web_seeds", {"https://t/"}}});
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("layer_web_seeds") != std::string::npos);
  bad = branch_net_from_desired(json{{"layer_web_seeds", {{ih, {1}}}}});
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("layer_web_seeds." + ih) != std::string::npos);
}

TEST_CASE("the web seed secret is made 0600 once, read back, and refused when others may read it") {
  test::TmpDir tmp;
  const std::string path = tmp / "webseed.key";
  CHECK(load_web_seed_secret(path, false).status().code() == Status::Code::not_found);
  auto made = load_web_seed_secret(path, true);
  REQUIRE(made.ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto again = load_web_seed_secret(path, true);
  REQUIRE(again.ok());
  CHECK(*again == *made);
  ::chmod(path.c_str(), 0644);
  auto open = load_web_seed_secret(path, true);
  REQUIRE(!open.ok());
  CHECK(open.status().message().find("chmod 600") != std::string::npos);
  ::chmod(path.c_str(), 0600);
  REQUIRE(write_file_atomic(path, "short", 0600).ok());
  auto bad = load_web_seed_secret(path, true);
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("32") != std::string::npos);
}

TEST_CASE("the [origin] web seed keys are read with their defaults and checked") {
  const std::string base = "[storage]\ndata_dir = \"data\"\n[auth]\nsigning_key = \"/k\"\n";
  auto c = parse_config(base, "/base");
  REQUIRE(c.ok());
  CHECK_FALSE(c->origin.serve_web_seed);
  CHECK(c->origin.web_seed_token_ttl_s == 3600);
  CHECK(c->origin.web_seed_secret_file == "/base/data/webseed.key");
  c = parse_config(base + "[origin]\nserve_web_seed = true\nweb_seed_token_ttl_s = 600\n"
                          "web_seed_secret_file = \"shared/ws.key\"\n",
                   "/base");
  REQUIRE(c.ok());
  CHECK(c->origin.serve_web_seed);
  CHECK(c->origin.web_seed_token_ttl_s == 600);
  CHECK(c->origin.web_seed_secret_file == "/base/shared/ws.key");
  auto bad = parse_config(base + "[origin]\nweb_seed_token_ttl_s = 59\n", "/base");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("web_seed_token_ttl_s") != std::string::npos);
  bad = parse_config(base + "[origin]\nserve_web_seed = \"yes\"\n", "/base");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("serve_web_seed") != std::string::npos);
}
