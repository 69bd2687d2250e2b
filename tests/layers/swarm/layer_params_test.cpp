// The pure add_torrent_params builder (layers/swarm/layer_params.hpp), checked
// field by field without a libtorrent session.
#include <doctest/doctest.h>

#include <libtorrent/torrent_info.hpp>
#include <libtorrent/write_resume_data.hpp>

#include <filesystem>
#include <set>

#include "layers/swarm/layer_params.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
namespace lt = libtorrent;
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kPiece = 64 * 1024;

// Small files (packed into bins), a nested file and one spanning pieces.
test::TestLayer make_layer(const test::TmpDir& tmp, const std::string& name, uint64_t seed) {
  const std::string src = tmp / name;
  test::write_file(src + "/etc/motd", "hello " + name + "\n");
  test::write_file(src + "/etc/hosts", "127.0.0.1 localhost\n");
  // 300 KB of random bytes: not packed (>= 256 KiB), not chunked (does not compress).
  test::write_file(src + "/usr/lib/deep/lib.so", test::random_bytes(300'000, seed));
  return test::capture_test_layer(src, {name, 1}, kPiece);
}

LayerParamsInput input_for(const test::TestLayer& l, LayerMode mode = LayerMode::download) {
  LayerParamsInput in;
  in.torrent_bytes = l.torrent;
  in.facts = &l.facts;
  in.payload_dir = "payload/dir/../here";
  in.mode = mode;
  return in;
}

std::set<std::string> renamed_paths(const lt::add_torrent_params& atp) {
  std::set<std::string> out;
  for (const auto& [i, p] : atp.renamed_files) out.insert(p);
  return out;
}

std::string resume_of(const std::string& torrent, std::int64_t added_time) {
  lt::add_torrent_params r;
  r.ti = std::make_shared<lt::torrent_info>(lt::span<const char>(torrent.data(), long(torrent.size())), lt::from_span);
  r.info_hashes = r.ti->info_hashes();
  r.added_time = added_time;
  r.save_path = "/somewhere";
  std::vector<char> buf = lt::write_resume_data_buf(r);
  return std::string(buf.data(), buf.size());
}

}  // namespace

TEST_CASE("renamed_files put every file at its manifest path, bins at an absolute bins_dir when given") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, "base", 1);
  std::set<std::string> manifest_paths, bins;
  for (const auto& [path, f] : layer.facts.files) (is_reserved_pack_path(path) ? bins : manifest_paths).insert(path);
  REQUIRE(!bins.empty());  // the small files were packed
  REQUIRE(manifest_paths.count("usr/lib/deep/lib.so") == 1);

  auto atp = make_layer_params(input_for(layer));
  REQUIRE_MESSAGE(atp.ok(), atp.status().to_string());
  std::set<std::string> all = manifest_paths;
  all.insert(bins.begin(), bins.end());
  CHECK(renamed_paths(*atp) == all);  // no top directory, no pad files, bins inside the payload

  LayerParamsInput in = input_for(layer);
  in.bins_dir = "built/layer/pack/";
  auto moved = make_layer_params(in);
  REQUIRE(moved.ok());
  const std::string abs_bins = fs::absolute("built/layer/pack/").lexically_normal().string();
  std::set<std::string> expected = manifest_paths;
  for (const auto& b : bins) expected.insert(abs_bins + b.substr(kPackDirName.size()));
  CHECK(renamed_paths(*moved) == expected);
  for (const auto& p : renamed_paths(*moved))
    if (p.rfind(abs_bins, 0) == 0) CHECK(fs::path(p).is_absolute());
}

TEST_CASE("save path, tracker and web seeds: absolute, one announce URL with its key, one url seed per base") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, "base", 1);
  LayerParamsInput in = input_for(layer);
  in.announce_url = "http://tracker:8080/announce?key=k1";
  in.web_seed_urls = {"http://origin:9000/layers//", "https://cdn.example/x"};
  auto atp = make_layer_params(in);
  REQUIRE(atp.ok());
  CHECK(atp->save_path == fs::absolute("payload/here").string());
  CHECK(atp->trackers == std::vector<std::string>{"http://tracker:8080/announce?key=k1"});
  const std::string h = layer.facts.info_hash;
  CHECK(atp->url_seeds == std::vector<std::string>{"http://origin:9000/layers/" + h + "/", "https://cdn.example/x/" + h + "/"});

  auto bare = make_layer_params(input_for(layer));
  REQUIRE(bare.ok());
  CHECK(bare->trackers.empty());
  CHECK(bare->url_seeds.empty());

  SwarmNodeOptions o;
  CHECK(announce_url(o).empty());
  o.tracker_url = "http://t/announce";
  CHECK(announce_url(o) == "http://t/announce");
  o.tracker_key = "s3cret";
  CHECK(announce_url(o) == "http://t/announce?key=s3cret");
  o.tracker_url = "http://t/announce?branch=b1";
  o.tracker_key_param = "node_key";
  CHECK(announce_url(o) == "http://t/announce?branch=b1&node_key=s3cret");
}

TEST_CASE("flags: never paused or auto-managed, state updates on, seed_mode only for seeds") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, "base", 1);
  for (LayerMode mode : {LayerMode::seed, LayerMode::download}) {
    auto atp = make_layer_params(input_for(layer, mode));
    REQUIRE(atp.ok());
    CHECK(!(atp->flags & lt::torrent_flags::paused));
    CHECK(!(atp->flags & lt::torrent_flags::auto_managed));
    CHECK(bool(atp->flags & lt::torrent_flags::update_subscribe));
    CHECK(bool(atp->flags & lt::torrent_flags::seed_mode) == (mode == LayerMode::seed));
    CHECK(atp->ti->info_hashes().has_v2());
  }
}

TEST_CASE("resume data is used only when it parses and is of this torrent; bad torrent bytes are an error") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, "base", 1);
  auto other = make_layer(tmp, "other", 2);

  const std::string mine = resume_of(layer.torrent, 12345);
  LayerParamsInput in = input_for(layer);
  in.resume_data = mine;
  auto resumed = make_layer_params(in);
  REQUIRE(resumed.ok());
  CHECK(resumed->added_time == 12345);
  CHECK(resumed->save_path == fs::absolute("payload/here").string());  // ours, not the resume file's

  const std::string theirs = resume_of(other.torrent, 777);
  in.resume_data = theirs;
  auto foreign = make_layer_params(in);
  REQUIRE(foreign.ok());
  CHECK(foreign->added_time == 0);
  CHECK(foreign->ti->info_hashes() == resumed->ti->info_hashes());

  in.resume_data = "d4:junk";
  auto torn = make_layer_params(in);
  REQUIRE(torn.ok());
  CHECK(torn->added_time == 0);

  in.resume_data = {};
  in.torrent_bytes = "not a torrent";
  auto bad = make_layer_params(in);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::internal);
}

TEST_CASE("short_pieces lists each file's last partial piece, so pieces add up to the payload") {
  test::TmpDir tmp;
  auto layer = make_layer(tmp, "base", 1);
  auto atp = make_layer_params(input_for(layer));
  REQUIRE(atp.ok());
  const lt::file_storage& files = atp->ti->files();
  const auto shorts = short_pieces(files);
  uint64_t sum = 0, payload = 0;
  for (auto p : files.piece_range()) {
    auto it = shorts.find(int(p));
    CHECK((it == shorts.end() ? files.piece_length() : it->second) == files.piece_size2(p));
    sum += uint64_t(files.piece_size2(p));
  }
  for (const auto& [path, f] : layer.facts.files) payload += f.size;
  CHECK(sum == payload);
  CHECK(shorts.count(int(files.num_pieces()) - 1) == 1);  // the last file ends mid-piece
}
