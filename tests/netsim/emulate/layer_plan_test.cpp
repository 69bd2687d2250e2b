// The synthetic layers: sizes follow the file mix, contents are a function of
// the seed, and version 2 changes about v2_change_ratio of the bytes in whole
// blocks, replaced files and added files.
#include <doctest/doctest.h>

#include <set>

#include "netsim/emulate/layer_plan.hpp"

namespace bc::netsim {
namespace {

LayerDef layer(std::uint64_t size, std::vector<FileMixEntry> mix, std::optional<double> ratio) {
  LayerDef l;
  l.name = "base";
  l.size_bytes = size;
  l.file_mix = std::move(mix);
  l.v2_change_ratio = ratio;
  return l;
}

std::uint64_t sum(const LayerPlan& p) {
  std::uint64_t s = 0;
  for (const auto& f : p.files) s += f.size_bytes;
  return s;
}

TEST_CASE("version 1 splits the layer by the file mix, the last file of a class holding the remainder") {
  auto l = layer(10u << 20, {{4096, 0.1}, {1u << 20, 0.9}}, std::nullopt);
  auto p = plan_layer(l, 42, 1);
  REQUIRE(p.ok());
  CHECK(p->total_bytes == 10u << 20);
  CHECK(sum(*p) == 10u << 20);
  std::size_t small = 0, big = 0;
  for (const auto& f : p->files) (f.size_bytes <= 4096 ? small : big)++;
  CHECK(small == 256);  // 0.1 x 10 MiB = 256 files of 4 KiB
  CHECK(big == 9);
  CHECK(p->changed_bytes == 0);
}

TEST_CASE("the same seed gives the same plan and bytes; another seed other bytes") {
  auto l = layer(1u << 20, {}, 0.1);
  auto a = plan_layer(l, 7, 2), b = plan_layer(l, 7, 2), c = plan_layer(l, 8, 2);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  REQUIRE(a->files.size() == b->files.size());
  for (std::size_t i = 0; i < a->files.size(); ++i) {
    CHECK(a->files[i].path == b->files[i].path);
    CHECK(a->files[i].content_key == b->files[i].content_key);
    CHECK(a->files[i].rewritten_blocks == b->files[i].rewritten_blocks);
  }
  CHECK(a->files[0].content_key != c->files[0].content_key);
  std::vector<char> x(1000), y(1000);
  fill_block(5, 3, x);
  fill_block(5, 3, y);
  CHECK(x == y);
  fill_block(5, 4, y);
  CHECK(x != y);
}

TEST_CASE("version 2 changes the ratio of bytes (within one block) and keeps the rest identical") {
  auto l = layer(64u << 20, {{4096, 0.05}, {256 * 1024, 0.35}, {16u << 20, 0.6}}, 0.05);
  auto v1 = plan_layer(l, 42, 1);
  auto v2 = plan_layer(l, 42, 2);
  REQUIRE(v1.ok());
  REQUIRE(v2.ok());
  const double budget = 0.05 * (64u << 20);
  CHECK(static_cast<double>(v2->changed_bytes) >= budget - 1);
  CHECK(static_cast<double>(v2->changed_bytes) <= budget + 256 * 1024);  // one replaced file of overshoot at most
  // Count what really differs from v1: rewritten blocks, new keys, new files.
  std::uint64_t differs = 0, rewritten = 0, replaced = 0, added = 0;
  for (std::size_t i = 0; i < v2->files.size(); ++i) {
    const PlannedFile& f = v2->files[i];
    if (i >= v1->files.size()) {
      added += f.size_bytes;
      continue;
    }
    CHECK(f.path == v1->files[i].path);
    CHECK(f.size_bytes == v1->files[i].size_bytes);
    if (f.content_key != v1->files[i].content_key) {
      replaced += f.size_bytes;
      continue;
    }
    for (std::uint64_t b : f.rewritten_blocks) rewritten += std::min(kPlanBlockBytes, f.size_bytes - b * kPlanBlockBytes);
  }
  differs = rewritten + replaced + added;
  CHECK(differs == v2->changed_bytes);
  CHECK(rewritten > 0);
  CHECK(replaced > 0);
  CHECK(added > 0);
  CHECK(v2->total_bytes == v1->total_bytes + added);
}

TEST_CASE("a layer without version 2 refuses to plan one") {
  auto p = plan_layer(layer(1u << 20, {}, std::nullopt), 1, 2);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message() == "layer base: no version 2");
}

}  // namespace
}  // namespace bc::netsim
