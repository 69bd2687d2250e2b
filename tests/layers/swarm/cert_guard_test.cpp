// The guard's rules without sockets (the live cases: swarm_ssl_test.cpp).
#include <doctest/doctest.h>

#include "layers/swarm/cert_guard.hpp"
#include "layers/swarm/peer_cert.hpp"
#include "layers/swarm/swarm_settings.hpp"

using namespace bc;

TEST_CASE("certificate names cover a torrent only exactly or by '*': no prefix, no case folding") {
  CHECK(cert_names_cover({"base-v1"}, "base-v1"));
  CHECK(cert_names_cover({"app-v2", "*"}, "base-v1"));
  CHECK_FALSE(cert_names_cover({"base-v1"}, "base-v12"));
  CHECK_FALSE(cert_names_cover({"base-v12"}, "base-v1"));
  CHECK_FALSE(cert_names_cover({"BASE-v1"}, "base-v1"));
  CHECK_FALSE(cert_names_cover({"*.example"}, "base-v1"));
  CHECK_FALSE(cert_names_cover({}, "base-v1"));
}

TEST_CASE("judge_peer_cert: revoked first (serials compare as numbers), then the name, then expiry") {
  const PeerCert c{"0ac9ff", {"base-v1"}, 1000};
  std::set<std::string> revoked;
  CHECK_FALSE(judge_peer_cert(c, "base-v1", revoked, 999).has_value());
  CHECK(judge_peer_cert(c, "base-v1", revoked, 1000) == CertRefusalReason::expired);
  CHECK(judge_peer_cert(c, "base-v12", revoked, 999) == CertRefusalReason::wrong_name);
  revoked.insert(normalize_serial("0AC9FF"));
  CHECK(judge_peer_cert(c, "base-v1", revoked, 999) == CertRefusalReason::revoked);
  CHECK(normalize_serial("000AbC") == "abc");
  CHECK(normalize_serial("00") == "0");
  CHECK(describe_refusal(CertRefusalReason::revoked, c, "base-v1") == "certificate serial 0ac9ff is revoked");
  CHECK(describe_refusal(CertRefusalReason::wrong_name, c, "base-v12") ==
        "certificate serial 0ac9ff does not name base-v12 (names: base-v1)");
}

TEST_CASE("a secure node's listen interfaces carry libtorrent's TLS flag on every item, once") {
  CHECK(tls_listen_interfaces("0.0.0.0:6881") == "0.0.0.0:6881s");
  CHECK(tls_listen_interfaces("127.0.0.2:0,[::1]:0s") == "127.0.0.2:0s,[::1]:0s");
  CHECK(tls_listen_interfaces("eth0:6881l") == "eth0:6881ls");
  SwarmNodeOptions o;
  o.listen_interfaces = "127.0.0.2:0";
  CHECK(make_swarm_settings(o, 1 << 20).get_str(libtorrent::settings_pack::listen_interfaces) == "127.0.0.2:0s");
  o.insecure_plain_peers = true;
  CHECK(make_swarm_settings(o, 1 << 20).get_str(libtorrent::settings_pack::listen_interfaces) == "127.0.0.2:0");
}
