#include "tracker/upload/upload_session.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "layers/torrent/layer_torrent.hpp"
#include "layers/util/fs.hpp"
#include "tracker/upload/staged_io.hpp"

namespace bc::tracker {

namespace fs = std::filesystem;

Result<std::unique_ptr<UploadSession>> UploadSession::make(UploadInfo info, std::string manifest_bytes,
                                                           std::string torrent, const HeldContent& held) {
  std::unique_ptr<UploadSession> s(new UploadSession());
  auto m = Manifest::decode(manifest_bytes);
  if (!m.ok()) return m.status().with_context("manifest");
  s->manifest_ = std::move(*m);
  s->piece_bytes_ = s->manifest_.piece_size;
  std::optional<TorrentFacts> facts;
  if (!s->manifest_.info_hash.empty() || !torrent.empty()) {
    auto f = read_layer_torrent(torrent);
    if (!f.ok()) return f.status().with_context("torrent");
    BC_RETURN_IF_ERROR(check_torrent_matches(s->manifest_, *f).with_context("torrent"));
    facts = std::move(*f);
  }
  for (const auto& pf : s->manifest_.payload_files()) {
    File f{pf.path, pf.size, pf.root, {}, {}, "", {}};
    if (facts) {
      auto it = facts->files.find(pf.path);
      if (it != facts->files.end()) f.pieces = it->second.pieces;
    }
    uint32_t n = s->piece_count(f);
    if (n > 1 && f.pieces.size() != n)
      return Status::corruption("torrent: file '" + printable(pf.path) + "' has " + std::to_string(f.pieces.size()) +
                                " piece hashes, its size needs " + std::to_string(n));
    f.state.assign(n, kNeed);
    s->files_.push_back(std::move(f));
  }
  s->info_ = std::move(info);
  s->manifest_bytes_ = std::move(manifest_bytes);
  s->torrent_ = std::move(torrent);
  s->plan(held);
  s->count_need();
  return s;
}

void UploadSession::plan(const HeldContent& held) {
  std::map<uint32_t, uint32_t> remap;  // held file index -> held_paths_ index
  for (auto& f : files_) {
    if (f.state.empty()) continue;
    if (const std::string* whole = held.file(f.root)) {
      f.held_file = *whole;
      std::fill(f.state.begin(), f.state.end(), uint8_t(kHeld));
      continue;
    }
    for (uint32_t p = 0; p < f.pieces.size(); ++p) {
      const HeldPiece* hp = held.piece(f.pieces[p], static_cast<uint32_t>(piece_length(f, p)));
      if (!hp || f.state[p] == kHave) continue;
      auto [it, fresh] = remap.emplace(hp->file, static_cast<uint32_t>(held_paths_.size()));
      if (fresh) held_paths_.push_back(held.path(hp->file));
      f.held_pieces[p] = HeldPiece{it->second, hp->offset, hp->length};
      f.state[p] = kHeld;
    }
  }
}

uint32_t UploadSession::piece_count(const File& f) const {
  return static_cast<uint32_t>((f.size + piece_bytes_ - 1) / piece_bytes_);
}

uint64_t UploadSession::piece_length(const File& f, uint32_t p) const {
  return std::min<uint64_t>(piece_bytes_, f.size - uint64_t(p) * piece_bytes_);
}

Status UploadSession::check_piece(const File& f, uint32_t p, std::span<const uint8_t> bytes) const {
  Sha256Digest got;
  if (f.pieces.empty()) {
    MerkleHasher h(piece_bytes_);
    h.update(bytes);
    got = h.finish().root;
  } else {
    std::vector<Sha256Digest> leaves;
    for (size_t off = 0; off < bytes.size(); off += kMerkleBlockBytes)
      leaves.push_back(sha256(bytes.subspan(off, std::min(kMerkleBlockBytes, bytes.size() - off))));
    got = merkle_root_in_place(leaves, piece_bytes_ / kMerkleBlockBytes);
  }
  if (got == (f.pieces.empty() ? f.root : f.pieces[p])) return Status();
  return Status::corruption("chunk for '" + printable(f.path) + "' piece " + std::to_string(p) +
                            ": its bytes do not hash to the torrent's " +
                            (f.pieces.empty() ? "merkle root of the file" : "piece hash") +
                            "; the chunk was dropped (the file changed since capture? capture it again)");
}

Result<uint32_t> UploadSession::put_chunk(uint32_t file, uint32_t piece, std::string_view body) {
  BC_ASSIGN_OR_RETURN(uint32_t n, stage_chunk(file, piece, body, true));
  BC_RETURN_IF_ERROR(record_chunk(file, piece, n, body.size()));
  return n;
}

Status UploadSession::record_chunk(uint32_t file, uint32_t piece, uint32_t count, uint64_t bytes) {
  std::string line = std::to_string(file) + " " + std::to_string(piece) + " " + std::to_string(count) + "\n";
  BC_RETURN_IF_ERROR(append_line(dir_ + "/received", line));
  const File& f = files_[file];
  for (uint32_t q = piece; q < piece + count; ++q) {
    if (f.state[q] == kNeed) need_bytes_ -= piece_length(f, q);
    files_[file].state[q] = kHave;
  }
  sent_bytes_ += bytes;
  return Status();
}

Result<uint32_t> UploadSession::stage_chunk(uint32_t file, uint32_t piece, std::string_view body, bool sync) {
  if (file >= files_.size())
    return Status::invalid_argument("file " + std::to_string(file) + " is out of range: the layer has " +
                                    std::to_string(files_.size()) + " payload files");
  const File& f = files_[file];
  if (piece >= f.state.size())
    return Status::invalid_argument("piece " + std::to_string(piece) + " of '" + printable(f.path) +
                                    "' is out of range: the file has " + std::to_string(f.state.size()) + " pieces");
  if (body.empty()) return Status::invalid_argument("empty chunk for '" + printable(f.path) + "'");
  auto bytes = std::span(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  uint32_t p = piece;
  size_t off = 0;
  for (; off < bytes.size(); ++p) {
    if (p >= f.state.size())
      return Status::invalid_argument("chunk for '" + printable(f.path) + "' from piece " + std::to_string(piece) +
                                      " runs past the end of the file (" + std::to_string(f.size) + " bytes)");
    if (f.state[p] == kHeld)
      return Status::invalid_argument("piece " + std::to_string(p) + " of '" + printable(f.path) +
                                      "' is not needed: the tracker holds it (ask GET /api/v1/uploads/" + info_.id +
                                      " what it lacks)");
    uint64_t len = piece_length(f, p);
    if (bytes.size() - off < len)
      return Status::corruption("chunk for '" + printable(f.path) + "' is truncated: it ends " +
                                std::to_string(bytes.size() - off) + " bytes into piece " + std::to_string(p) +
                                " of " + std::to_string(len) + " bytes; the chunk was dropped");
    BC_RETURN_IF_ERROR(check_piece(f, p, bytes.subspan(off, len)));
    off += len;
  }
  const std::string dst = dir_ + "/payload/" + f.path;
  BC_RETURN_IF_ERROR(write_at(dst, uint64_t(piece) * piece_bytes_, body, sync));
  return p - piece;
}

Status UploadSession::replay_received() {
  auto text = read_small_file(dir_ + "/received", 1u << 30);
  if (!text.ok()) return text.status().code() == Status::Code::not_found ? Status() : text.status();
  std::istringstream in(*text);
  uint64_t file, piece, count;
  while (in >> file >> piece >> count) {
    if (file >= files_.size()) return Status::corruption(dir_ + "/received: file index out of range");
    auto& st = files_[file].state;
    for (uint64_t q = piece; q < piece + count && q < st.size(); ++q)
      if (st[q] == kNeed) st[q] = kHave;
  }
  count_need();
  return Status();
}

nlohmann::json UploadSession::describe(bool with_needs) const {
  nlohmann::json needs = nlohmann::json::array();
  uint64_t content = 0, held = 0, have = 0, need = 0;
  for (uint32_t i = 0; i < files_.size(); ++i) {
    const File& f = files_[i];
    content += f.size;
    for (uint32_t p = 0; p < f.state.size();) {
      uint32_t q = p;
      uint64_t run = 0;
      while (q < f.state.size() && f.state[q] == f.state[p]) run += piece_length(f, q++);
      (f.state[p] == kHeld ? held : f.state[p] == kHave ? have : need) += run;
      if (f.state[p] == kNeed && with_needs)
        needs.push_back({{"file", i}, {"path", f.path}, {"piece", p}, {"count", q - p}, {"bytes", run}});
      p = q;
    }
  }
  nlohmann::json out = {{"id", info_.id}, {"ref", info_.ref}, {"actor", info_.actor},
                        {"started", info_.started_s}, {"state", committing ? "committing" : "receiving"},
                        {"piece_size", piece_bytes_}, {"files", files_.size()},
                        {"content_bytes", content}, {"held_bytes", held}, {"received_bytes", have},
                        {"need_bytes", need}};
  if (with_needs) out["needs"] = std::move(needs);
  return out;
}

void UploadSession::count_need() {
  need_bytes_ = 0;
  for (const auto& f : files_)
    for (uint32_t p = 0; p < f.state.size(); ++p)
      if (f.state[p] == kNeed) need_bytes_ += piece_length(f, p);
}

uint64_t UploadSession::missing_pieces() const {
  uint64_t n = 0;
  for (const auto& f : files_) n += std::count(f.state.begin(), f.state.end(), uint8_t(kNeed));
  return n;
}

}  // namespace bc::tracker
