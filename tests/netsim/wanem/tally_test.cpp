// The link's ground-truth tallies: bytes by source net/destination/protocol,
// and TCP/uTP data delivered a second time.
#include <doctest/doctest.h>

#include <vector>

#include "netsim/wanem/class_tally.hpp"
#include "netsim/wanem/payload_tally.hpp"
#include "netsim/wanem/resend_tally.hpp"
#include "netsim/wanem/source_tally.hpp"

namespace bc::netsim {
namespace {

// An IPv4 packet 10.0.0.10:6881 -> 10.1.0.10:6881 of `total` bytes.
std::vector<std::uint8_t> ipv4(std::uint8_t proto, std::size_t total) {
  std::vector<std::uint8_t> p(total, 0);
  p[0] = 0x45;
  p[2] = static_cast<std::uint8_t>(total >> 8), p[3] = static_cast<std::uint8_t>(total);
  p[9] = proto;
  p[12] = 10, p[13] = 0, p[14] = 0, p[15] = 10;
  p[16] = 10, p[17] = 1, p[18] = 0, p[19] = 10;
  p[20] = 0x1a, p[21] = 0xe1, p[22] = 0x1a, p[23] = 0xe1;
  return p;
}

std::vector<std::uint8_t> tcp(std::uint32_t seq, std::size_t payload) {
  auto p = ipv4(6, 40 + payload);
  p[24] = seq >> 24, p[25] = seq >> 16, p[26] = seq >> 8, p[27] = static_cast<std::uint8_t>(seq);
  p[32] = 5 << 4;  // data offset 20
  return p;
}

std::vector<std::uint8_t> utp(std::uint16_t seq, std::uint8_t type = 0, std::uint16_t conn = 7) {
  auto p = ipv4(17, 28 + 20 + 1000);
  p[28] = static_cast<std::uint8_t>((type << 4) | 1);
  p[28 + 2] = conn >> 8, p[28 + 3] = static_cast<std::uint8_t>(conn);
  p[28 + 16] = seq >> 8, p[28 + 17] = static_cast<std::uint8_t>(seq);
  return p;
}

TEST_CASE("the source tally sums IP bytes by source /24, destination and protocol") {
  SourceTally t;
  t.add(tcp(1, 100));
  t.add(tcp(2, 100));
  t.add(utp(1));
  std::vector<std::uint8_t> junk(10, 0);
  t.add(junk);
  auto j = t.to_json();
  CHECK(j["10.0.0.0/24>10.1.0.10 tcp"] == 280);
  CHECK(j["10.0.0.0/24>10.1.0.10 udp"] == 1048);
  CHECK(j["other"] == 10);
}

TEST_CASE("TCP ranges and uTP seq_nrs delivered twice are resends; a retransmission of a lost packet is not") {
  ResendTally t;
  t.add(tcp(1000, 1000));  // [1000, 2000)
  t.add(tcp(3000, 1000));  // [3000, 4000): [2000, 3000) was lost
  t.add(tcp(2000, 1000));  // the lost segment again: first delivery
  t.add(tcp(1000, 1000));  // resent
  t.add(tcp(1500, 2000));  // [1500, 3500): all delivered before: resent
  t.add(tcp(3500, 1000));  // overlaps new bytes: not counted
  t.add(utp(65535));
  t.add(utp(1));      // wraps forward; 0 was lost
  t.add(utp(0));      // the lost one: first delivery
  t.add(utp(65535));  // resent
  t.add(utp(3, 2));   // ST_STATE (an ack): ignored
  auto j = t.to_json();
  CHECK(j["tcp_packets"] == 2);
  CHECK(j["tcp_bytes"] == 1040 + 2040);
  CHECK(j["utp_packets"] == 1);
  CHECK(j["utp_bytes"] == 1048);
}

TEST_CASE("the class tally counts BitTorrent stream bytes without IP, UDP and uTP headers") {
  ClassTally t;
  CHECK(t.add(utp(5)) == ClassTally::kBitTorrent);  // 1048 IP bytes, 1000 after the uTP header
  auto sack = utp(6);
  sack[28 + 1] = 1;                                   // a selective-ack extension follows the header
  sack[48] = 0, sack[49] = 4;                         // last extension, 4 bytes
  CHECK(t.add(sack) == ClassTally::kBitTorrent);      // 1000 - 6
  CHECK(t.add(tcp(1, 500)) == ClassTally::kBitTorrent);  // port 6881: BitTorrent over TCP
  auto http = tcp(1, 300);
  http[20] = 0x1f, http[21] = 0x90;                   // source port 8080: the tracker
  http[22] = 0xc0, http[23] = 0x00;
  CHECK(t.add(http) == ClassTally::kTracker);
  std::vector<std::uint8_t> junk(10, 0);
  CHECK(t.add(junk) == ClassTally::kOther);
  CHECK(t.bytes(ClassTally::kBitTorrent).ip == 1048 + 1048 + 540);
  CHECK(t.bytes(ClassTally::kBitTorrent).payload == 1000 + 994 + 500);
  CHECK(t.bytes(ClassTally::kTracker).payload == 300);
  CHECK(t.bytes(ClassTally::kOther).ip == 10);
  CHECK(t.to_json()["bittorrent"]["packets"] == 3);
}

TEST_CASE("the class tally counts data packets by DSCP: the share of BitTorrent data packets carrying the mark") {
  ClassTally t;
  auto le = [](std::vector<std::uint8_t> p) {
    p[1] = 1 << 2;  // TOS byte: DSCP 1 (Lower-Effort), ECN 0
    return p;
  };
  t.add(le(utp(5)));
  t.add(le(tcp(1, 500)));
  t.add(tcp(2, 500));      // unmarked data
  t.add(le(tcp(3, 0)));    // a bare ACK: not a data packet
  auto cs1 = tcp(4, 100);
  cs1[1] = 8 << 2;         // DSCP 8 (CS1)
  t.add(cs1);
  const auto bt = ClassTally::kBitTorrent;
  CHECK(t.bytes(bt).packets == 5);
  CHECK(t.bytes(bt).data_packets == 4);
  CHECK(t.data_packets_with_dscp(bt, 1) == 2);
  CHECK(t.data_packets_with_dscp(bt, 0) == 1);
  CHECK(t.data_packets_with_dscp(bt, 8) == 1);
  CHECK(t.marked_share(bt, 1) == doctest::Approx(0.5));
  CHECK(t.marked_share(ClassTally::kTracker, 1) == 0.0);  // no data packets: no share
  auto j = t.to_json()["bittorrent"];
  CHECK(j["data_packets"] == 4);
  CHECK(j["data_packets_by_dscp"]["1"] == 2);
  CHECK(j["data_packets_by_dscp"].size() == 3);
}

TEST_CASE("a new connection on the same ports is a new flow: its sequence numbers are not resends") {
  ResendTally t;
  t.add(utp(100, 0, 7));
  t.add(utp(101, 0, 7));
  t.add(utp(100, 0, 9));  // another uTP connection over the same 5-tuple
  t.add(utp(101, 0, 9));
  t.add(utp(101, 0, 9));  // resent on connection 9
  auto syn = tcp(999, 0);
  syn[33] = 0x02;         // SYN of a new TCP connection on the same ports
  t.add(tcp(1000, 1000));
  t.add(syn);
  t.add(tcp(1000, 1000));  // the new connection's first segment
  t.add(tcp(1000, 1000));  // resent
  auto j = t.to_json();
  CHECK(j["utp_packets"] == 1);
  CHECK(j["tcp_packets"] == 1);
}

TEST_CASE("the payload tally counts IP bytes minus IP/TCP/UDP headers, and the marked host's part apart") {
  auto t = tcp(1, 1000);
  t[32] = 8 << 4;  // TCP with 12 bytes of options: header 32
  CHECK(l4_payload_bytes(t) == 1040 - 20 - 32);
  CHECK(l4_payload_bytes(utp(7)) == 28 + 20 + 1000 - 28);
  auto opts = ipv4(17, 100);
  opts[0] = 0x46;  // IP options: header 24
  CHECK(l4_payload_bytes(opts) == 100 - 24 - 8);
  auto frag = ipv4(17, 100);
  frag[7] = 10;  // a later fragment: no UDP header in it
  CHECK(l4_payload_bytes(frag) == 80);
  auto icmp = ipv4(1, 84);
  CHECK(l4_payload_bytes(icmp) == 64);
  auto ack = tcp(1, 0);
  CHECK(l4_payload_bytes(ack) == 0);
  std::vector<std::uint8_t> junk(10, 0);
  CHECK(l4_payload_bytes(junk) == 0);
  auto lying = ipv4(6, 60);
  lying[32] = 15 << 4;  // data offset 60 > what the packet holds
  CHECK(l4_payload_bytes(lying) == 0);

  PayloadTally tally(0x0a01000a);  // 10.1.0.10, the destination of ipv4()
  tally.add(tcp(1, 1000));
  auto other = tcp(1, 500);
  other[19] = 11;  // to 10.1.0.11: not marked
  tally.add(other);
  tally.add(junk);
  CHECK(tally.totals().ip_bytes == 1040 + 540 + 10);
  CHECK(tally.totals().payload_bytes == 1500);
  CHECK(tally.totals().marked_ip_bytes == 1040);
  CHECK(tally.totals().marked_payload_bytes == 1000);
}

}  // namespace
}  // namespace bc::netsim
