#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/capture/verify.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/torrent/layer_torrent.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/skip.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

namespace {

void make_tree(const std::string& root) {
  test::write_file(root + "/etc/motd", "hello\n");
  test::write_file(root + "/bin/tool", test::random_bytes(300000, 1), 0755);
  test::write_file(root + "/var/big.img", test::random_bytes(2'000'000, 2), 0600);
  test::write_file(root + "/name with spaces é.txt", "x");
  test::write_file(root + "/empty", "");
  std::filesystem::create_directories(root + "/empty-dir");
  ::symlink("../etc/motd", (root + "/bin/motd-link").c_str());
  ::symlink("/etc/passwd", (root + "/abs-link").c_str());
}

CaptureOptions opts(const std::string& dir) { return test::capture_options(dir); }

}  // namespace

TEST_CASE("capture records every entry, hashes files, and builds a matching private v2 torrent") {
  test::TmpDir tmp;
  make_tree(tmp / "src");
  auto l = capture_layer(opts(tmp / "src"));
  REQUIRE_MESSAGE(l.ok(), l.status().to_string());
  const Manifest& m = l->manifest;
  CHECK(m.file_count() == 5);
  REQUIRE(m.find("empty-dir") != nullptr);
  CHECK(m.find("empty-dir")->type == EntryType::dir);
  REQUIRE(m.find("bin/motd-link") != nullptr);
  CHECK(m.find("bin/motd-link")->target == "../etc/motd");
  CHECK(m.find("abs-link")->target == "/etc/passwd");
  CHECK(m.find("bin/tool")->mode == 0755);
  CHECK(m.find("var/big.img")->size == 2'000'000);
  CHECK(is_zero(m.find("empty")->root));
  auto facts = read_layer_torrent(l->torrent);
  REQUIRE(facts.ok());
  CHECK(check_torrent_matches(m, *facts).ok());
  CHECK(facts->files.at("var/big.img").pieces.size() == (2'000'000 + 65535) / 65536);
  // Hashes agree with the single-threaded reference.
  auto ref = hash_file(tmp / "src/var/big.img", 64 * 1024);
  CHECK(ref->root == m.find("var/big.img")->root);
}

TEST_CASE("capture is deterministic: same tree, same options, same manifest and info-hash") {
  test::TmpDir tmp;
  make_tree(tmp / "src");
  auto a = capture_layer(opts(tmp / "src"));
  CaptureOptions o = opts(tmp / "src");
  o.threads = 1;
  auto b = capture_layer(o);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->manifest.encode() == b->manifest.encode());
  CHECK(a->torrent == b->torrent);
}

TEST_CASE("capture refuses what a layer cannot carry, naming the path") {
  test::TmpDir tmp;
  make_tree(tmp / "src");
  SUBCASE("a FIFO") {
    ::mkfifo((tmp / "src/etc/pipe").c_str(), 0644);
    auto r = capture_layer(opts(tmp / "src"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::unsupported);
    CHECK(r.status().message().find("'etc/pipe'") != std::string::npos);
    CHECK(r.status().message().find("FIFO") != std::string::npos);
  }
  SUBCASE("a socket") {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string p = tmp / "src/sock";
    std::strncpy(addr.sun_path, p.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    auto r = capture_layer(opts(tmp / "src"));
    ::close(fd);
    CHECK(r.status().message().find("socket") != std::string::npos);
  }
  SUBCASE("a name that is not UTF-8") {
    test::write_file(tmp / "src/bad\xff", "x");
    auto r = capture_layer(opts(tmp / "src"));
    CHECK(r.status().code() == Status::Code::invalid_argument);
    CHECK(r.status().message().find("bad\\xff") != std::string::npos);
  }
  SUBCASE("a name with a newline") {
    test::write_file(tmp / "src/new\nline", "x");
    auto r = capture_layer(opts(tmp / "src"));
    CHECK(r.status().message().find("control character") != std::string::npos);
  }
}

namespace {

// capture_layer's error message for `src`, run as user nobody when we are
// root (root reads every file, so nothing would be unreadable): a forked child
// drops to uid/gid 65534 and writes the message to a pipe.
std::string capture_error_unprivileged(const std::string& src) {
  if (::geteuid() != 0) return capture_layer(opts(src)).status().message();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string msg = "could not drop privileges";
    if (::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0)
      msg = capture_layer(opts(src)).status().message();
    (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  return msg;
}

}  // namespace

TEST_CASE("capture refuses a file it cannot read, naming it") {
  test::TmpDir tmp;
  make_tree(tmp / "src");
  test::write_file(tmp / "src/secret", "x", 0000);
  // The tree must be readable to the unprivileged child but for the one file.
  std::filesystem::permissions(tmp / "src/var/big.img", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                               std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_read |
                                               std::filesystem::perms::others_exec);
  const std::string msg = capture_error_unprivileged(tmp / "src");
  INFO("capture said: " << msg);
  CHECK(msg.find("'secret'") != std::string::npos);
}

TEST_CASE("a signed layer verifies; tampering with content, manifest or signature does not") {
  test::TmpDir tmp;
  make_tree(tmp / "src");
  auto l = capture_layer(opts(tmp / "src"));
  REQUIRE(l.ok());
  std::string bytes = l->manifest.encode();
  REQUIRE(write_built_layer(tmp / "out", l->manifest, bytes, l->torrent, tmp / "src").ok());
  SecretKey key = SecretKey::generate();
  REQUIRE(write_layer_signature(tmp / "out",
                                key.sign({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}))
              .ok());
  auto dir = load_layer_dir(tmp / "out");
  REQUIRE(dir.ok());
  auto tm = dir->trust(key.public_key());
  REQUIRE(tm.ok());
  CHECK(dir->bins_dir == std::filesystem::absolute(tmp / "out/pack").lexically_normal().string());
  VerifyOptions vo;
  vo.bins_dir = dir->bins_dir;
  CHECK(verify_payload(*tm, dir->torrent, dir->payload_dir, vo).ok());

  SUBCASE("one flipped byte in a large file") {
    std::string big = test::read_file(tmp / "src/var/big.img");
    big[1'234'567] ^= 1;
    test::write_file(tmp / "src/var/big.img", big, 0600);
    Status s = verify_payload(*tm, dir->torrent, dir->payload_dir, vo);
    CHECK(s.code() == Status::Code::corruption);
    CHECK(s.message().find("var/big.img") != std::string::npos);
  }
  SUBCASE("a changed mode") {
    ::chmod((tmp / "src/bin/tool").c_str(), 0777);
    CHECK(verify_payload(*tm, dir->torrent, dir->payload_dir, vo).message().find("mode") != std::string::npos);
  }
  SUBCASE("an edited manifest no longer matches its signature") {
    std::string edited = bytes;
    edited[edited.find("\"mode\": 493")+9] = '1';
    CHECK(TrustedManifest::verify(edited, *dir->signature, key.public_key()).status().code() ==
          Status::Code::corruption);
  }
  SUBCASE("a signature by another key") {
    CHECK_FALSE(dir->trust(SecretKey::generate().public_key()).ok());
  }
  SUBCASE("a torrent of other content") {
    test::write_file(tmp / "src/etc/motd", "hellO\n");
    auto other = capture_layer(opts(tmp / "src"));
    REQUIRE(other.ok());
    CHECK(verify_payload(*tm, other->torrent, dir->payload_dir, vo).code() == Status::Code::corruption);
  }
}

TEST_CASE("a layer without regular files has no torrent and still verifies") {
  test::TmpDir tmp;
  std::filesystem::create_directories(tmp / "src/a/b");
  ::symlink("x", (tmp / "src/a/l").c_str());
  auto l = capture_layer(opts(tmp / "src"));
  REQUIRE(l.ok());
  CHECK(l->torrent.empty());
  CHECK(l->manifest.info_hash.empty());
  CHECK(l->manifest.entries.size() == 3);
}

TEST_CASE("a layer whose only file sits at the root reads back (libtorrent's single-file form)") {
  test::TmpDir tmp;
  // 300 KB of random bytes: a file below 256 KiB (schema 3) would be packed
  // into a bin at .bc-pack/0, a compressible one chunked.
  test::write_file(tmp / "src/only.txt", test::random_bytes(300'000, 4));
  auto l = capture_layer(opts(tmp / "src"));
  REQUIRE(l.ok());
  auto facts = read_layer_torrent(l->torrent);
  REQUIRE_MESSAGE(facts.ok(), facts.status().to_string());
  CHECK(facts->single_file);
  CHECK(facts->top_dir == "base-v1");
  CHECK(facts->files.count("only.txt") == 1);
  CHECK(check_torrent_matches(l->manifest, *facts).ok());
  CHECK(facts->manifest_path("only.txt") == "only.txt");
  // One nested file keeps the ordinary multi-file form.
  test::write_file(tmp / "nested/a/b/only.txt", test::random_bytes(300'000, 4));
  auto n = capture_layer(opts(tmp / "nested"));
  REQUIRE(n.ok());
  auto nf = read_layer_torrent(n->torrent);
  REQUIRE(nf.ok());
  CHECK_FALSE(nf->single_file);
  CHECK(nf->files.count("a/b/only.txt") == 1);
  CHECK(nf->manifest_path("base-v1/a/b/only.txt") == "a/b/only.txt");
  // A layer whose only file is packed holds one bin: the multi-file form.
  test::write_file(tmp / "tiny/only.txt", "one file\n");
  auto t = capture_layer(opts(tmp / "tiny"));
  REQUIRE(t.ok());
  auto tf = read_layer_torrent(t->torrent);
  REQUIRE(tf.ok());
  CHECK_FALSE(tf->single_file);
  CHECK(tf->files.count(".bc-pack/0") == 1);
  CHECK(check_torrent_matches(t->manifest, *tf).ok());
}
