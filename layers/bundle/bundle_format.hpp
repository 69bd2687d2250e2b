// The portable bundle file: one layer's signed metadata plus only the bytes a
// holder of named parent layers lacks, so a layer can travel on a disk
// (docs/architecture.md "Portable bundles"). All integers little-endian.
//
//   "BCBUNDLE"  u32 format version  u32 flags (0)
//   u64 n, n bytes   meta: JSON {"layer": "NAME@V", "info_hash": "<hex>",
//                          "against": ["NAME@V", ...]} (what the header claims)
//   u64 n, n bytes   the manifest's exact signed bytes
//   64 bytes         the Ed25519 signature over them
//   u64 n, n bytes   the layer's torrent
//   u64 count        table entries, one per torrent file, then for each:
//     u32 n, n bytes   the file's payload path as the torrent names it
//     u8 kind          held | whole | pieces | assembled (BundleKind)
//     u64 size         the file's size (must equal the torrent's)
//     u64 data_bytes   bytes of this file carried in the data section
//     u32 k, k * u32   pieces only: the piece indexes carried, ascending
//   data             the carried bytes, in table order (pieces in order)
//   32 bytes         SHA-256 of every byte before it
//
// The table comes before the data so an importer knows every size (and so
// the whole file's size) before it writes a byte. Entries are in terms of the
// torrent's files (unpacked files and bins alike), never of manifest members.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "layers/model/manifest.hpp"
#include "layers/util/status.hpp"

namespace bc {

inline constexpr std::string_view kBundleMagic = "BCBUNDLE";
inline constexpr uint32_t kBundleFormatVersion = 1;
inline constexpr size_t kMaxBundleMetaBytes = 64 * 1024;
inline constexpr size_t kMaxBundleAgainst = 64;  // parent layers named by one bundle
inline constexpr size_t kBundleTrailerBytes = 32;

enum class BundleKind : uint8_t {
  held = 0,    // no bytes: a holder of the parents has a file with this root
  whole = 1,   // every byte of the file
  pieces = 2,  // only the listed pieces; the rest are held (same piece hashes)
  // No bytes: the importer's prepare_payload builds it from content it holds
  // (a bin of packed files whose members the parents hold in other bins).
  assembled = 3,
};
const char* to_string(BundleKind k);

struct BundleEntry {
  std::string path;
  BundleKind kind = BundleKind::whole;
  uint64_t size = 0;
  uint64_t data_bytes = 0;
  std::vector<uint32_t> pieces;  // kind == pieces only
};

struct BundleMeta {
  LayerRef layer;
  std::string info_hash;
  std::vector<LayerRef> against;
};

std::string encode_bundle_meta(const BundleMeta& m);
// invalid_argument/corruption naming the field.
Result<BundleMeta> decode_bundle_meta(std::string_view bytes);

// Little-endian appenders used by the writer.
void put_u8(std::string& out, uint8_t v);
void put_u32(std::string& out, uint32_t v);
void put_u64(std::string& out, uint64_t v);
void put_bytes(std::string& out, std::string_view bytes);  // u64 length + bytes
std::string encode_bundle_entry(const BundleEntry& e);

// The bytes of piece `index` of a file of `size` bytes.
uint64_t piece_length(uint64_t size, uint32_t piece_bytes, uint32_t index);

}  // namespace bc
