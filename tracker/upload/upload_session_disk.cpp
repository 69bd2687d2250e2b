// UploadSession's files: saving and loading a staged upload, and assembling
// the layer directory at commit.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "layers/model/layer_dir.hpp"
#include "layers/util/fs.hpp"
#include "tracker/upload/staged_io.hpp"
#include "tracker/upload/upload_session.hpp"

namespace bc::tracker {

namespace fs = std::filesystem;

Status UploadSession::save(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir + "/payload", ec);
  if (ec) return Status::io_error(dir + ": mkdir: " + ec.message());
  dir_ = dir;
  nlohmann::json info = {{"id", info_.id}, {"ref", info_.ref}, {"actor", info_.actor}, {"started", info_.started_s}};
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/manifest.json", manifest_bytes_, 0600));
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/layer.torrent", torrent_, 0600));
  // Last: a directory without session.json is an upload that never started.
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/session.json", info.dump(), 0600));
  return fsync_dir(dir);
}

Result<std::unique_ptr<UploadSession>> UploadSession::load(const std::string& dir, const HeldContent& held) {
  BC_ASSIGN_OR_RETURN(std::string info_text, read_small_file(dir + "/session.json", 1 << 16));
  auto j = nlohmann::json::parse(info_text, nullptr, false);
  if (!j.is_object()) return Status::corruption(dir + "/session.json: not a JSON object");
  UploadInfo info{j.value("id", ""), j.value("ref", ""), j.value("actor", ""), j.value("started", int64_t(0))};
  BC_ASSIGN_OR_RETURN(std::string manifest, read_small_file(dir + "/manifest.json", kMaxManifestBytes));
  BC_ASSIGN_OR_RETURN(std::string torrent, read_small_file(dir + "/layer.torrent", kMaxTorrentBytes));
  BC_ASSIGN_OR_RETURN(auto s, make(std::move(info), std::move(manifest), std::move(torrent), held));
  s->dir_ = dir;
  BC_RETURN_IF_ERROR(s->replay_received());
  return s;
}

Result<nlohmann::json> UploadSession::put_batch(std::string_view body, size_t max_units) {
  struct Kept {
    uint32_t file, piece, count;
    uint64_t bytes;
  };
  std::vector<Kept> kept;
  for (size_t pos = 0; pos < body.size();) {
    size_t nl = body.find('\n', pos);
    unsigned long long file = 0, piece = 0, len = 0;
    std::string head(body.substr(pos, nl == std::string_view::npos ? 0 : std::min<size_t>(nl - pos, 64)));
    if (nl == std::string_view::npos || std::sscanf(head.c_str(), "%llu %llu %llu", &file, &piece, &len) != 3 ||
        file > UINT32_MAX || piece > UINT32_MAX)
      return Status::invalid_argument("batch: the unit at byte " + std::to_string(pos) +
                                      " does not start with a line 'FILE PIECE LENGTH'");
    if (len > body.size() - nl - 1)
      return Status::corruption("batch: the unit for file " + std::to_string(file) + " piece " + std::to_string(piece) +
                                " is truncated: " + std::to_string(body.size() - nl - 1) + " of its " +
                                std::to_string(len) + " bytes arrived; the batch was dropped");
    if (kept.size() == max_units)
      return Status::invalid_argument("batch: more than " + std::to_string(max_units) + " units");
    auto n = stage_chunk(uint32_t(file), uint32_t(piece), body.substr(nl + 1, len), false);
    if (!n.ok()) return n.status().with_context("batch");
    kept.push_back({uint32_t(file), uint32_t(piece), *n, len});
    pos = nl + 1 + len;
  }
  BC_RETURN_IF_ERROR(sync_filesystem(dir_ + "/payload"));
  uint64_t pieces = 0;
  for (const auto& k : kept) {
    BC_RETURN_IF_ERROR(record_chunk(k.file, k.piece, k.count, k.bytes));
    pieces += k.count;
  }
  return nlohmann::json{{"units", kept.size()}, {"pieces", pieces}};
}

Status UploadSession::assemble_file(const File& f, const std::string& dst) {
  if (!f.held_file.empty()) return copy_whole_file(f.held_file, dst);
  std::error_code ec;
  fs::create_directories(fs::path(dst).parent_path(), ec);
  int fd = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::io_error(dst + ": open: " + std::strerror(errno));
  Status s;
  std::map<uint32_t, int> sources;
  // Held pieces in runs: consecutive pieces from consecutive bytes of one
  // held file (the common case, an old version of the same file) are one copy.
  for (auto run = f.held_pieces.begin(); run != f.held_pieces.end() && s.ok();) {
    auto next = run;
    uint64_t length = 0;
    while (next != f.held_pieces.end() && f.state[next->first] == kHeld && next->second.file == run->second.file &&
           next->first - run->first == (next->second.offset - run->second.offset) / piece_bytes_ &&
           next->second.offset - run->second.offset == length) {
      length += next->second.length;
      ++next;
    }
    if (length == 0) {  // a piece received after all, or a lone one
      if (f.state[run->first] != kHeld) {
        ++run;
        continue;
      }
      length = run->second.length;
      next = std::next(run);
    }
    const HeldPiece& hp = run->second;
    auto it = sources.find(hp.file);
    if (it == sources.end()) {
      int in = ::open(held_paths_[hp.file].c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (in < 0) {
        s = Status::io_error(held_paths_[hp.file] + ": open: " + std::strerror(errno));
        break;
      }
      it = sources.emplace(hp.file, in).first;
    }
    s = copy_range(it->second, hp.offset, fd, uint64_t(run->first) * piece_bytes_, length, held_paths_[hp.file]);
    run = next;
  }
  if (s.ok() && ::ftruncate(fd, off_t(f.size)) != 0) s = Status::io_error(dst + ": ftruncate: " + std::strerror(errno));
  if (s.ok() && ::fsync(fd) != 0) s = Status::io_error(dst + ": fsync: " + std::strerror(errno));
  for (auto& [i, in] : sources) ::close(in);
  ::close(fd);
  return s;
}

Result<std::string> UploadSession::assemble() {
  if (uint64_t n = missing_pieces())
    return Status::aborted("upload " + info_.id + " still lacks " + std::to_string(n) + " pieces (" +
                           std::to_string(need_bytes()) + " bytes): send them (GET /api/v1/uploads/" + info_.id +
                           " lists them), then commit");
  const std::string payload = dir_ + "/payload";
  for (const auto& f : files_) BC_RETURN_IF_ERROR(assemble_file(f, payload + "/" + f.path));
  // Directories holding only packed files or nothing: the importer creates
  // the manifest's directories itself, from the manifest.
  const std::string layer = dir_ + "/layer";
  std::error_code ec;
  fs::remove_all(layer, ec);
  BC_RETURN_IF_ERROR(write_layer_dir(layer, manifest_bytes_, torrent_, payload));
  return layer;
}

}  // namespace bc::tracker
