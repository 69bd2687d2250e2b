// The layer manifest: what a layer is, byte for byte. The tracker signs the
// exact encoded bytes; every node verifies that signature before it trusts a
// manifest (see layers/model/signed_manifest.hpp).
//
// Encoding (schema 2; schema 1 is still read: it has no "bins" and no packed
// entries), JSON:
//   { "schema": 2, "name": "base", "version": 3, "kind": "base",
//     "parent": {"name": "base", "version": 2} | null,
//     "created": "2026-11-21T21:00:00Z", "piece_size": 262144,
//     "info_hash": "<64 hex: BitTorrent v2 info-hash>" | "" (no regular files),
//     "match": {"vendor": "Dell*", ...}       (driver layers only; fnmatch globs)
//     "entries": [ {"path": "etc/motd", "type": "file", "mode": 420,
//                   "size": 12, "root": "<64 hex merkle root>"},
//                  {"path": "etc", "type": "dir", "mode": 493},
//                  {"path": "etc/hosts", "type": "file", "mode": 420, "size": 180,
//                   "root": "<64 hex>", "bin": 0, "offset": 4096},
//                  {"path": "etc", "type": "dir", "mode": 493},
//                  {"path": "bin/sh", "type": "symlink", "target": "busybox"} ],
//     "bins": [ {"size": 16000, "root": "<64 hex merkle root of the bin>"} ] }
// Entries are sorted by path (bytewise), unique, and every entry's parent
// directory is itself a "dir" entry: the manifest alone describes the tree.
//
// Packed files (docs/architecture.md "Packing small files"): a regular file
// smaller than kPackBelowBytes may live in a *bin* instead of being a file of
// the torrent: bin i is the torrent file ".bc-pack/<i>" (pack_bin_path), the
// gap-free concatenation of its members in manifest order. A packed entry
// keeps its own size and merkle root (its identity for diff, apply and
// verify) and says where it lives (bin, offset). Members of a bin tile it
// exactly: in manifest order each starts where the previous one ended, the
// first at 0, the last ends at the bin's size. The top-level name ".bc-pack"
// is reserved: no entry may be it or lie below it.
//
// Schema 3 (docs/architecture.md "Compression on the wire") adds to the
// top level "chunk_size" and "compressor" (layers/model/bin_codec.hpp), and
// to every bin "codec" ("raw" | "zstd") and "raw_size": "size" and "root"
// are then those of the *wire* bytes (what the torrent carries), members'
// offsets and roots those of the raw bytes. Files below kPackBelowBytesV3
// pack into bins of at most kPackBinBytesV3 raw bytes; a large compressible
// file is *chunked*: "bin": b, "offset": 0, "chunks": n, and its chunk k
// (chunk_size raw bytes, the last shorter) is the only member of bin b+k.
// Schema 2 bins are raw: raw_size is their size.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layers/crypto/sha256.hpp"
#include "layers/model/bin_codec.hpp"
#include "layers/util/status.hpp"

namespace bc {

inline constexpr int kManifestSchema = 3;        // the newest this build reads and writes
inline constexpr int kManifestSchemaRawBins = 2;   // read and written (--compress=none)
inline constexpr int kManifestSchemaUnpacked = 1;  // still read: no bins
inline constexpr uint64_t kPackBelowBytes = 16 * 1024;  // files below this may be packed
inline constexpr uint64_t kPackBinBytes = 16 * 1024;    // a bin holds at most this (one v2 block)
inline constexpr uint64_t kPackBelowBytesV3 = 256 * 1024;  // schema 3
inline constexpr uint64_t kPackBinBytesV3 = 256 * 1024;    // schema 3: raw bytes of a bin
inline constexpr uint32_t kDefaultChunkBytes = 1 << 20;    // schema 3: raw bytes of a chunk
inline constexpr size_t kMaxManifestBins = 4'000'000;
inline constexpr std::string_view kPackDirName = ".bc-pack";
inline constexpr uint32_t kNotPacked = UINT32_MAX;
inline constexpr size_t kMaxManifestBytes = 256u << 20;   // 256 MiB
inline constexpr size_t kMaxManifestEntries = 2'000'000;
// A layer's .torrent (DIR/layer.torrent, the torrent a tracker serves): a
// model limit, so the layer directory reads it without the torrent seam.
inline constexpr size_t kMaxTorrentBytes = 64u << 20;  // 64 MiB
inline constexpr size_t kMaxSymlinkTargetBytes = 4096;
inline constexpr size_t kMaxMatchRules = 32;
inline constexpr uint64_t kMaxFileBytes = uint64_t(1) << 44;  // 16 TiB
inline constexpr uint32_t kDefaultPieceBytes = 64 * 1024;     // docs/architecture.md "Piece size"

enum class LayerKind { base, app, driver };
enum class EntryType { file, dir, symlink };

const char* to_string(LayerKind k);
const char* to_string(EntryType t);
std::optional<LayerKind> parse_layer_kind(std::string_view s);

// name@version. Names: [a-z0-9][a-z0-9._-]{0,63}; versions: 1..2^31-1.
struct LayerRef {
  std::string name;
  int64_t version = 0;
  std::string to_string() const { return name + "@" + std::to_string(version); }
  // The layer's torrent name, "NAME-vVERSION": the info dict's name, and the
  // DNS name a node certificate carries for it (SSL torrents).
  std::string torrent_name() const { return name + "-v" + std::to_string(version); }
  static Result<LayerRef> parse(std::string_view text);
  friend bool operator==(const LayerRef&, const LayerRef&) = default;
  friend auto operator<=>(const LayerRef&, const LayerRef&) = default;
};
std::string layer_name_problem(std::string_view name);  // empty when valid

struct Entry {
  std::string path;          // relative, '/'-separated, validated
  EntryType type = EntryType::file;
  uint32_t mode = 0;         // permission bits (07777)
  uint64_t size = 0;         // files only
  Sha256Digest root{};       // files only; all-zero for an empty file
  std::string target;        // symlinks only; stored verbatim, never followed
  uint32_t bin = kNotPacked; // packed files only: index into Manifest::bins
  uint64_t offset = 0;       // packed files only: byte offset inside the (raw) bin
  uint32_t chunks = 0;       // schema 3 chunked files: bins [bin, bin + chunks)
  bool packed() const { return bin != kNotPacked; }
  bool chunked() const { return chunks != 0; }
  friend bool operator==(const Entry&, const Entry&) = default;
};

// One bin of packed small files, or one chunk of a large file (a file of
// the torrent).
struct PackBin {
  uint64_t size = 0;         // wire bytes: 1..kPackBinBytes (schema 2)
  Sha256Digest root{};       // v2 merkle root of the bin's wire bytes
  BinCodec codec = BinCodec::raw;  // schema 3
  uint64_t raw_size = 0;     // schema 3: bytes once decoded
  // The bin's bytes once decoded (members' offsets count in these).
  uint64_t raw_bytes() const { return codec == BinCodec::raw ? size : raw_size; }
  friend bool operator==(const PackBin&, const PackBin&) = default;
};

// "<kPackDirName>/<index>": where bin `index` lives in the torrent and in a
// payload directory.
std::string pack_bin_path(size_t index);
// Where a payload directory holds its bins by default: "<payload_dir>/.bc-pack".
std::string payload_bins_dir(std::string_view payload_dir);
// True for ".bc-pack" and every path below it.
bool is_reserved_pack_path(std::string_view path);

// A file as the torrent (and a payload directory) holds it: an unpacked
// regular file at its manifest path, or a bin at pack_bin_path(i).
struct PayloadFile {
  std::string path;
  uint64_t size = 0;
  Sha256Digest root{};
  uint32_t bin = kNotPacked;  // the bin's index when this is a bin
};

// The packing limits of a schema: files below pack_below_bytes pack into
// bins of at most pack_bin_bytes raw bytes.
uint64_t pack_below_bytes(int schema);
uint64_t pack_bin_bytes(int schema);

struct Manifest {
  // A manifest made in code starts as schema 2 (raw bins); capture makes 3
  // when it compresses (CaptureOptions::compress).
  int schema = kManifestSchemaRawBins;
  std::string name;
  int64_t version = 0;
  LayerKind kind = LayerKind::base;
  std::optional<LayerRef> parent;
  std::string created;       // RFC 3339, UTC
  uint32_t piece_size = kDefaultPieceBytes;
  std::string info_hash;     // 64 hex digits, or empty when the layer has no regular file
  std::map<std::string, std::string> match;  // driver layers: fact name -> glob
  std::vector<Entry> entries;
  std::vector<PackBin> bins;  // schema 2; empty when nothing is packed
  uint32_t chunk_size = 0;    // schema 3: raw bytes of a chunk of a chunked file
  std::string compressor;     // schema 3: compressor_id() of the capturing node

  LayerRef ref() const { return {name, version}; }
  // The torrent's files: unpacked regular files (manifest order), then the
  // bins in index order. Empty files are included (size 0, zero root).
  std::vector<PayloadFile> payload_files() const;
  uint64_t total_file_bytes() const;
  size_t file_count() const;
  const Entry* find(std::string_view path) const;  // binary search; nullptr if absent

  // Checks every invariant in the header comment; invalid_argument naming
  // the first offending entry and why.
  Status validate() const;
  // The canonical bytes (what is signed). REQUIRES: validate().ok()
  std::string encode() const;
  // Parses and validates. Never trusts: the result still needs a signature check.
  static Result<Manifest> decode(std::string_view bytes);
};

// True when every rule in a driver layer's `match` matches the fact of that
// name (fnmatch glob); a missing fact does not match. Non-driver layers match.
bool driver_matches(const Manifest& m, const std::map<std::string, std::string>& facts);

std::string now_rfc3339(int64_t unix_s);

}  // namespace bc
