// bc-endpoint fed by a disk: the real bc-tracker publishes a layer but runs no
// origin seed and the branch has no reflector, so nobody can send its bytes;
// `bc-endpoint import` of a bundle, then `bc-endpoint run`, applies it.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "layers/bundle/bundle_export.hpp"
#include "layers/model/layer_dir.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/integration/support/tracker_process.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;

namespace {

const std::string kAdmin = "endpoint-bundle-admin-token-0123456";

int sh(const std::string& cmd, const std::string& log) {
  int rc = std::system((cmd + " > '" + log + "' 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

TEST_CASE("bc-endpoint import then run applies a layer no peer or origin can send, from the bundle alone") {
  test::TmpDir tmp;
  test::TrackerProcess proc{{tmp.path(), kAdmin, "", 0}};  // no [origin]: no seed anywhere
  const uint16_t port = proc.start();
  SystemClock clock;
  TrackerClient admin{test::local_client(port, proc.ca_file()), nullptr, kAdmin, clock};
  const std::string blob = test::random_bytes(300'000, 7);
  const std::string layer_dir =
      test::make_layer_dir(tmp.path(), "base@1", {{"etc/motd", "welcome\n"}, {"usr/share/blob", blob}});
  REQUIRE(admin.admin_json("POST", "/api/v1/layers/import", {{"dir", layer_dir}}).ok());
  REQUIRE(admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
  REQUIRE(admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@1"}}}).ok());
  auto tok = admin.admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "endpoint"}});
  REQUIRE(tok.ok());

  // The layer as the tracker signed and serves it, exported whole.
  auto m = admin.admin_call("GET", "/api/v1/layers/base@1/manifest");
  auto t = admin.admin_call("GET", "/api/v1/layers/base@1/torrent");
  REQUIRE((m.ok() && t.ok()));
  auto sig = signature_from_hex(m->header("x-bc-signature"));
  REQUIRE(sig.ok());
  auto built = load_layer_dir(layer_dir);
  REQUIRE(built.ok());
  const std::string signed_dir = tmp.path() + "/signed.layer";
  REQUIRE(write_layer_dir(signed_dir, m->body, t->body, built->payload_dir).ok());
  REQUIRE(write_layer_signature(signed_dir, *sig).ok());
  std::filesystem::copy(built->bins_dir, signed_dir + "/" + kLayerBinsDirName, std::filesystem::copy_options::recursive);
  ExportOptions eo;
  eo.layer_dir = signed_dir;
  eo.out_file = tmp.path() + "/base@1.bcb";
  REQUIRE(export_bundle(eo).ok());

  const std::string ep = BC_ENDPOINT_BIN, dir = tmp.path() + "/ep", root = tmp.path() + "/root";
  std::filesystem::create_directories(root);
  REQUIRE_MESSAGE(sh(ep + " enroll --tracker " + proc.url() + " --token " + (*tok)["token"].get<std::string>() +
                         " --dir " + dir + " --root " + root + " --listen 127.0.0.1:0 --poll-interval-ms 200",
                     tmp.path() + "/enroll.log") == 0,
                  test::read_file(tmp.path() + "/enroll.log"));
  REQUIRE_MESSAGE(sh(ep + " import " + eo.out_file + " --dir " + dir, tmp.path() + "/import.log") == 0,
                  test::read_file(tmp.path() + "/import.log"));
  CHECK(std::filesystem::is_directory(dir + "/layers/base@1/payload"));
  const std::string log = tmp.path() + "/run.log";
  REQUIRE_MESSAGE(sh(ep + " run --dir " + dir + " --exit-when-applied --max-run-ms 60000", log) == 0,
                  test::read_file(log));
  CHECK(test::read_file(root + "/etc/motd") == "welcome\n");
  CHECK(test::read_file(root + "/usr/share/blob") == blob);
}
