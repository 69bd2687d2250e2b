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
  w.entry("complete", int64_t(r.complete));
  w.entry("incomplete", int64_t(r.incomplete));
  w.entry("interval", r.interval_s);
  if (r.min_interval_s) w.entry("min interval", r.min_interval_s);
  w.entry("peers", v4);
  if (!v6.empty()) w.entry("peers6", v6);
  if (!r.warning.empty()) w.entry("warning message", r.warning);
  w.end();
  return finish_or_failure(std::move(w));
}

std::string encode_failure(std::string_view reason) {
  BencodeWriter w;
  w.begin_dict();
  w.entry("failure reason", reason.substr(0, kMaxFailureReasonBytes));
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
    w.entry("complete", int64_t(c.complete));
    w.entry("downloaded", int64_t(c.downloaded));
    w.entry("incomplete", int64_t(c.incomplete));
    w.end();
  }
  w.end();
  w.end();
  return finish_or_failure(std::move(w));
}

}  // namespace bc::tracker::bt
