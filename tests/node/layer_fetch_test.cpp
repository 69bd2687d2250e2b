// A held layer is read back from disk only when it verifies again against the
// pinned tracker key: a tampered manifest, a foreign key, another layer's
// torrent or a missing file are refused with a precise error, never used.
#include <doctest/doctest.h>

#include <filesystem>

#include "node/layer_fetch.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"

using namespace bc;
using namespace bc::node;

namespace {
struct Held {
  test::TmpDir tmp;
  SecretKey tracker = SecretKey::generate();
  std::string dir;
  LayerFetchOptions options;

  // A built layer, signed as the tracker signs it, in the layout fetch_layer writes.
  Held() {
    dir = test::make_layer_dir(tmp.path(), "base@1", {{"etc/motd", "welcome\n"}, {"usr/blob", std::string(70'000, 'x')}});
    std::string m = test::read_file(dir + "/manifest.json");
    auto sig = tracker.sign({reinterpret_cast<const uint8_t*>(m.data()), m.size()});
    test::write_file(dir + "/manifest.sig", signature_hex(sig) + "\n");
    options.tracker_key = tracker.public_key();
  }
};
}  // namespace

TEST_CASE("load_layer: a held layer that verifies is read back whole") {
  Held h;
  auto l = load_layer(LayerRef{"base", 1}, h.dir, h.options);
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  CHECK(l->manifest.manifest().ref().to_string() == "base@1");
  CHECK(l->payload_bytes() == 8 + 70'000);
  CHECK(l->payload_dir() == h.dir + "/payload");
  h.options.want_info_hash = l->facts.info_hash;
  CHECK(load_layer(LayerRef{"base", 1}, h.dir, h.options).ok());
}

TEST_CASE("load_layer: a tampered manifest on disk is refused, naming the file and the check") {
  Held h;
  std::string m = test::read_file(h.dir + "/manifest.json");
  m[m.size() / 2] ^= 0x01;  // one bit flipped
  std::filesystem::remove(h.dir + "/manifest.json");
  test::write_file(h.dir + "/manifest.json", m);
  auto l = load_layer(LayerRef{"base", 1}, h.dir, h.options);
  REQUIRE_FALSE(l.ok());
  CHECK(l.status().code() == Status::Code::corruption);
  CHECK_MESSAGE(l.status().message().find("does not verify against the pinned tracker key") != std::string::npos,
                l.status().message());
  CHECK(l.status().message().find(h.dir) != std::string::npos);
}

TEST_CASE("load_layer: another key, another ref, another info-hash, a missing file") {
  Held h;
  LayerFetchOptions foreign = h.options;
  foreign.tracker_key = SecretKey::generate().public_key();
  CHECK(load_layer(LayerRef{"base", 1}, h.dir, foreign).status().code() == Status::Code::corruption);
  auto other = load_layer(LayerRef{"base", 2}, h.dir, h.options);
  CHECK(other.status().code() == Status::Code::corruption);
  CHECK(other.status().message().find("it is the manifest of base@1") != std::string::npos);
  LayerFetchOptions hash = h.options;
  hash.want_info_hash = std::string(64, 'a');
  auto wrong = load_layer(LayerRef{"base", 1}, h.dir, hash);
  CHECK(wrong.status().code() == Status::Code::corruption);
  CHECK(wrong.status().message().find("info_hash") != std::string::npos);
  std::filesystem::remove(h.dir + "/layer.torrent");
  CHECK(load_layer(LayerRef{"base", 1}, h.dir, h.options).status().code() == Status::Code::not_found);
}
