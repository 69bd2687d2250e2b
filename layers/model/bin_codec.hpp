// How a bin's bytes travel (docs/architecture.md "Compression on the wire").
// Pure: bytes in, bytes out; no files.
//
// A schema 3 bin is either stored raw or as one zstd frame made with pinned
// parameters (level kBinZstdLevel, content size in the frame header, no
// checksum, no dictionary id, single-threaded). The same raw bytes therefore
// give the same wire bytes, hence the same bin root, on every node running
// the same libzstd: dedup of bins across layers and versions rests on that.
// The merkle tree of the wire bytes is the integrity check (the frame's own
// checksum would be a second, weaker one).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc {

enum class BinCodec { raw, zstd };

inline constexpr int kBinZstdLevel = 3;
// The large-file sample test's level: cheap, so incompressible files cost little.
inline constexpr int kSampleZstdLevel = 1;
// A unit (bin or large file) that saves less than this many percent is stored raw.
inline constexpr uint64_t kMinSavingPercent = 3;

const char* to_string(BinCodec c);
bool parse_bin_codec(std::string_view s, BinCodec* out);

// "zstd-<libzstd version>-l<level>": what the manifest records as its
// compressor. Two nodes with the same id compress the same raw bytes to the
// same wire bytes.
std::string compressor_id();

// The pinned frame of `raw`. Deterministic for a given compressor_id().
std::string compress_bin(std::span<const uint8_t> raw);

// True when `wire` bytes for `raw` bytes save at least kMinSavingPercent.
bool saves_enough(uint64_t raw, uint64_t wire);

// True when `sample` (the first bytes of a large file) compresses at
// kSampleZstdLevel by at least kMinSavingPercent.
bool sample_compresses(std::span<const uint8_t> sample);

// The raw bytes of a bin from its wire bytes. For zstd: exactly one frame
// whose header states `raw_size` and whose output is exactly `raw_size`
// bytes; anything else is corruption naming `what`. Never allocates more
// than raw_size. For raw: the bytes themselves (size must be raw_size).
Status decode_bin(BinCodec codec, uint64_t raw_size, std::span<const uint8_t> wire, std::string* raw,
                  const std::string& what);

}  // namespace bc
