#include <doctest/doctest.h>

#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/bencode.hpp>

#include <fcntl.h>
#include <unistd.h>

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

TEST_CASE("hash_fd hashes from the descriptor's offset to the end, as hash_file does, and names a read error") {
  test::TmpDir tmp;
  const uint32_t piece = 64 * 1024;
  const std::string bytes = test::random_bytes(200000, 3);
  test::write_file(tmp / "whole", bytes);
  test::write_file(tmp / "tail", bytes.substr(1000));
  auto whole = hash_file(tmp / "whole", piece);
  REQUIRE(whole.ok());
  int fd = ::open((tmp / "whole").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  auto from_fd = hash_fd(fd, piece, "whole");
  REQUIRE(from_fd.ok());
  CHECK(from_fd->root == whole->root);
  CHECK(from_fd->pieces == whole->pieces);
  REQUIRE(::lseek(fd, 1000, SEEK_SET) == 1000);
  auto tail = hash_fd(fd, piece, "whole");
  REQUIRE(tail.ok());
  CHECK(tail->root == hash_file(tmp / "tail", piece)->root);
  ::close(fd);

  int dir = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(dir >= 0);
  auto err = hash_fd(dir, piece, "a dir");  // read(2) on a directory: EISDIR
  ::close(dir);
  REQUIRE_FALSE(err.ok());
  CHECK(err.status().code() == Status::Code::io_error);
  CHECK(err.status().message().find("a dir: read: ") == 0);
}
