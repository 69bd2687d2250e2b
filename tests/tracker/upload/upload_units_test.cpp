// The upload's pure-ish parts without a server: the [upload] config section,
// and what a staged upload plans to need against held content (real files,
// real torrents).
#include <doctest/doctest.h>

#include "layers/capture/capture.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/config/config.hpp"
#include "tracker/upload/upload_session.hpp"

namespace bc::tracker {
namespace {

const std::string kBase = "[storage]\ndata_dir = \"data\"\n[auth]\nsigning_key = \"/k\"\n";

TEST_CASE("config: [upload] sets the upload limits and names a bad key") {
  auto c = parse_config(kBase + "[upload]\nmax_layer_bytes = 1000\nmax_chunk_bytes = 65536\nmax_concurrent = 2\n"
                                "stale_after_s = 60\nsweep_interval_s = 5\n",
                        "/b");
  REQUIRE_MESSAGE(c.ok(), c.status().to_string());
  CHECK(c->upload.max_layer_bytes == 1000);
  CHECK(c->upload.max_chunk_bytes == 65536);
  CHECK(c->upload.max_concurrent == 2);
  CHECK(c->upload.stale_after_s == 60);
  CHECK(c->upload.sweep_interval_s == 5);
  auto bad = parse_config(kBase + "[upload]\nmax_chunk_bytes = 100\n", "/b");
  CHECK(bad.status().message().find("upload.max_chunk_bytes") != std::string::npos);
  auto unknown = parse_config(kBase + "[upload]\nmax_chunks = 1\n", "/b");
  CHECK(unknown.status().message().find("unknown key upload.max_chunks") != std::string::npos);
}

CapturedLayer capture(const std::string& dir, const std::string& name) {
  CaptureOptions o;
  o.source_dir = dir;
  o.ref = {name, 1};
  o.threads = 1;
  auto c = capture_layer(o);
  REQUIRE_MESSAGE(c.ok(), c.status().to_string());
  return std::move(*c);
}

TEST_CASE("plan: pieces held in another file at another offset are not needed and a changed piece is") {
  test::TmpDir tmp;
  const uint64_t P = 64 * 1024;
  std::string old_bytes = test::random_bytes(8 * P, 1);
  test::write_file(tmp / "old/a.img", old_bytes);
  CapturedLayer old = capture(tmp / "old", "old");
  HeldContent held;
  REQUIRE(held.add_layer(tmp / "old", old.manifest.encode(), old.torrent, uint32_t(P), 1000).ok());
  // The new file: two fresh pieces in front of the old bytes (shifted by whole pieces), the old
  // piece 5 changed.
  std::string fresh = test::random_bytes(2 * P, 2) + old_bytes;
  fresh[(2 + 5) * P + 7] ^= 1;
  test::write_file(tmp / "new/b.img", fresh);
  CapturedLayer now = capture(tmp / "new", "new");
  auto s = UploadSession::make({"id", "new@1", "token:x", 0}, now.manifest.encode(), now.torrent, held);
  REQUIRE_MESSAGE(s.ok(), s.status().to_string());
  auto d = (*s)->describe();
  CHECK(d["need_bytes"] == 3 * P);
  CHECK(d["held_bytes"] == 7 * P);
  REQUIRE(d["needs"].size() == 2);
  CHECK(d["needs"][0]["piece"] == 0);
  CHECK(d["needs"][0]["count"] == 2);
  CHECK(d["needs"][1]["piece"] == 7);
  CHECK(d["needs"][1]["count"] == 1);
}

TEST_CASE("plan: a torrent that does not describe the manifest is refused") {
  test::TmpDir tmp;
  test::write_file(tmp / "a/x", test::random_bytes(100'000, 3));
  test::write_file(tmp / "b/x", test::random_bytes(100'000, 4));
  CapturedLayer a = capture(tmp / "a", "a"), b = capture(tmp / "b", "a");
  auto s = UploadSession::make({"id", "a@1", "token:x", 0}, a.manifest.encode(), b.torrent, HeldContent());
  CHECK(s.status().message().find("torrent") != std::string::npos);
}

}  // namespace
}  // namespace bc::tracker
