#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "layers/rtt_probe/probe_codec.hpp"

using namespace bc::rtt_probe;

namespace {
std::vector<uint8_t> encoded(const ProbePacket& p) {
  std::vector<uint8_t> b(p.size_bytes);
  auto n = encode_probe(p, b);
  REQUIRE(n.ok());
  REQUIRE(*n == p.size_bytes);
  return b;
}
}  // namespace

TEST_CASE("probe codec: encode then decode returns the same packet at every allowed size") {
  for (size_t size : {kProbeHeaderBytes, size_t{25}, size_t{512}, kMaxProbeBytes}) {
    ProbePacket p{.reply = (size % 2) == 0, .sequence = 0x0102030405060708ull,
                  .sent_us = 0xfffffffffffffffeull, .size_bytes = size};
    auto b = encoded(p);
    auto d = decode_probe(b);
    REQUIRE(d.ok());
    CHECK(*d == p);
  }
  auto b = encoded(ProbePacket{.sequence = 1, .sent_us = 2});
  CHECK(b[0] == 'B');
  CHECK(b[3] == '1');
  CHECK(b[15] == 1);  // big-endian sequence
  CHECK(b[23] == 2);
}

TEST_CASE("probe codec: encode refuses sizes outside 24..1200 and short buffers") {
  std::vector<uint8_t> buf(2000);
  CHECK(encode_probe(ProbePacket{.size_bytes = 23}, buf).status().code() ==
        bc::Status::Code::invalid_argument);
  CHECK(!encode_probe(ProbePacket{.size_bytes = 1201}, buf).ok());
  std::vector<uint8_t> small(30);
  CHECK(!encode_probe(ProbePacket{.size_bytes = 31}, small).ok());
}

TEST_CASE("probe codec: malformed datagrams are refused with a reason naming the defect") {
  auto good = encoded(ProbePacket{.sequence = 7, .sent_us = 9, .size_bytes = 40});
  const auto refuse = [](std::vector<uint8_t> b, const char* why) {
    auto r = decode_probe(b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == bc::Status::Code::corruption);
    CHECK(r.status().message().find(why) != std::string::npos);
  };
  refuse(std::vector<uint8_t>(good.begin(), good.begin() + 23), "shorter");
  refuse(std::vector<uint8_t>(), "shorter");
  refuse(std::vector<uint8_t>(1201, 0), "exceeds");
  auto b = good; b[0] = 'X'; refuse(b, "magic");
  b = good; b[3] = '2'; refuse(b, "magic");
  b = good; b[4] = 0x02; refuse(b, "flags");
  b = good; b[6] = 1; refuse(b, "reserved");
  b = good; b[39] = 1; refuse(b, "padding");
}

TEST_CASE("probe codec: the echo reply sets only the reply flag and refuses replies") {
  auto req = encoded(ProbePacket{.sequence = 42, .sent_us = 4242, .size_bytes = 100});
  auto reply = req;
  auto n = make_echo_reply(reply);
  REQUIRE(n.ok());
  CHECK(*n == req.size());
  for (size_t i = 0; i < req.size(); ++i) {
    if (i != 4) CHECK(reply[i] == req[i]);
  }
  CHECK(decode_probe(reply)->reply);
  auto again = reply;
  CHECK(make_echo_reply(again).status().code() == bc::Status::Code::invalid_argument);
}

TEST_CASE("probe codec: no input ever yields a reply larger than the request (random bytes and mutations)") {
  std::mt19937_64 rng(12345);
  size_t replies = 0;
  for (int i = 0; i < 20000; ++i) {
    size_t size = rng() % 1300;
    std::vector<uint8_t> b;
    if (i % 2 == 0) {
      b.resize(size);
      for (auto& c : b) c = static_cast<uint8_t>(rng());
    } else {
      b = encoded(ProbePacket{.sequence = rng(), .sent_us = rng(),
                              .size_bytes = kProbeHeaderBytes + size % (kMaxProbeBytes - kProbeHeaderBytes + 1)});
      if (rng() % 2) b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    const size_t before = b.size();
    auto r = make_echo_reply(b);
    if (r.ok()) {
      ++replies;
      CHECK(*r <= before);
      CHECK(*r == before);
    }
  }
  CHECK(replies > 1000);  // the mutation half must exercise the success path
}
