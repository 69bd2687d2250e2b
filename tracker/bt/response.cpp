#include "tracker/bt/response.hpp"

#include <algorithm>

#include "tracker/bt/bencode.hpp"

namespace bc::tracker::bt {
namespace {

std::string finish_or_failure(BencodeWriter&& w) {
  auto r = std::move(w).finish();
  // Only a bug in this file can fail here; answer with a well-formed failure.
  if (!r.ok()) return "d14:failure reason14:internal errore";
  return std::move(r).value();
}

void append_compact(std::string& out, const PeerEndpoint& p) {
  size_t n = p.address.v6 ? 16 : 4;
  out.append(reinterpret_cast<const char*>(p.address.bytes.data()), n);
  out += char(p.port >> 8);
  out += char(p.port & 0xff);
}

}  // namespace

std::string encode_announce_response(const AnnounceResponse& r) {
  std::string v4, v6;
  for (const PeerEndpoint& p : r.peers) append_compact(p.address.v6 ? v6 : v4, p);
  BencodeWriter w;
  w.begin_dict();
  w.key("complete");
  w.integer(int64_t(r.complete));
  w.key("incomplete");
  w.integer(int64_t(r.incomplete));
  w.key("interval");
  w.integer(r.interval_s);
  if (r.min_interval_s) {
    w.key("min interval");
    w.integer(r.min_interval_s);
  }
  w.key("peers");
  w.string(v4);
  if (!v6.empty()) {
    w.key("peers6");
    w.string(v6);
  }
  if (!r.warning.empty()) {
    w.key("warning message");
    w.string(r.warning);
  }
  w.end();
  return finish_or_failure(std::move(w));
}

std::string encode_failure(std::string_view reason) {
  BencodeWriter w;
  w.begin_dict();
  w.key("failure reason");
  w.string(reason.substr(0, kMaxFailureReasonBytes));
  w.end();
  return finish_or_failure(std::move(w));
}

std::string encode_scrape_response(std::vector<std::pair<InfoHash, ScrapeCounts>> files) {
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  BencodeWriter w;
  w.begin_dict();
  w.key("files");
  w.begin_dict();
  for (const auto& [hash, c] : files) {
    w.key(hash.raw());
    w.begin_dict();
    w.key("complete");
    w.integer(int64_t(c.complete));
    w.key("downloaded");
    w.integer(int64_t(c.downloaded));
    w.key("incomplete");
    w.integer(int64_t(c.incomplete));
    w.end();
  }
  w.end();
  w.end();
  return finish_or_failure(std::move(w));
}

}  // namespace bc::tracker::bt
