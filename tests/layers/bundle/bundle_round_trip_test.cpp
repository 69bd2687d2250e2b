#include <doctest/doctest.h>

#include <filesystem>

#include "layers/bundle/bundle_plan.hpp"
#include "layers/capture/verify.hpp"
#include "layers/diff/layer_diff.hpp"
#include "layers/index/content_index.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/bundle/bundle_support.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"

using namespace bc;

namespace {

Result<ImportReport> import_with(const std::string& bundle, const PublicKey& key, HeldSource* held,
                                 const std::string& out, bool tree = false) {
  BC_ASSIGN_OR_RETURN(OpenedBundle b, open_bundle(bundle, key));
  ImportOptions o;
  o.out_dir = out;
  o.held = held;
  o.materialize_tree = tree;
  return rebuild_bundle(b, o);
}

}  // namespace

TEST_CASE("plan_bundle carries new files whole, changed pieces of large files, nothing of held files") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  auto table = plan_bundle(v.v2.facts, {&v.v1.facts});
  uint64_t expect_data = 0;
  for (const BundleEntry& e : table) {
    INFO(e.path);
    if (e.path == "same.bin") CHECK(e.kind == BundleKind::held);
    if (e.path == "changed.bin" || e.path == "new.txt") CHECK(e.kind == BundleKind::whole);
    if (e.path == "disk/big.img") {
      CHECK(e.kind == BundleKind::pieces);
      CHECK(e.pieces == std::vector<uint32_t>{3, 30});
      CHECK(e.data_bytes == 2 * test::kBundlePiece);
    }
    expect_data += e.data_bytes;
  }
  CHECK(bundle_data_bytes(table) == expect_data);
  // Bins re-packed around the changed small file hold only v1's content:
  // a holder of v1 assembles them, so the bundle carries no byte of them.
  std::set<std::string> assembled;
  for (const DiffCost& c : diff_layers(v.v1.manifest(), &v.v1.facts, v.v2.manifest(), &v.v2.facts).costs)
    if (c.reason == "bin assembled from held files") assembled.insert(c.path);
  REQUIRE_FALSE(assembled.empty());
  auto with = plan_bundle(v.v2.facts, {&v.v1.facts}, assembled);
  for (const BundleEntry& e : with)
    if (assembled.count(e.path)) CHECK(e.kind == BundleKind::assembled);
  CHECK(bundle_data_bytes(with) < expect_data);
  // Without parents every byte of every torrent file is carried.
  uint64_t torrent_bytes = 0;
  for (const auto& [path, f] : v.v2.facts.files) torrent_bytes += f.size;
  CHECK(bundle_data_bytes(plan_bundle(v.v2.facts, {})) == torrent_bytes);
}

TEST_CASE("export against v1 then import beside v1 rebuilds v2 byte for byte; the bundle holds only the diff") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  const uint64_t bundle_bytes = std::filesystem::file_size(v.bundle);
  // The bundle carries exactly what bc-layer diff says a holder of v1 fetches.
  const uint64_t data = diff_layers(v.v1.manifest(), &v.v1.facts, v.v2.manifest(), &v.v2.facts).bytes_to_move;
  // Metadata (manifest, torrent, table) on top of the carried bytes.
  CHECK(bundle_bytes > data);
  CHECK(bundle_bytes < data + v.v2.trusted.bytes().size() + v.v2.torrent.size() + 4096);
  CHECK(data < v.v2.manifest().total_file_bytes() / 4);

  const PublicKey pk = v.key.public_key();
  auto held = LayerDirsSource::open({v.v1_dir}, &pk);
  REQUIRE(held.ok());
  auto r = import_with(v.bundle, v.key.public_key(), &*held, tmp / "imported", true);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->bundle_bytes == data);
  CHECK(r->held_bytes + r->bundle_bytes == r->payload_bytes);
  CHECK(r->held_pieces == test::kBundleBigPieces - 2);
  CHECK(r->assembled_files > 0);
  // Every torrent file identical; the tree verifies as a built layer does.
  for (const auto& [path, f] : v.v2.facts.files)
    CHECK_MESSAGE(test::read_file(tmp / ("imported/payload/" + path)) == test::read_file(tmp / ("v2/" + path)), path);
  auto dir = load_layer_dir(tmp / "imported");
  REQUIRE(dir.ok());
  auto tm = dir->trust(v.key.public_key());
  REQUIRE(tm.ok());
  Status s = verify_payload(*tm, dir->torrent, dir->payload_dir);
  CHECK_MESSAGE(s.ok(), s.to_string());
  CHECK(test::names_in(tmp.path()).count("imported.importing-" + std::to_string(::getpid())) == 0);
}

TEST_CASE("a bundle without --against carries everything and imports with no parent") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  ExportOptions o;
  o.layer_dir = v.v2_dir;
  o.out_file = tmp / "full.bcb";
  auto e = export_bundle(o);
  REQUIRE(e.ok());
  CHECK(e->files_held == 0);
  CHECK(e->data_bytes == e->payload_bytes);
  auto r = import_with(tmp / "full.bcb", v.key.public_key(), nullptr, tmp / "imported");
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->held_bytes == 0);
  CHECK(r->bundle_bytes == r->payload_bytes);
}

TEST_CASE("a node imports from its content index, records the layer, seeds it with zero bytes fetched") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  ContentIndexOptions io;
  io.dir = tmp / "index";
  io.map_size_bytes = 64u << 20;
  auto idx = ContentIndex::open(io);
  REQUIRE(idx.ok());
  REQUIRE((*idx)->record_layer(v.v1.trusted, v.v1.source_dir, v.v1.facts).ok());
  IndexSource held(**idx);
  auto b = open_bundle(v.bundle, v.key.public_key());
  REQUIRE_MESSAGE(b.ok(), b.status().to_string());
  ImportOptions o;
  o.out_dir = tmp / "node/layers/app@2";
  std::filesystem::create_directories(tmp / "node/layers");
  o.held = &held;
  auto r = rebuild_bundle(*b, o);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  REQUIRE((*idx)->record_layer(b->manifest(), o.out_dir + "/payload", b->facts).ok());

  // The importing node adds it as a download: the check finds every byte, and
  // it completes without receiving one.
  auto a = test::start_plain_node(tmp / "a", "127.0.0.2");
  REQUIRE(a->add_layer(b->manifest(), b->torrent, o.out_dir + "/payload", LayerMode::download).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(test::poll_until({a.get()}, a.get(), &seen, test::is<LayerComplete>, 20'000),
                  "the imported layer did not complete from disk within 20 s");
  CHECK(std::get<LayerComplete>(seen.back()).downloaded.total() == 0);

  // Then it seeds the layer to another session.
  auto c = test::start_plain_node(tmp / "c", "127.0.0.3");
  REQUIRE(c->add_layer(b->manifest(), b->torrent, tmp / "c-payload", LayerMode::download).ok());
  REQUIRE(c->add_peer(b->manifest().manifest().ref(), "127.0.0.2", a->listen_port()).ok());
  seen.clear();
  REQUIRE_MESSAGE(test::poll_until({a.get(), c.get()}, c.get(), &seen, test::is<LayerComplete>, 30'000),
                  "the peer did not complete from the importing node within 30 s");
  CHECK(std::get<LayerComplete>(seen.back()).downloaded.total() == r->payload_bytes);
  CHECK(test::read_file(tmp / "c-payload/disk/big.img") == test::read_file(tmp / "v2/disk/big.img"));
}
