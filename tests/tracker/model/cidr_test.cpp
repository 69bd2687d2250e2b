#include <doctest/doctest.h>

#include "tracker/model/cidr.hpp"

using bc::tracker::Cidr;
using bc::tracker::IpAddress;

TEST_CASE("CIDR parsing accepts IPv4 and IPv6 prefixes and rejects host bits, bad lengths and junk") {
  CHECK(Cidr::parse("10.1.0.0/16").ok());
  CHECK(Cidr::parse("0.0.0.0/0").ok());
  CHECK(Cidr::parse("fd00::/8").ok());
  CHECK(Cidr::parse("2001:db8::/32")->to_string() == "2001:db8::/32");
  auto host_bits = Cidr::parse("10.1.0.1/16");
  REQUIRE_FALSE(host_bits.ok());
  CHECK(host_bits.status().message().find("did you mean 10.1.0.0/16") != std::string::npos);
  CHECK_FALSE(Cidr::parse("10.0.0.0/33").ok());
  CHECK_FALSE(Cidr::parse("fd00::/129").ok());
  CHECK_FALSE(Cidr::parse("10.0.0.0").ok());
  CHECK_FALSE(Cidr::parse("10.0.0.0/").ok());
  CHECK_FALSE(Cidr::parse("10.0.0.0/8x").ok());
  CHECK_FALSE(Cidr::parse("10.0.0.0/-1").ok());
  CHECK_FALSE(Cidr::parse("10.0.0/8").ok());
  CHECK_FALSE(Cidr::parse("banana/8").ok());
  CHECK_FALSE(Cidr::parse("").ok());
}

TEST_CASE("CIDR matching follows the prefix bit by bit and keeps IPv4 and IPv6 apart") {
  auto c = *Cidr::parse("192.168.4.0/22");
  CHECK(c.contains(*IpAddress::parse("192.168.4.1")));
  CHECK(c.contains(*IpAddress::parse("192.168.7.255")));
  CHECK_FALSE(c.contains(*IpAddress::parse("192.168.8.0")));
  CHECK_FALSE(c.contains(*IpAddress::parse("192.168.3.255")));
  CHECK(c.contains(*IpAddress::parse("::ffff:192.168.5.5")));  // v4-mapped is the same address
  auto v6 = *Cidr::parse("fd00:1:2::/48");
  CHECK(v6.contains(*IpAddress::parse("fd00:1:2:ffff::1")));
  CHECK_FALSE(v6.contains(*IpAddress::parse("fd00:1:3::1")));
  CHECK_FALSE(v6.contains(*IpAddress::parse("10.0.0.1")));
  CHECK(Cidr::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
  CHECK_FALSE(Cidr::parse("0.0.0.0/0")->contains(*IpAddress::parse("::1")));
  CHECK(Cidr::parse("10.0.0.0/8")->specificity() < Cidr::parse("10.1.0.0/16")->specificity());
}
