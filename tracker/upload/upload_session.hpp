// One staged upload (docs/api.md "Upload"): a layer's manifest and torrent
// as the client captured them, which of its pieces the origin store already
// holds, which the client sent, and the bytes it sent, in
//   DATA/uploads/<id>/session.json   id, ref, actor, start time
//   DATA/uploads/<id>/manifest.json  the client's manifest bytes (untrusted)
//   DATA/uploads/<id>/layer.torrent  the client's torrent (untrusted)
//   DATA/uploads/<id>/received       one line "FILE PIECE COUNT" per chunk kept
//   DATA/uploads/<id>/payload/...    the payload files, chunks written in place
// The unit is a piece of a payload file (an unpacked file or a bin, the
// torrent's files); a file within one piece is one piece, checked against
// its merkle root, a larger file's pieces against the torrent's piece layer.
// A chunk is kept only when every piece in it matches: its bytes are written
// and fdatasynced before its line is (the line itself is not synced: a crash
// may lose the last lines, whose chunks are then asked for again, but never
// records bytes that were not synced). Not thread-safe: the UploadService serializes calls per session
// (mu).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/model/manifest.hpp"
#include "tracker/upload/held_content.hpp"

namespace bc::tracker {

struct UploadInfo {
  std::string id;     // 32 hex digits
  std::string ref;    // NAME@VERSION
  std::string actor;  // who started it (Principal::actor())
  int64_t started_s = 0;
};

class UploadSession {
 public:
  enum PieceState : uint8_t { kNeed = 0, kHeld = 1, kHave = 2 };
  struct File {
    std::string path;  // payload path: manifest path or pack_bin_path
    uint64_t size = 0;
    Sha256Digest root{};
    std::vector<Sha256Digest> pieces;  // the torrent's piece layer; empty within one piece
    std::vector<uint8_t> state;        // PieceState per piece
    std::string held_file;             // the whole file is held here (origin path), or ""
    std::map<uint32_t, HeldPiece> held_pieces;
  };

  // Decodes and checks the client's manifest and torrent (the torrent must
  // describe exactly the manifest's payload) and plans against `held`.
  static Result<std::unique_ptr<UploadSession>> make(UploadInfo info, std::string manifest_bytes,
                                                     std::string torrent, const HeldContent& held);
  // Writes the session's files into `dir` (created).
  Status save(const std::string& dir);
  // Reads a staged upload back (after a restart), re-planned against `held`.
  static Result<std::unique_ptr<UploadSession>> load(const std::string& dir, const HeldContent& held);

  // Verifies and keeps the chunk of whole pieces of `file` starting at
  // `piece`: invalid_argument for an index out of range or a piece the
  // tracker holds; corruption naming the file and piece for a truncated
  // chunk or a hash mismatch (nothing kept). Returns the pieces kept.
  Result<uint32_t> put_chunk(uint32_t file, uint32_t piece, std::string_view body);
  // Many small chunks in one body, each "FILE PIECE LENGTH\n" then LENGTH
  // bytes, at most `max_units`: each checked as put_chunk does, all written,
  // then made durable with one syncfs before their lines are recorded. The
  // first bad unit fails the whole batch (nothing recorded), naming it.
  // Returns {"units": N, "pieces": N}.
  Result<nlohmann::json> put_batch(std::string_view body, size_t max_units);

  // What the client still has to send, as runs of pieces, and the totals.
  nlohmann::json describe(bool with_needs = true) const;
  uint64_t need_bytes() const { return need_bytes_; }
  uint64_t missing_pieces() const;

  // Builds the layer directory DIR/layer (manifest, torrent, payload) from
  // the received chunks and the held files and pieces it copies from the
  // origin store (copy_file_range: a reflink where the filesystem can).
  // REQUIRES: missing_pieces() == 0. Returns the layer directory.
  Result<std::string> assemble();

  const UploadInfo& info() const { return info_; }
  const Manifest& manifest() const { return manifest_; }
  const std::string& manifest_bytes() const { return manifest_bytes_; }
  const std::string& dir() const { return dir_; }
  uint64_t sent_bytes() const { return sent_bytes_; }

  std::mutex mu;              // the UploadService holds it around every call
  bool committing = false;   // commit is assembling or importing
  bool gone = false;         // cancelled or swept: its directory is being removed
  int64_t last_active_s = 0;  // clock time of the last request

 private:
  UploadSession() = default;
  void plan(const HeldContent& held);
  uint32_t piece_count(const File& f) const;
  uint64_t piece_length(const File& f, uint32_t p) const;
  Status check_piece(const File& f, uint32_t p, std::span<const uint8_t> bytes) const;
  Status replay_received();
  Result<uint32_t> stage_chunk(uint32_t file, uint32_t piece, std::string_view body, bool sync);
  Status record_chunk(uint32_t file, uint32_t piece, uint32_t count, uint64_t bytes);
  Status assemble_file(const File& f, const std::string& dst);

  UploadInfo info_;
  Manifest manifest_;
  std::string manifest_bytes_, torrent_, dir_;
  uint32_t piece_bytes_ = 0;
  std::vector<File> files_;
  std::vector<std::string> held_paths_;  // origin files held pieces come from (HeldPiece::file)
  uint64_t sent_bytes_ = 0;  // received this tracker run
  uint64_t need_bytes_ = 0;  // bytes of kNeed pieces, kept as chunks arrive (count_need)
  void count_need();

  friend class UploadService;
};

}  // namespace bc::tracker
