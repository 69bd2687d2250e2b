#include <doctest/doctest.h>

#include "tests/tracker/bt/bt_test_util.hpp"
#include "tracker/bt/announce_request.hpp"
#include "tracker/bt/bencode.hpp"
#include "tracker/bt/response.hpp"
#include "tracker/bt/scrape_request.hpp"

using namespace bc;
using namespace bc::tracker::bt;
using bc::tracker::bt::test::pct;

namespace {

// A 20-byte info-hash with bytes that need escaping (0x00, '&', '=', '%', '+', 0xff).
const std::string kHash = std::string("\x00\x26\x3d\x25\x2b\xff", 6) + "abcdefghijklmn";
const std::string kPeerId = "-LT2080-abcdefghijkl";
const std::string kNodeKey = "0123456789abcdef0123456789abcdef";

// What libtorrent 2.0.8 sends (http_tracker_connection.cpp), after our bckey.
std::string libtorrent_query(const std::string& extra = "") {
  return "bckey=" + kNodeKey + "&info_hash=" + pct(kHash) + "&peer_id=" + pct(kPeerId) +
         "&port=6881&uploaded=0&downloaded=0&left=1048576&corrupt=0&key=1A2B3C4D&event=started"
         "&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0" +
         extra;
}

std::string error_of(std::string_view query) {
  auto r = parse_announce_query(query);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::invalid_argument);
  return r.status().message();
}

// A minimal valid announce plus `tail`.
std::string minimal(const std::string& tail = "") {
  return "info_hash=" + pct(kHash) + "&peer_id=" + pct(kPeerId) + "&port=1&uploaded=0&downloaded=0&left=0" + tail;
}

}  // namespace

TEST_CASE("a libtorrent-style announce parses into every field") {
  auto r = parse_announce_query(libtorrent_query());
  REQUIRE(r.ok());
  CHECK(r->info_hash.raw() == kHash);
  CHECK(std::string(r->peer_id.begin(), r->peer_id.end()) == kPeerId);
  CHECK(r->port == 6881);
  CHECK(r->uploaded == 0);
  CHECK(r->left == 1048576);
  CHECK(r->event == AnnounceEvent::started);
  CHECK(r->numwant == 200u);
  CHECK(r->compact);
  CHECK(r->no_peer_id);
  CHECK(r->key == "1A2B3C4D");
  CHECK(r->node_key == kNodeKey);
  CHECK_FALSE(r->ip.has_value());
}

TEST_CASE("the announce hash of a v2 torrent is the first 20 bytes of its SHA-256 info-hash") {
  std::string hex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  auto h = InfoHash::from_v2_hex(hex64);
  REQUIRE(h.has_value());
  CHECK(h->to_hex() == hex64.substr(0, 40));
  CHECK_FALSE(InfoHash::from_v2_hex(hex64.substr(0, 40)).has_value());
  CHECK_FALSE(InfoHash::from_v2_hex(std::string(64, 'g')).has_value());
}

TEST_CASE("BEP 7 address parameters parse as addresses or endpoints, IPv4-mapped becomes IPv4") {
  auto r = parse_announce_query(minimal("&ip=10.1.2.3&ipv6=fd00%3A%3A1&ipv6=%5Bfd00%3A%3A2%5D%3A7000&ipv4=10.0.0.9%3A6000"));
  REQUIRE(r.ok());
  CHECK(r->ip->to_string() == "10.1.2.3");
  REQUIRE(r->ipv6.size() == 2);
  CHECK(r->ipv6[0].to_string() == "[fd00::1]:0");
  CHECK(r->ipv6[1].to_string() == "[fd00::2]:7000");
  REQUIRE(r->ipv4.size() == 1);
  CHECK(r->ipv4[0].to_string() == "10.0.0.9:6000");
  auto mapped = IpAddress::parse("::ffff:10.9.8.7");
  REQUIRE(mapped.has_value());
  CHECK_FALSE(mapped->v6);
  CHECK(mapped->to_string() == "10.9.8.7");
  CHECK_FALSE(IpAddress::parse("tracker.example").has_value());
}

TEST_CASE("event values: empty, started, completed, stopped, paused; anything else is refused") {
  CHECK(parse_announce_query(minimal("&event="))->event == AnnounceEvent::none);
  CHECK(parse_announce_query(minimal("&event=completed"))->event == AnnounceEvent::completed);
  CHECK(parse_announce_query(minimal("&event=stopped"))->event == AnnounceEvent::stopped);
  CHECK(parse_announce_query(minimal("&event=paused"))->event == AnnounceEvent::paused);
  CHECK(error_of(minimal("&event=Started")) ==
        "event: expected started, completed, stopped, paused or empty, got 'Started'");
}

TEST_CASE("malformed percent-encoding and unescaped bytes are refused with the offset") {
  CHECK(error_of("info_hash=%G1") == "info_hash: bad percent-encoding at offset 0 ('%G1')");
  CHECK(error_of("info_hash=ab%4") == "info_hash: bad percent-encoding at offset 2 ('%4')");
  CHECK(error_of("info_hash=ab%") == "info_hash: bad percent-encoding at offset 2 ('%')");
  CHECK(error_of("info_hash=a b") == "info_hash: unescaped byte ' ' at offset 1");
  CHECK(error_of(std::string("peer_id=a\x80", 10)) == "peer_id: unescaped byte '\\x80' at offset 1");
  CHECK(error_of("in%ZZfo=1") == "parameter name: bad percent-encoding at offset 2 ('%ZZ')");
}

TEST_CASE("query structure errors: empty parameters, missing '=', bad names, limits") {
  CHECK(error_of(minimal("&&x=1")) == "empty parameter at offset " + std::to_string(minimal().size() + 1));
  CHECK(error_of(minimal("&")) == "empty parameter at offset " + std::to_string(minimal().size() + 1));
  CHECK(error_of(minimal("&compact")) ==
        "parameter at offset " + std::to_string(minimal().size() + 1) + " ('compact') has no '='");
  CHECK(error_of("=1").find("empty parameter name at offset 0") == 0);
  CHECK(error_of("a%2Fb=1") == "parameter name 'a/b' at offset 0 holds a byte outside [A-Za-z0-9_.-]");
  CHECK(error_of(std::string(9000, 'a')) == "query is 9000 bytes, more than the limit of 8192");
  std::string many;
  for (int i = 0; i < 97; ++i) many += (i ? "&" : "") + std::string("x=1");
  CHECK(error_of(many) == "more than 96 parameters");
  CHECK(error_of("key=" + std::string(600, 'k')) == "key: value is 600 bytes, more than the limit of 512");
}

TEST_CASE("info_hash and peer_id must decode to exactly 20 bytes") {
  std::string v2(32, 'x');
  CHECK(error_of("info_hash=" + v2) ==
        "info_hash: expected 20 bytes after percent-decoding, got 32 (a v2 torrent announces the first 20 bytes "
        "of its SHA-256 info-hash)");
  CHECK(error_of("info_hash=" + pct(kHash) + "&peer_id=short") ==
        "peer_id: expected 20 bytes after percent-decoding, got 5");
}

TEST_CASE("every required parameter is named when missing") {
  CHECK(error_of("info_hash=" + pct(kHash)) == "peer_id: missing (required by BEP 3)");
  CHECK(error_of("peer_id=" + pct(kPeerId)) == "info_hash: missing (required by BEP 3)");
  CHECK(error_of("info_hash=" + pct(kHash) + "&peer_id=" + pct(kPeerId)) == "port: missing (required by BEP 3)");
  CHECK(error_of("info_hash=" + pct(kHash) + "&peer_id=" + pct(kPeerId) + "&port=1&uploaded=0&downloaded=0") ==
        "left: missing (required by BEP 3)");
}

TEST_CASE("port must be a decimal in 1..65535") {
  auto with_port = [](const std::string& p) {
    return "info_hash=" + pct(kHash) + "&peer_id=" + pct(kPeerId) + "&port=" + p + "&uploaded=0&downloaded=0&left=0";
  };
  CHECK(error_of(with_port("0")) == "port: 0 is out of range 1..65535");
  CHECK(error_of(with_port("65536")) == "port: '65536' exceeds 65535");
  CHECK(error_of(with_port("-1")) == "port: expected a decimal number, got '-1'");
  CHECK(error_of(with_port("%2B80")) == "port: expected a decimal number, got '+80'");
  CHECK(error_of(with_port("")) == "port: expected a decimal number, got an empty value");
  CHECK(parse_announce_query(with_port("065535"))->port == 65535);
}

TEST_CASE("duplicated single-valued parameters are refused, unknown ones ignored") {
  CHECK(error_of(minimal("&info_hash=" + pct(kHash))) == "info_hash: given more than once");
  CHECK(error_of(minimal("&left=5")) == "left: given more than once");
  CHECK(error_of(minimal("&numwant=1&numwant=2")) == "numwant: given more than once");
  CHECK(error_of(minimal("&bckey=" + kNodeKey + "&bckey=" + kNodeKey)) == "bckey: given more than once");
  CHECK(parse_announce_query(minimal("&trackerid=x&trackerid=y&future_thing=1")).ok());
  CHECK(error_of(minimal("&ipv4=1.1.1.1&ipv4=1.1.1.2&ipv4=1.1.1.3&ipv4=1.1.1.4&ipv4=1.1.1.5")) ==
        "ipv4: given more than 4 times");
}

TEST_CASE("numbers: numwant bounded, byte counts bounded by 2^63-1, flags 0 or 1") {
  CHECK(parse_announce_query(minimal("&numwant=10000"))->numwant == 10000u);
  CHECK(error_of(minimal("&numwant=10001")) == "numwant: '10001' exceeds 10000");
  CHECK(error_of(minimal("&numwant=99999999999999999999999999")) ==
        "numwant: '999999999999999999999999...' exceeds 10000");  // long values are cut in messages
  CHECK(error_of(minimal("&numwant=-1")) == "numwant: expected a decimal number, got '-1'");
  CHECK(parse_announce_query("info_hash=" + pct(kHash) + "&peer_id=" + pct(kPeerId) +
                             "&port=1&uploaded=9223372036854775807&downloaded=0&left=0")
            ->uploaded == 9223372036854775807ull);
  CHECK(error_of("info_hash=" + pct(kHash) + "&peer_id=" + pct(kPeerId) +
                 "&port=1&uploaded=9223372036854775808&downloaded=0&left=0") ==
        "uploaded: '9223372036854775808' exceeds 9223372036854775807");
  CHECK(error_of(minimal("&compact=2")) == "compact: expected 0 or 1, got '2'");
  CHECK(error_of(minimal("&no_peer_id=yes")) == "no_peer_id: expected 0 or 1, got 'yes'");
}

TEST_CASE("keys and addresses are validated") {
  CHECK(error_of(minimal("&bckey=short")) == "bckey: expected 16..128 bytes of [A-Za-z0-9_-], got 5 bytes");
  CHECK(error_of(minimal("&bckey=0123456789abcdef%2F")) ==
        "bckey: expected 16..128 bytes of [A-Za-z0-9_-], got 17 bytes");
  CHECK(error_of(minimal("&key=" + std::string(65, 'k'))) == "key: expected 1..64 printable bytes");
  CHECK(error_of(minimal("&ip=tracker.example")) ==
        "ip: 'tracker.example' is not a literal IP address (hostnames are refused)");
  CHECK(error_of(minimal("&ipv4=fd00%3A%3A1")) == "ipv4: 'fd00::1' is not a literal IPv4 address");
  CHECK(error_of(minimal("&ipv6=10.0.0.1")) == "ipv6: '10.0.0.1' is not a literal IPv6 address");
  CHECK(error_of(minimal("&ipv6=%5Bfd00%3A%3A1")) == "ipv6: '[' without ']' in '[fd00::1'");
  CHECK(error_of(minimal("&ipv4=10.0.0.1%3A0")) == "ipv4: port 0 is out of range 1..65535");
  CHECK(error_of(minimal("&ipv4=10.0.0.1%3A")) == "ipv4: expected a decimal number, got an empty value");
}

TEST_CASE("a scrape takes 1..64 info_hashes, merges repeats and refuses a full scrape") {
  auto r = parse_scrape_query("info_hash=" + pct(kHash) + "&info_hash=" + pct(std::string(20, 'b')) +
                              "&info_hash=" + pct(kHash) + "&bckey=" + kNodeKey);
  REQUIRE(r.ok());
  CHECK(r->info_hashes.size() == 2);
  CHECK(r->node_key == kNodeKey);
  CHECK(parse_scrape_query("bckey=" + kNodeKey).status().message() ==
        "info_hash: missing (a full scrape is not offered by this private tracker)");
  CHECK(parse_scrape_query("info_hash=abc").status().message() ==
        "info_hash: expected 20 bytes after percent-decoding, got 3");
  std::string many;
  for (int i = 0; i < 65; ++i) many += "info_hash=" + pct(std::string(19, 'a') + char('A' + i % 26)) + "&";
  many.pop_back();
  CHECK(parse_scrape_query(many).status().message() == "info_hash: more than 64 in one scrape");
}

TEST_CASE("the bencode writer produces canonical bytes and reports misuse") {
  BencodeWriter w;
  w.begin_dict();
  w.key("a");
  w.integer(-3);
  w.key("b");
  w.begin_list();
  w.string("xy");
  w.integer(0);
  w.end();
  w.end();
  CHECK(std::move(w).finish().value() == "d1:ai-3e1:bl2:xyi0eee");

  BencodeWriter unsorted;
  unsorted.begin_dict();
  unsorted.key("b");
  unsorted.integer(1);
  unsorted.key("a");
  unsorted.integer(2);
  unsorted.end();
  CHECK(std::move(unsorted).finish().status().message() == "bencode: dict key 'a' is not after 'b'");

  BencodeWriter open;
  open.begin_list();
  CHECK(std::move(open).finish().status().message() == "bencode: 1 list/dict left open");
  BencodeWriter value_as_key;
  value_as_key.begin_dict();
  value_as_key.integer(1);
  value_as_key.end();
  CHECK(std::move(value_as_key).finish().status().message() == "bencode: a value where a dict key belongs");
}

TEST_CASE("an announce response encodes compact peers and peers6 byte for byte") {
  AnnounceResponse r;
  r.interval_s = 1800;
  r.min_interval_s = 60;
  r.complete = 2;
  r.incomplete = 7;
  r.peers.push_back({IpAddress::v4_from(10, 0, 0, 1), 6881});
  r.peers.push_back({*IpAddress::parse("fd00::1"), 0x1234});
  r.peers.push_back({IpAddress::v4_from(192, 168, 1, 255), 65535});
  std::string v6 = std::string("\xfd\x00", 2) + std::string(13, '\0') + "\x01" + "\x12\x34";
  CHECK(encode_announce_response(r) ==
        std::string("d8:completei2e10:incompletei7e8:intervali1800e12:min intervali60e5:peers12:") +
            std::string("\x0a\x00\x00\x01\x1a\xe1\xc0\xa8\x01\xff\xff\xff", 12) + "6:peers618:" + v6 + "e");
  AnnounceResponse empty;
  empty.interval_s = 900;
  CHECK(encode_announce_response(empty) == "d8:completei0e10:incompletei0e8:intervali900e5:peers0:e");
}

TEST_CASE("failure and scrape responses encode byte for byte, scrape files sorted by hash") {
  CHECK(encode_failure("unregistered torrent") == "d14:failure reason20:unregistered torrente");
  CHECK(encode_failure(std::string(600, 'x')).size() == std::string("d14:failure reason512:e").size() + 512);
  std::string b(20, 'b'), a(20, 'a');
  std::vector<std::pair<InfoHash, ScrapeCounts>> files = {{*InfoHash::from_raw(b), {1, 2, 3}},
                                                          {*InfoHash::from_raw(a), {4, 5, 6}}};
  CHECK(encode_scrape_response(files) == "d5:filesd20:" + a + "d8:completei4e10:downloadedi6e10:incompletei5ee20:" +
                                             b + "d8:completei1e10:downloadedi3e10:incompletei2eeee");
}
