#include <doctest/doctest.h>

#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/bencode.hpp>

#include <cstring>

#include "layers/crypto/sha256.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
namespace lt = libtorrent;

TEST_CASE("our BEP 52 merkle roots and piece layers equal libtorrent's for every size class") {
  test::TmpDir tmp;
  const uint32_t piece = 64 * 1024;
  // Sizes around every boundary: empty, sub-block, block, sub-piece, piece, multi-piece, odd.
  std::vector<size_t> sizes = {0, 1, 16383, 16384, 16385, 40000, 65536, 65537, 131072, 300001, 1048576};
  lt::file_storage fs;
  for (size_t i = 0; i < sizes.size(); ++i) {
    test::write_file(tmp / ("t/f" + std::to_string(i)), test::random_bytes(sizes[i], i));
    fs.add_file("t/f" + std::to_string(i), int64_t(sizes[i]));
  }
  lt::create_torrent ct(fs, int(piece), lt::create_torrent::v2_only);
  lt::set_piece_hashes(ct, tmp.path());
  std::vector<char> buf;
  lt::bencode(std::back_inserter(buf), ct.generate());
  lt::torrent_info ti(buf, lt::from_span);
  const auto& files = ti.files();
  int checked = 0;
  for (auto f : files.file_range()) {
    if (files.pad_file_at(f)) continue;
    auto ours = hash_file(tmp / files.file_path(f), piece);
    REQUIRE(ours.ok());
    INFO(files.file_path(f), " size ", files.file_size(f));
    CHECK(std::memcmp(ours->root.data(), files.root(f).data(), 32) == 0);
    auto layer = ti.piece_layer(f);
    if (ours->pieces.empty()) {
      // libtorrent reports a file within one piece as a one-hash layer: its root.
      if (files.file_size(f) > 0) CHECK(std::memcmp(layer.data(), ours->root.data(), 32) == 0);
      ++checked;
      continue;
    }
    REQUIRE(size_t(layer.size()) == ours->pieces.size() * 32);
    for (size_t p = 0; p < ours->pieces.size(); ++p)
      CHECK(std::memcmp(ours->pieces[p].data(), layer.data() + p * 32, 32) == 0);
    ++checked;
  }
  CHECK(checked == int(sizes.size()));
}

TEST_CASE("an incremental hasher gives the same root however the bytes are split") {
  std::string data = test::random_bytes(500000, 7);
  MerkleHasher whole(32768);
  whole.update({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
  FileHashes a = whole.finish();
  MerkleHasher parts(32768);
  for (size_t at = 0; at < data.size(); at += 777)
    parts.update({reinterpret_cast<const uint8_t*>(data.data()) + at, std::min<size_t>(777, data.size() - at)});
  FileHashes b = parts.finish();
  CHECK(a.root == b.root);
  CHECK(a.pieces == b.pieces);
  CHECK(a.pieces.size() == (500000 + 32767) / 32768);
}
