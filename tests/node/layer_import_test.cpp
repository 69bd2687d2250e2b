#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "node/layer_import.hpp"
#include "tests/layers/bundle/bundle_support.hpp"

using namespace bc;

namespace {

struct NodeStore {
  std::unique_ptr<ContentIndex> index;
  node::NodeImportOptions options;
};

// A node holding v1 (recorded in its index), its layers under tmp/node/layers/<ref>.
NodeStore node_holding_v1(const test::TmpDir& tmp, const test::BundleVersions& v) {
  ContentIndexOptions io;
  io.dir = tmp / "node/index";
  io.map_size_bytes = 64u << 20;
  auto idx = ContentIndex::open(io);
  REQUIRE(idx.ok());
  REQUIRE((*idx)->record_layer(v.v1.trusted, v.v1.source_dir, v.v1.facts).ok());
  NodeStore s{std::move(*idx), {}};
  s.options.tracker_key = v.key.public_key();
  const std::string layers = tmp / "node/layers";
  s.options.layer_dir = [layers](const LayerRef& ref, const std::string&) { return layers + "/" + ref.to_string(); };
  return s;
}

}  // namespace

TEST_CASE("import_into_node stores the layer where the node keeps fetched ones and records it in the index") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  auto node = node_holding_v1(tmp, v);
  auto r = node::import_into_node(v.bundle, *node.index, node.options);
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->held.dir == tmp / "node/layers/app@2");
  // What a restart reads back (load_layer) verifies; the index now names v2's new file.
  node::LayerFetchOptions fo;
  fo.tracker_key = v.key.public_key();
  CHECK(node::load_layer({"app", 2}, r->held.dir, fo).ok());
  auto found = node.index->find_file(v.v2.facts.files.at("changed.bin").root);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->path == r->held.dir + "/payload/changed.bin");
  CHECK(node::import_summary(*r).find("imported app@2") == 0);
  // A second import of the same layer is refused; the held copy stays.
  auto again = node::import_into_node(v.bundle, *node.index, node.options);
  CHECK(again.status().code() == Status::Code::already_exists);
  CHECK(node::load_layer({"app", 2}, r->held.dir, fo).ok());
}

TEST_CASE("a corrupted bundle leaves the node's store as it was: no layer directory, other layers still found") {
  test::TmpDir tmp;
  auto v = test::make_bundle(tmp);
  auto node = node_holding_v1(tmp, v);
  std::string bytes = test::read_file(v.bundle);
  bytes[bytes.size() - 2'000] ^= 0x20;
  {
    std::ofstream o(tmp / "bad.bcb", std::ios::binary | std::ios::trunc);
    o << bytes;
  }
  std::filesystem::create_directories(tmp / "node/layers");
  auto r = node::import_into_node(tmp / "bad.bcb", *node.index, node.options);
  CHECK(r.status().code() == Status::Code::corruption);
  CHECK(std::filesystem::is_empty(tmp / "node/layers"));
  auto held = node.index->find_file(v.v1.facts.files.at("same.bin").root);
  REQUIRE(held.ok());
  CHECK(held->has_value());
  auto stats = node.index->stats();
  REQUIRE(stats.ok());
  CHECK(stats->layers == 1);
}
