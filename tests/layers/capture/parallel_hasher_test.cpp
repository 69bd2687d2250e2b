#include <doctest/doctest.h>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>

#include <cstring>

#include "layers/capture/parallel_hasher.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
namespace lt = libtorrent;

TEST_CASE("parallel hashes equal libtorrent's at 16 KiB, 64 KiB and 1 MiB pieces, across chunk boundaries") {
  test::TmpDir tmp;
  const std::vector<size_t> sizes = {1, 16384, 40000, 65537, 300001, 1048576, 2'500'000};
  std::vector<HashJob> jobs;
  lt::file_storage fs;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const std::string rel = "t/f" + std::to_string(i);
    test::write_file(tmp / rel, test::random_bytes(sizes[i], 100 + i));
    fs.add_file(rel, int64_t(sizes[i]));
    jobs.push_back({tmp / rel, sizes[i]});
  }
  for (uint32_t piece : {16u << 10, 64u << 10, 1u << 20}) {
    INFO("piece ", piece);
    lt::create_torrent ct(fs, int(piece), lt::create_torrent::v2_only);
    lt::set_piece_hashes(ct, tmp.path());
    std::vector<char> buf;
    lt::bencode(std::back_inserter(buf), ct.generate());
    lt::torrent_info ti(buf, lt::from_span);
    ParallelHashOptions o;
    o.piece_bytes = piece;
    o.threads = 3;                 // more threads than cores
    o.chunk_bytes = piece;         // one piece per chunk: every boundary is a chunk boundary
    o.read_bytes = 48 * 1024;      // reads that do not divide pieces
    auto ours = hash_files_parallel(jobs, o);
    REQUIRE_MESSAGE(ours.ok(), ours.status().to_string());
    size_t k = 0;
    for (auto f : ti.files().file_range()) {
      if (ti.files().pad_file_at(f)) continue;
      const FileHashes& h = (*ours)[k++];
      INFO("size ", ti.files().file_size(f));
      CHECK(std::memcmp(h.root.data(), ti.files().root(f).data(), 32) == 0);
      if (!h.pieces.empty()) {
        auto layer = ti.piece_layer(f);
        REQUIRE(size_t(layer.size()) == h.pieces.size() * 32);
        for (size_t p = 0; p < h.pieces.size(); ++p)
          CHECK(std::memcmp(h.pieces[p].data(), layer.data() + p * 32, 32) == 0);
      }
    }
    CHECK(k == sizes.size());
  }
}
