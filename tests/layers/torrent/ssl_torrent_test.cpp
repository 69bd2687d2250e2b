#include <doctest/doctest.h>

#include <libtorrent/torrent_info.hpp>

#include "layers/torrent/layer_torrent.hpp"
#include "layers/torrent/ssl_torrent.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
namespace lt = libtorrent;

namespace {

test::TestLayer small_layer(const test::TmpDir& tmp) {
  test::write_file(tmp / "src/etc/motd", "hello\n");
  test::write_file(tmp / "src/var/big.img", test::random_bytes(600'000, 7));
  return test::capture_test_layer(tmp / "src", {"base", 1}, 64 * 1024);
}

}  // namespace

TEST_CASE("make_ssl_torrent adds the CA to the info dict; files, roots and piece layers stay, the info-hash moves") {
  test::TmpDir tmp;
  auto plain = small_layer(tmp);
  test::TestCa ca;
  auto ssl = make_ssl_torrent(plain.torrent, ca.cert_pem());
  REQUIRE_MESSAGE(ssl.ok(), ssl.status().to_string());
  // libtorrent itself loads it as an SSL torrent with our CA.
  lt::torrent_info ti(lt::span<const char>(ssl->data(), long(ssl->size())), lt::from_span);
  CHECK(std::string(ti.ssl_cert()) == ca.cert_pem());
  CHECK(ti.priv());
  auto before = read_layer_torrent(plain.torrent);
  auto after = read_layer_torrent(*ssl);
  REQUIRE(before.ok());
  REQUIRE(after.ok());
  CHECK(before->ssl_cert.empty());
  CHECK(after->ssl_cert == ca.cert_pem());
  CHECK(after->info_hash != before->info_hash);
  CHECK(after->top_dir == "base-v1");
  CHECK(after->piece_size == before->piece_size);
  REQUIRE(after->files.size() == before->files.size());
  for (const auto& [path, f] : before->files) {
    REQUIRE(after->files.count(path));
    CHECK(after->files.at(path).root == f.root);
    CHECK(after->files.at(path).pieces == f.pieces);
    CHECK(after->files.at(path).size == f.size);
  }
  // Idempotent with the same CA; another CA gives another torrent.
  auto again = make_ssl_torrent(*ssl, ca.cert_pem());
  REQUIRE(again.ok());
  CHECK(*again == *ssl);
  test::TestCa other("other CA");
  auto ssl2 = make_ssl_torrent(plain.torrent, other.cert_pem());
  REQUIRE(ssl2.ok());
  CHECK(read_layer_torrent(*ssl2)->info_hash != after->info_hash);
}

TEST_CASE("make_ssl_torrent refuses another CA on an SSL torrent, a non-CA certificate and a bad torrent") {
  test::TmpDir tmp;
  auto plain = small_layer(tmp);
  test::TestCa ca, other("other CA");
  auto ssl = make_ssl_torrent(plain.torrent, ca.cert_pem());
  REQUIRE(ssl.ok());
  auto twice = make_ssl_torrent(*ssl, other.cert_pem());
  CHECK(twice.status().code() == Status::Code::invalid_argument);
  CHECK(twice.status().message().find("already carries another CA") != std::string::npos);
  auto leaf = ca.issue({"base-v1"});
  auto not_ca = make_ssl_torrent(plain.torrent, leaf.cert_pem);
  CHECK(not_ca.status().code() == Status::Code::invalid_argument);
  CHECK(not_ca.status().message().find("not a CA") != std::string::npos);
  CHECK(make_ssl_torrent(plain.torrent, "junk").status().code() == Status::Code::invalid_argument);
  CHECK(make_ssl_torrent("d4:infod4:name1:xee", ca.cert_pem()).status().code() == Status::Code::corruption);
}

TEST_CASE("a single-file layer: libtorrent's TLS name is the file's name, not the layer's top directory") {
  // Pins the behaviour the certificate guard and the tracker's certificate
  // names must allow for (docs/security.md): libtorrent 2.0.8 matches peer
  // certificates against torrent_info::name(), the lone file's name here.
  test::TmpDir tmp;
  test::write_file(tmp / "src/only.bin", test::random_bytes(100'000, 3));
  auto plain = test::capture_test_layer(tmp / "src", {"tool", 3}, 64 * 1024, SecretKey::generate(), false);
  test::TestCa ca;
  auto ssl = make_ssl_torrent(plain.torrent, ca.cert_pem());
  REQUIRE(ssl.ok());
  auto facts = read_layer_torrent(*ssl);
  REQUIRE(facts.ok());
  CHECK(facts->single_file);
  CHECK(facts->top_dir == "tool-v3");
  CHECK(facts->tls_name == "only.bin");
  CHECK(ssl_torrent_cert_names(*facts) == std::vector<std::string>{"tool-v3", "only.bin"});
  test::TmpDir tmp2;
  auto multi = read_layer_torrent(make_ssl_torrent(small_layer(tmp2).torrent, ca.cert_pem()).value());
  REQUIRE(multi.ok());
  CHECK(ssl_torrent_cert_names(*multi) == std::vector<std::string>{"base-v1"});
}
