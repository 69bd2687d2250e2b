// Capture at sizes that take seconds: a file larger than 4 GiB, 100,000 small
// files, a torrent of 250,000 files. Labelled `slow` in ctest (still run by
// default; `ctest -LE slow` leaves them out).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "layers/capture/capture.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

CaptureOptions opts(const std::string& dir, uint32_t piece_bytes) {
  CaptureOptions o;
  o.source_dir = dir;
  o.ref = {"big", 1};
  o.piece_bytes = piece_bytes;
  o.created_unix_s = 1'800'000'000;
  return o;
}

// "x" + std::to_string(n) trips GCC 12's -Wrestrict false positive.
std::string numbered(const char* format, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, n);
  return buf;
}

// Creating and removing 100,000 files on this machine's ext4 (mounted with
// `discard`) takes minutes under load; tmpfs takes seconds. The capture path
// is the same, so the many-files case uses /dev/shm when it is writable.
class PreferTmpfs {
 public:
  PreferTmpfs() {
    if (const char* t = std::getenv("TMPDIR")) old_ = t;
    if (::access("/dev/shm", W_OK) == 0) ::setenv("TMPDIR", "/dev/shm", 1);
  }
  ~PreferTmpfs() {
    if (old_.empty()) ::unsetenv("TMPDIR");
    else ::setenv("TMPDIR", old_.c_str(), 1);
  }

 private:
  std::string old_;
};

}  // namespace

TEST_CASE("a sparse 4.5 GiB file hashes past the 32-bit boundary to the reference root") {
  test::TmpDir tmp;
  const uint64_t size = (uint64_t(9) << 29) + 12345;  // 4.5 GiB and a partial block
  std::filesystem::create_directories(tmp / "src");
  int fd = ::open((tmp / "src/disk.img").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, off_t(size)) == 0);
  const std::string tail = test::random_bytes(100'000, 9);  // data past 4 GiB
  REQUIRE(::pwrite(fd, tail.data(), tail.size(), off_t(size - tail.size())) == ssize_t(tail.size()));
  REQUIRE(::pwrite(fd, "x", 1, off_t(1) << 32) == 1);  // a byte exactly at 4 GiB
  ::close(fd);
  const uint32_t piece = 1 << 20;
  auto t0 = std::chrono::steady_clock::now();
  CaptureOptions o = opts(tmp / "src", piece);
  o.compress = false;  // the raw hashing path (a sparse image compresses: schema 3 would chunk it)
  auto l = capture_layer(o);
  MESSAGE("capture of 4.5 GiB: ", seconds_since(t0), " s");
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  const Entry* e = l->manifest.find("disk.img");
  REQUIRE(e != nullptr);
  CHECK(e->size == size);
  auto ref = hash_file(tmp / "src/disk.img", piece);
  REQUIRE(ref.ok());
  CHECK(ref->root == e->root);
  auto facts = read_layer_torrent(l->torrent);
  REQUIRE(facts.ok());
  CHECK(check_torrent_matches(l->manifest, *facts).ok());
  const auto& pieces = facts->files.at("disk.img").pieces;
  CHECK(pieces.size() == (size + piece - 1) / piece);
  CHECK(pieces == ref->pieces);
}

TEST_CASE("100,000 small files capture into a manifest and a torrent that match") {
  PreferTmpfs tmpfs;
  test::TmpDir tmp;
  auto t0 = std::chrono::steady_clock::now();
  std::string content;
  for (int d = 0; d < 400; ++d) {
    const std::string dir = tmp / numbered("src/d%d", d);
    std::filesystem::create_directories(dir);
    for (int f = 0; f < 250; ++f) {
      content.assign("file ");
      content += std::to_string(d * 250 + f);
      content.append(size_t(f) * 7, 'x');
      int fd = ::open((dir + numbered("/f%d.txt", f)).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      REQUIRE(fd >= 0);
      REQUIRE(::write(fd, content.data(), content.size()) == ssize_t(content.size()));
      ::close(fd);
    }
  }
  MESSAGE("created 100,000 files in ", seconds_since(t0), " s");
  t0 = std::chrono::steady_clock::now();
  auto l = capture_layer(opts(tmp / "src", 256 * 1024));
  MESSAGE("captured them in ", seconds_since(t0), " s");
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  CHECK(l->manifest.file_count() == 100'000);
  CHECK(l->manifest.entries.size() == 100'400);
  auto facts = read_layer_torrent(l->torrent);
  REQUIRE_MESSAGE(facts.ok(), facts.status().to_string());
  // Every file is below 16 KiB (5..1,757 bytes): all packed, the torrent holds bins.
  MESSAGE(l->manifest.bins.size(), " bins");
  CHECK(facts->files.size() == l->manifest.bins.size());
  CHECK(l->manifest.bins.size() < 100'000 / 10);
  CHECK(check_torrent_matches(l->manifest, *facts).ok());
}

TEST_CASE("a layer of 250,000 files makes a torrent that reads back (above libtorrent's default limits)") {
  // libtorrent's default parse limits stop near 200,000 files; our limits
  // follow from kMaxTorrentBytes. No disk needed: the torrent is built from
  // a manifest and made-up hashes.
  Manifest m;
  m.name = "many";
  m.version = 1;
  m.piece_size = 256 * 1024;
  std::vector<FileHashes> hashes;
  for (int d = 0; d < 500; ++d) {
    Entry dir;
    dir.path = numbered("d%d", 1000 + d);
    dir.type = EntryType::dir;
    dir.mode = 0755;
    m.entries.push_back(dir);
    for (int f = 0; f < 500; ++f) {
      Entry e;
      e.path = dir.path + numbered("/f%d", 1000 + f);
      e.type = EntryType::file;
      e.mode = 0644;
      e.size = 10;
      FileHashes h;
      h.root[0] = uint8_t(d);
      h.root[1] = uint8_t(f);
      h.root[2] = 1;
      e.root = h.root;
      m.entries.push_back(e);
      hashes.push_back(h);
    }
  }
  std::sort(m.entries.begin(), m.entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  std::string info_hash;
  auto torrent = make_layer_torrent(m, hashes, &info_hash);
  REQUIRE_MESSAGE(torrent.ok(), torrent.status().to_string());
  m.info_hash = info_hash;
  auto facts = read_layer_torrent(*torrent);
  REQUIRE_MESSAGE(facts.ok(), facts.status().to_string());
  CHECK(facts->files.size() == 250'000);
  CHECK(check_torrent_matches(m, *facts).ok());
}
