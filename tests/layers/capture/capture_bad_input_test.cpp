// Capture against the inputs a real reference tree holds: hard links, device
// nodes, symlinks that point anywhere, odd names, unreadable entries and files
// that change while they are hashed.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "layers/capture/capture.hpp"
#include "layers/capture/parallel_hasher.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

namespace {

CaptureOptions opts(const std::string& dir) { return test::capture_options(dir); }

// Captures and checks the torrent describes exactly the manifest's files.
CapturedLayer capture_and_check(const std::string& dir) {
  auto l = capture_layer(opts(dir));
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  if (l->manifest.file_count() > 0) {
    auto facts = read_layer_torrent(l->torrent);
    REQUIRE_MESSAGE(facts.ok(), facts.status().to_string());
    Status match = check_torrent_matches(l->manifest, *facts);
    CHECK_MESSAGE(match.ok(), match.to_string());
  }
  return std::move(*l);
}

bool mentions(const Status& s, const std::string& what) {
  return s.message().find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("hard links are captured as two independent files with equal roots") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/a/data", test::random_bytes(200'000, 3));
  std::filesystem::create_directories(tmp / "src/b");
  REQUIRE(::link((tmp / "src/a/data").c_str(), (tmp / "src/b/same").c_str()) == 0);
  CapturedLayer l = capture_and_check(tmp / "src");
  const Entry* a = l.manifest.find("a/data");
  const Entry* b = l.manifest.find("b/same");
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a->type == EntryType::file);
  CHECK(b->type == EntryType::file);
  CHECK(a->size == 200'000);
  CHECK(a->root == b->root);
  CHECK(l.manifest.file_count() == 2);
}

TEST_CASE("a device node is refused as unsupported, naming the path") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/etc/motd", "hi\n");
  if (::mknod((tmp / "src/etc/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    MESSAGE("skipped: mknod not permitted here (", std::strerror(errno), ")");
    return;
  }
  auto r = capture_layer(opts(tmp / "src"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::unsupported);
  CHECK(mentions(r.status(), "'etc/null'"));
  CHECK(mentions(r.status(), "character device"));
}

TEST_CASE("symlinks are kept verbatim and never followed: outside the root, dangling, loops") {
  test::TmpDir tmp;
  test::write_file(tmp / "outside/secret", "not in the layer");
  test::write_file(tmp / "src/etc/motd", "hi\n");
  REQUIRE(::symlink((tmp / "outside").c_str(), (tmp / "src/to-outside-dir").c_str()) == 0);
  REQUIRE(::symlink("../../outside/secret", (tmp / "src/etc/up-and-out").c_str()) == 0);
  REQUIRE(::symlink("no/such/target", (tmp / "src/dangling").c_str()) == 0);
  REQUIRE(::symlink("loop", (tmp / "src/loop").c_str()) == 0);
  REQUIRE(::symlink("..", (tmp / "src/etc/parent").c_str()) == 0);
  CapturedLayer l = capture_and_check(tmp / "src");
  for (const char* p : {"to-outside-dir", "etc/up-and-out", "dangling", "loop", "etc/parent"}) {
    const Entry* e = l.manifest.find(p);
    REQUIRE_MESSAGE(e != nullptr, p);
    CHECK(e->type == EntryType::symlink);
  }
  CHECK(l.manifest.find("to-outside-dir")->target == tmp / "outside");
  CHECK(l.manifest.find("loop")->target == "loop");
  // Nothing behind a link was walked: the layer holds one regular file.
  CHECK(l.manifest.file_count() == 1);
  CHECK(l.manifest.find("to-outside-dir/secret") == nullptr);
}

TEST_CASE("empty directories are captured; an empty tree is a layer with no torrent") {
  test::TmpDir tmp;
  std::filesystem::create_directories(tmp / "src/a/b/c");
  std::filesystem::create_directories(tmp / "src/empty");
  CapturedLayer l = capture_and_check(tmp / "src");
  CHECK(l.manifest.entries.size() == 4);
  CHECK(l.manifest.find("a/b/c")->type == EntryType::dir);
  CHECK(l.torrent.empty());
  std::filesystem::create_directories(tmp / "nothing");
  CapturedLayer none = capture_and_check(tmp / "nothing");
  CHECK(none.manifest.entries.empty());
  CHECK(none.torrent.empty());
}

TEST_CASE("names libtorrent would rewrite in the torrent are refused, naming the path") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/ok", "x");
  std::string name;
  std::string why;
  SUBCASE("a backslash") {
    name = "back\\slash";
    why = "backslash";
  }
  SUBCASE("a right-to-left override (U+202E)") {
    name = "invoice\xe2\x80\xaegpj.exe";
    why = "direction mark";
  }
  SUBCASE("a left-to-right mark (U+200E)") {
    name = "mark\xe2\x80\x8e";
    why = "direction mark";
  }
  SUBCASE("241 bytes") {
    name = std::string(241, 'n');
    why = "240 bytes";
  }
  test::write_file(tmp / ("src/d/" + name), "y");
  auto r = capture_layer(opts(tmp / "src"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::invalid_argument);
  CHECK(mentions(r.status(), why));
  CHECK(mentions(r.status(), "'d/"));
}

TEST_CASE("odd but faithful names round-trip through the torrent unchanged") {
  test::TmpDir tmp;
  const std::vector<std::string> names = {
      " leading space", "trailing space ", "trailing dot.", "q?*:<>|\"", "..x", ".hidden",
      "emoji \xf0\x9f\x98\x80", "e\xcc\x81 (decomposed)", "\xc3\xa9 (composed)", "-dash",
      "a%20b", std::string(240, 'L'), "zero\xe2\x80\x8bwidth", "CON", "x.pad"};
  for (size_t i = 0; i < names.size(); ++i)
    test::write_file(tmp / ("src/d/" + names[i]), std::to_string(i));
  CapturedLayer l = capture_and_check(tmp / "src");
  CHECK(l.manifest.file_count() == names.size());
  for (const auto& n : names) CHECK_MESSAGE(l.manifest.find("d/" + n) != nullptr, n);
}

TEST_CASE("names that differ only in case keep their own paths in the torrent facts") {
  // libtorrent renames case-insensitive duplicates on load ("d/f" -> "d/f.1");
  // the torrent as written, and so our facts, carry the manifest's names.
  test::TmpDir tmp;
  test::write_file(tmp / "src/d/README", "1");
  test::write_file(tmp / "src/d/readme", "2");
  test::write_file(tmp / "src/D/f", "3");
  test::write_file(tmp / "src/d/f", "4");
  CapturedLayer l = capture_and_check(tmp / "src");
  CHECK(l.manifest.file_count() == 4);
}

TEST_CASE("a layer whose only file sits at its top level reads back as a single-file torrent") {
  test::TmpDir tmp;
  // 300 KB of random bytes: neither packed (>= 256 KiB) nor chunked (does not compress).
  test::write_file(tmp / "src/only.img", test::random_bytes(300'000, 4));
  CapturedLayer l = capture_and_check(tmp / "src");
  auto facts = read_layer_torrent(l.torrent);
  REQUIRE(facts.ok());
  CHECK(facts->single_file);
  CHECK(facts->top_dir == "base-v1");
  CHECK(facts->files.count("only.img") == 1);
}

TEST_CASE("unreadable files and directories are refused, naming the path (as an unprivileged user)") {
  test::TmpDir tmp;
  ::chmod(tmp.path().c_str(), 0755);  // let the unprivileged child reach the tree
  test::write_file(tmp / "src/etc/motd", "hi\n");
  std::string bad;
  SUBCASE("a file") {
    test::write_file(tmp / "src/etc/shadow", "x", 0000);
    bad = "'etc/shadow'";
  }
  SUBCASE("a directory") {
    test::write_file(tmp / "src/private/key", "x");
    ::chmod((tmp / "src/private").c_str(), 0000);
    bad = "'private'";
  }
  ::chmod((tmp / "src").c_str(), 0755);
  ::chmod((tmp / "src/etc").c_str(), 0755);
  // Root reads everything: drop to nobody in a child so the permission bits count.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) _exit(3);
    auto r = capture_layer(opts(tmp / "src"));
    std::string out = r.ok() ? "OK" : std::to_string(int(r.status().code())) + " " + r.status().message();
    (void)!::write(fds[1], out.data(), out.size());
    _exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  INFO(out);
  CHECK(out.rfind(std::to_string(int(Status::Code::io_error)) + " ", 0) == 0);
  CHECK(out.find(bad) != std::string::npos);
}

TEST_CASE("a file that changed size since the walk aborts hashing, naming the path") {
  test::TmpDir tmp;
  test::write_file(tmp / "f", test::random_bytes(100'000, 5));
  ParallelHashOptions o;
  o.piece_bytes = 64 * 1024;
  for (uint64_t listed : {uint64_t(90'000), uint64_t(110'000)}) {
    auto r = hash_files_parallel({{tmp / "f", listed}}, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::aborted);
    CHECK(mentions(r.status(), tmp / "f"));
    CHECK(mentions(r.status(), "changed size"));
  }
}

TEST_CASE("a file written after the walk, even at the same size, aborts hashing") {
  test::TmpDir tmp;
  test::write_file(tmp / "f", "version one");
  struct stat st;
  REQUIRE(::stat((tmp / "f").c_str(), &st) == 0);
  const int64_t listed = int64_t(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  // A ctime the walk could have seen earlier: the file has changed since.
  auto r = hash_files_parallel({{tmp / "f", 11, listed - 1}}, {});
  CHECK(r.status().code() == Status::Code::aborted);
  CHECK(mentions(r.status(), "modified after it was listed"));
  CHECK(hash_files_parallel({{tmp / "f", 11, listed}}, {}).ok());
}

TEST_CASE("a path swapped for a FIFO or a symlink after the walk is refused without hanging") {
  test::TmpDir tmp;
  REQUIRE(::mkfifo((tmp / "fifo").c_str(), 0644) == 0);
  test::write_file(tmp / "real", "x");
  REQUIRE(::symlink("real", (tmp / "link").c_str()) == 0);
  auto fifo = hash_files_parallel({{tmp / "fifo", 1}}, {});
  CHECK(fifo.status().code() == Status::Code::aborted);
  CHECK(mentions(fifo.status(), "no longer a regular file"));
  auto link = hash_files_parallel({{tmp / "link", 1}}, {});
  CHECK(link.status().code() == Status::Code::io_error);
  CHECK(mentions(link.status(), tmp / "link"));
}

namespace {

// Makes `path` a sparse file far larger than capture can hash before the first
// progress report (~200 ms), then runs capture and, in that first report,
// applies `change` to the file while it is being hashed. (CHECK, not REQUIRE,
// inside the callback: an exception must not unwind through the hasher.)
Status capture_while_changing(const std::string& dir, const std::string& path,
                              void (*change)(const std::string&)) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, off_t(64) << 30) == 0);  // 64 GiB of holes: minutes to hash
  ::close(fd);
  CaptureOptions o = opts(dir);
  bool changed = false;
  o.progress = [&](uint64_t, uint64_t) {
    if (!changed) change(path);
    changed = true;
  };
  auto r = capture_layer(o);
  CHECK(changed);
  return r.status();
}

}  // namespace

TEST_CASE("a file that shrinks, grows or is rewritten while it is hashed aborts capture, naming the path") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/small", "x");
  SUBCASE("shrinks") {
    Status s = capture_while_changing(tmp / "src", tmp / "src/disk.img",
                                      [](const std::string& p) { CHECK(::truncate(p.c_str(), 1 << 20) == 0); });
    CHECK(s.code() == Status::Code::aborted);
    CHECK(mentions(s, "disk.img"));
  }
  SUBCASE("is rewritten in place at the same size") {
    Status s = capture_while_changing(tmp / "src", tmp / "src/disk.img", [](const std::string& p) {
      int fd = ::open(p.c_str(), O_WRONLY);
      CHECK(::pwrite(fd, "changed", 7, off_t(40) << 30) == 7);
      ::close(fd);
    });
    CHECK(s.code() == Status::Code::aborted);
    CHECK(mentions(s, "disk.img"));
    CHECK(mentions(s, "modified"));
  }
  SUBCASE("grows") {
    Status s = capture_while_changing(tmp / "src", tmp / "src/disk.img", [](const std::string& p) {
      CHECK(::truncate(p.c_str(), (off_t(64) << 30) + 4096) == 0);
    });
    CHECK(s.code() == Status::Code::aborted);
    CHECK(mentions(s, "disk.img"));
  }
}
