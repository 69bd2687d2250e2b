// A reflector fed by a disk: `bc-reflector import` (the real binary) puts a
// bundle of the tracker's layer into the cache before the reflector runs;
// the reflector driver then seeds it without a byte from the origin and
// serves a peer every byte. A bundle signed by another key is refused and
// leaves the cache empty.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "layers/bundle/bundle_export.hpp"
#include "layers/model/layer_dir.hpp"
#include "reflector/agent/reflector_config.hpp"
#include "tests/integration/support/reflector_fixture.hpp"

using namespace bc;
using namespace bc::test::reflector_it;

namespace {

// The tracker's signed layer as a built layer directory, exported whole.
std::string export_tracker_layer(Fixture& f, const TrustedManifest& tm, const std::string& torrent,
                                 const std::string& name) {
  auto built = load_layer_dir(f.layer_dir);
  REQUIRE(built.ok());
  const std::string dir = f.tmp.path() + "/" + name + ".layer";
  REQUIRE(write_layer_dir(dir, tm.bytes(), torrent, built->payload_dir).ok());
  REQUIRE(write_layer_signature(dir, tm.signature()).ok());
  std::filesystem::copy(built->bins_dir, dir + "/" + kLayerBinsDirName, std::filesystem::copy_options::recursive);
  ExportOptions o;
  o.layer_dir = dir;
  o.out_file = f.tmp.path() + "/" + name + ".bcb";
  auto r = export_bundle(o);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  return o.out_file;
}

int reflector_import(Fixture& f, const reflector::ReflectorConfig& cfg, const std::string& bundle) {
  const std::string config = f.tmp.path() + "/reflector.toml";
  if (!std::filesystem::exists(config)) test::write_file(config, reflector::render_reflector_config(cfg), 0600);
  const std::string cmd = std::string(BC_REFLECTOR_BIN) + " import " + bundle + " --config " + config + " >" +
                          f.tmp.path() + "/import.log 2>&1";
  int rc = std::system(cmd.c_str());
  MESSAGE(test::read_file(f.tmp.path() + "/import.log"));
  return rc;
}

}  // namespace

TEST_CASE("a reflector fed by a bundle seeds the layer with zero origin bytes and serves a peer every byte") {
  Fixture f;
  f.assign_to_endpoint();
  auto [trusted, torrent] = f.trusted_layer();
  const std::string bundle = export_tracker_layer(f, trusted, torrent, "base");
  auto cfg = f.reflector_config();
  REQUIRE(reflector_import(f, cfg, bundle) == 0);

  auto driver = reflector::ReflectorDriver::create(cfg, f.clock);
  REQUIRE_MESSAGE(driver.ok(), driver.status().to_string());
  auto& d = **driver;
  REQUIRE(d.register_or_heartbeat().ok());
  const LayerRef ref{"base", 1};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!seeding(d, ref) && std::chrono::steady_clock::now() < deadline) d.step(50);
  REQUIRE(seeding(d, ref));
  CHECK(d.bytes_by_source().total() == 0);  // nothing from the origin, nor anyone
  peer_fetches_every_byte(f, d, trusted, torrent);
  CHECK(d.bytes_by_source().total() == 0);
}

TEST_CASE("bc-reflector import refuses a bundle signed by another key and leaves the cache empty") {
  Fixture f;
  auto [trusted, torrent] = f.trusted_layer();
  // The same layer signed by a stranger's key.
  SecretKey stranger = SecretKey::generate();
  const std::string& bytes = trusted.bytes();
  Signature sig = stranger.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto forged = TrustedManifest::verify(bytes, sig, stranger.public_key());
  REQUIRE(forged.ok());
  const std::string bundle = export_tracker_layer(f, *forged, torrent, "forged");
  auto cfg = f.reflector_config();
  CHECK(reflector_import(f, cfg, bundle) != 0);
  CHECK(test::read_file(f.tmp.path() + "/import.log").find("does not verify against the pinned tracker key") !=
        std::string::npos);
  CHECK((!std::filesystem::exists(cfg.cache_dir + "/layers") ||
         std::filesystem::is_empty(cfg.cache_dir + "/layers")));
}
