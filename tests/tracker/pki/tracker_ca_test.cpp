#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>

#include "tests/support/tmp_dir.hpp"
#include "tracker/pki/tracker_ca.hpp"

using namespace bc;
using namespace bc::tracker;

namespace {
TrackerCaOptions options(const std::string& dir) {
  TrackerCaOptions o;
  o.dir = dir;
  o.https_names = {"tracker.example", "10.9.8.7"};
  return o;
}
bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_CASE("the CA is made once, kept across restarts, and its HTTPS certificate names this machine") {
  test::TmpDir tmp;
  ManualClock clock(0, 1'800'000'000);
  auto a = TrackerCa::open(options(tmp / "pki"), clock);
  REQUIRE(a.ok());
  struct stat st {};
  REQUIRE(::stat((tmp / "pki/ca.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((tmp / "pki").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  auto https = pki::inspect(test::read_file(a->https_cert_file()));
  REQUIRE(https.ok());
  CHECK(has(https->dns_names, "tracker.example"));
  CHECK(has(https->dns_names, "localhost"));
  CHECK(has(https->ip_addresses, "10.9.8.7"));
  CHECK(has(https->ip_addresses, "127.0.0.1"));
  CHECK(pki::verify_issued_by(test::read_file(a->https_cert_file()), a->ca_cert_pem(), clock.unix_s()).ok());

  auto b = TrackerCa::open(options(tmp / "pki"), clock);
  REQUIRE(b.ok());
  CHECK(b->ca_fingerprint() == a->ca_fingerprint());
  // Same names, far from expiry: the HTTPS certificate is kept as it is.
  CHECK(pki::inspect(test::read_file(b->https_cert_file()))->serial_hex == https->serial_hex);
}

TEST_CASE("the HTTPS certificate is reissued near its expiry and when a wanted name is new") {
  test::TmpDir tmp;
  ManualClock clock(0, 1'800'000'000);
  auto o = options(tmp / "pki");
  auto a = TrackerCa::open(o, clock);
  REQUIRE(a.ok());
  std::string first = pki::inspect(test::read_file(a->https_cert_file()))->serial_hex;
  o.https_names.push_back("branch-hub.example");
  REQUIRE(TrackerCa::open(o, clock).ok());
  auto renamed = pki::inspect(test::read_file(a->https_cert_file()));
  CHECK(renamed->serial_hex != first);
  CHECK(has(renamed->dns_names, "branch-hub.example"));
  clock.advance_ms(370LL * 86400 * 1000);
  REQUIRE(TrackerCa::open(o, clock).ok());
  auto renewed = pki::inspect(test::read_file(a->https_cert_file()));
  CHECK(renewed->serial_hex != renamed->serial_hex);
  CHECK(renewed->not_after_unix > clock.unix_s() + 300LL * 86400);
}

TEST_CASE("a CA key others can read, or a CA certificate without its key, is refused with the fix") {
  test::TmpDir tmp;
  ManualClock clock(0, 1'800'000'000);
  REQUIRE(TrackerCa::open(options(tmp / "pki"), clock).ok());
  ::chmod((tmp / "pki/ca.key").c_str(), 0644);
  auto open = TrackerCa::open(options(tmp / "pki"), clock);
  CHECK(open.status().code() == Status::Code::permission_denied);
  CHECK(open.status().message().find("chmod 600") != std::string::npos);
  ::unlink((tmp / "pki/ca.key").c_str());
  auto lost = TrackerCa::open(options(tmp / "pki"), clock);
  CHECK(lost.status().code() == Status::Code::corruption);
  CHECK(lost.status().message().find("without its key") != std::string::npos);
}

TEST_CASE("a node certificate issued by the CA verifies against the CA the tracker publishes") {
  test::TmpDir tmp;
  ManualClock clock(0, 1'800'000'000);
  auto ca = TrackerCa::open(options(tmp / "pki"), clock);
  REQUIRE(ca.ok());
  auto node = *pki::generate_key();
  pki::CertSpec s;
  s.common_name = "node";
  s.dns_names = {"base-v1"};
  s.not_before_unix = clock.unix_s();
  s.not_after_unix = clock.unix_s() + 3600;
  auto cert = ca->issue(node.public_pem, s);
  REQUIRE(cert.ok());
  CHECK(pki::verify_issued_by(*cert, ca->ca_cert_pem(), clock.unix_s()).ok());
}
