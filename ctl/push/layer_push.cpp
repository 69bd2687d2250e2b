// Layer push (docs/api.md "Upload"): capture, start or resume the upload,
// send the chunks the tracker lacks, commit.
#include "ctl/push/layer_push.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "ctl/push/push_capture.hpp"
#include "layers/util/clock.hpp"
#include "layers/util/hex.hpp"
#include "tracker/client/tracker_client.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

constexpr uint32_t kCommitTimeoutMs = 3'600'000;  // verifying a large layer takes minutes

std::vector<std::pair<std::string, std::string>> auth(const TrackerTarget& t, const char* type) {
  return {{"Authorization", "Bearer " + t.token}, {"Content-Type", type}};
}

Result<json> call(tracker::HttpClient& http, const TrackerTarget& t, const std::string& method,
                  const std::string& target, const std::string& body, const char* type, uint32_t timeout_ms = 0) {
  return tracker::expect_json(http.request(method, target, body, auth(t, type), timeout_ms), method + " " + target);
}

// The parent's manifest as the tracker holds it, to pack against ("" when
// there is none or it cannot be read: packing is then just less shared).
std::string parent_manifest(tracker::HttpClient& http, const TrackerTarget& t, const std::string& parent) {
  if (parent.empty()) return "";
  auto r = http.request("GET", "/api/v1/layers/" + parent + "/manifest", "", auth(t, "application/json"));
  return r.ok() && r->status == 200 ? r->body : "";
}

struct Sender {
  tracker::HttpClient& http;
  const TrackerTarget& target;
  const PushCapture& cap;
  const std::vector<PayloadFile> files;  // cap.manifest.payload_files(), computed once
  std::string id;
  uint64_t chunk_bytes = 0;
  uint64_t done = 0, total = 0;
  PushProgress* progress = nullptr;

  std::string source_path(const std::string& payload_path) const {
    if (payload_path.rfind(".bc-pack/", 0) == 0) return cap.layer_dir + "/pack/" + payload_path.substr(9);
    return cap.source_dir + "/" + payload_path;
  }

  // Small runs go in batches (one request, one sync on the tracker), up to
  // a chunk's size: a tree of many small files is not one fsync per file.
  static constexpr uint64_t kBatchBelowBytes = 1u << 20;
  static constexpr size_t kMaxBatchUnits = 4096;  // the tracker's limit
  std::string batch;
  size_t batch_units = 0;

  Status flush_batch() {
    if (batch.empty()) return Status();
    auto r = call(http, target, "PUT", "/api/v1/uploads/" + id + "/batch", batch, "application/octet-stream");
    done += batch_bytes_;
    batch.clear();
    batch_units = 0;
    batch_bytes_ = 0;
    if (r.ok() && progress) progress->bytes(done, total);
    return r.status();
  }

  Status add_to_batch(uint32_t file, uint32_t piece, uint64_t bytes) {
    if (file >= files.size()) return Status::corruption("the tracker asked for file " + std::to_string(file));
    const std::string path = source_path(files[file].path);
    if (batch.size() + bytes + 64 > chunk_bytes || batch_units == kMaxBatchUnits) BC_RETURN_IF_ERROR(flush_batch());
    std::string head = std::to_string(file) + " " + std::to_string(piece) + " " + std::to_string(bytes) + "\n";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Status::io_error(path + ": open: " + std::strerror(errno));
    size_t at = batch.size() + head.size();
    batch += head;
    batch.resize(at + bytes);
    ssize_t n = ::pread(fd, batch.data() + at, bytes, off_t(uint64_t(piece) * cap.manifest.piece_size));
    ::close(fd);
    if (n != ssize_t(bytes)) return Status::corruption(path + ": shorter than when it was captured; push again");
    ++batch_units;
    batch_bytes_ += bytes;
    return Status();
  }
  uint64_t batch_bytes_ = 0;

  // Sends pieces [piece, piece + count) of payload file `file`.
  Status send_run(uint32_t file, uint32_t piece, uint32_t count) {
    if (file >= files.size()) return Status::corruption("the tracker asked for file " + std::to_string(file));
    const PayloadFile& pf = files[file];
    const uint64_t p_bytes = cap.manifest.piece_size;
    const uint64_t per_chunk = std::max<uint64_t>(1, chunk_bytes / p_bytes);
    const std::string path = source_path(pf.path);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Status::io_error(path + ": open: " + std::strerror(errno));
    std::string buf;
    Status s;
    for (uint64_t q = piece; q < uint64_t(piece) + count && s.ok(); q += per_chunk) {
      uint64_t end_piece = std::min<uint64_t>(q + per_chunk, uint64_t(piece) + count);
      uint64_t off = q * p_bytes, len = std::min(end_piece * p_bytes, pf.size) - off;
      buf.resize(len);
      ssize_t n = ::pread(fd, buf.data(), len, off_t(off));
      if (n != ssize_t(len)) {
        s = Status::corruption(path + ": shorter than when it was captured; push again");
        break;
      }
      auto r = call(http, target, "PUT",
                    "/api/v1/uploads/" + id + "/files/" + std::to_string(file) + "/pieces/" + std::to_string(q), buf,
                    "application/octet-stream");
      s = r.status();
      done += len;
      if (s.ok() && progress) progress->bytes(done, total);
    }
    ::close(fd);
    return s;
  }
};

json start_body(const PushCapture& cap) {
  return {{"content_bytes", cap.manifest.total_file_bytes()},
          {"manifest", cap.manifest_bytes},
          {"torrent", to_hex({reinterpret_cast<const uint8_t*>(cap.torrent.data()), cap.torrent.size()})}};
}

}  // namespace

Result<PushResult> push_layer(const TrackerTarget& target, const PushRequest& request, PushProgress* progress) {
  tracker::HttpClient http(target.http);
  BC_ASSIGN_OR_RETURN(PushCapture cap, capture_for_push(request, parent_manifest(http, target, request.parent), progress));
  if (progress) progress->phase("asking the tracker what it lacks");
  BC_ASSIGN_OR_RETURN(json st, call(http, target, "POST", "/api/v1/uploads", start_body(cap).dump(), "application/json",
                                    kCommitTimeoutMs));
  PushResult out;
  out.ref = cap.manifest.ref().to_string();
  out.content_bytes = cap.manifest.total_file_bytes();
  out.resumed = st.value("resumed", false);
  out.reused_bytes = st.value("held_bytes", uint64_t(0)) + st.value("received_bytes", uint64_t(0));
  Sender sender{http,           target, cap, cap.manifest.payload_files(), st.value("id", ""), request.chunk_bytes, 0,
                st.value("need_bytes", uint64_t(0)), progress};
  uint64_t server_max = st.value("max_chunk_bytes", uint64_t(16) << 20);
  if (sender.chunk_bytes == 0 || sender.chunk_bytes > server_max) sender.chunk_bytes = server_max;
  if (progress) progress->phase("uploading");
  for (const auto& need : st.value("needs", json::array())) {
    const uint64_t bytes = need.value("bytes", uint64_t(0));
    const uint32_t file = need.value("file", 0u), piece = need.value("piece", 0u);
    Status s = bytes <= Sender::kBatchBelowBytes && bytes + 64 <= sender.chunk_bytes
                   ? sender.add_to_batch(file, piece, bytes)
                   : sender.send_run(file, piece, need.value("count", 0u));
    if (!s.ok()) return s.with_context("upload " + sender.id + " of " + out.ref + " (run the push again to continue)");
  }
  if (Status s = sender.flush_batch(); !s.ok())
    return s.with_context("upload " + sender.id + " of " + out.ref + " (run the push again to continue)");
  out.sent_bytes = sender.done;
  if (progress) progress->phase("verifying and publishing");
  BC_ASSIGN_OR_RETURN(json rec, call(http, target, "POST", "/api/v1/uploads/" + sender.id + "/commit", "",
                                     "application/json", kCommitTimeoutMs));
  out.ref = rec.value("ref", out.ref);
  return out;
}

}  // namespace bc::ctl
