#include <doctest/doctest.h>

#include "layers/swarm/ip_subnet.hpp"

using namespace bc;

TEST_CASE("subnets parse v4 and v6, clear host bits, and know their range") {
  auto s = IpSubnet::parse("10.1.2.3/16");
  REQUIRE(s.ok());
  CHECK(s->to_string() == "10.1.0.0/16");
  CHECK(s->last().to_string() == "10.1.255.255");
  CHECK(s->contains(*parse_ip("10.1.200.1")));
  CHECK_FALSE(s->contains(*parse_ip("10.2.0.1")));
  CHECK_FALSE(s->contains(*parse_ip("fd00::1")));
  auto host = IpSubnet::parse("127.0.0.2");
  REQUIRE(host.ok());
  CHECK(host->prefix_bits == 32);
  CHECK(host->last().to_string() == "127.0.0.2");
  auto v6 = IpSubnet::parse("fd00:1::/32");
  REQUIRE(v6.ok());
  CHECK(v6->contains(*parse_ip("fd00:1:ffff::1")));
  CHECK(v6->last().to_string() == "fd00:1:ffff:ffff:ffff:ffff:ffff:ffff");
  CHECK(IpSubnet::parse("0.0.0.0/0")->contains(*parse_ip("1.2.3.4")));
  CHECK_FALSE(IpSubnet::parse("10.0.0.0/33").ok());
  CHECK_FALSE(IpSubnet::parse("10.0.0.0/").ok());
  CHECK_FALSE(IpSubnet::parse("10.0.0/8").ok());
  CHECK_FALSE(IpSubnet::parse("fd00::/129").ok());
  // v4-mapped v6 addresses are classified as v4.
  CHECK(parse_ip("::ffff:10.0.0.1")->is_v4());
}

TEST_CASE("sources: reflectors win over LAN membership; everything outside the LAN is origin/WAN") {
  SourceClassifier c({*IpSubnet::parse("10.1.0.0/16")}, {*parse_ip("10.1.0.5")});
  CHECK(c.classify(*parse_ip("10.1.0.5")) == PeerSource::reflector);
  CHECK(c.classify(*parse_ip("10.1.3.4")) == PeerSource::branch_peer);
  CHECK(c.classify(*parse_ip("10.2.0.1")) == PeerSource::origin_wan);
  CHECK(c.classify(*parse_ip("192.168.1.1")) == PeerSource::origin_wan);
  BytesBySource b;
  b[PeerSource::reflector] += 5;
  b[PeerSource::origin_wan] += 7;
  CHECK(b.total() == 12);
}
