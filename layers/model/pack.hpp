// Packing small files into bins (docs/architecture.md "Packing small files").
// Pure: manifests and bytes in, decisions out; no files.
//
// BitTorrent v2 aligns every file to a piece, and libtorrent 2.0.8 sends a
// file's last block as a whole 16 KiB block, padding included: a 4 KiB file
// costs 16 KiB on the wire. Files below kPackBelowBytes are therefore packed
// into bins of at most kPackBinBytes (one block), each bin one file of the
// torrent, so they stop wasting blocks while keeping v2's root-based dedup
// (an unchanged bin has an unchanged root).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc {

// A bin also ends after a file whose path hash is 0 modulo this (a cut
// defined by names), so inserting, removing or resizing a small file re-packs
// bins only up to the next cut (expected 128 small files), not to the end of
// the layer; a node holding the old version assembles those re-packed bins
// from their members (prepare_payload) instead of fetching them. Every cut
// leaves its bin short: with 4 KiB files, 1/32 cost 5.5% more bytes on the
// wire than the content, 1/128 about 1% (docs/benchmarks.md).
inline constexpr uint64_t kPackCutOneIn = 128;

// True for the files assign_bins packs: regular, 1..pack_below_bytes(schema)-1 bytes.
bool packable(const Entry& e, int schema = kManifestSchemaRawBins);

// True when a bin ends after the file at `path` whatever follows.
bool pack_cut_after(std::string_view path);

// Assigns every packable file of `m` to a bin, greedily in manifest order:
// a bin ends when the next packable file would overflow kPackBinBytes or
// after a cut (pack_cut_after). Sets Entry::bin/offset and m.bins (sizes;
// roots zero: the caller hashes the bins). Replaces any previous packing.
//
// With `parent` (the previous version's manifest): each parent bin whose
// members are all in `m` unchanged (path, size, root) is kept as it was, so
// it keeps its root and nobody fetches it again; the other small files are
// packed in two runs, first those whose content the parent holds anywhere
// (neighbours of a changed file: a node holding the parent assembles their
// bins from its own copies), then the new ones, so a version that rewrites
// small files moves bins of new content only, not a 16 KiB block per file.
// The limits are those of m.schema (2: 16 KiB; 3: 256 KiB); a parent of
// another schema has its contents counted as held, its bins are not kept.
// Raw sizes only: in schema 3 the caller encodes the bins (hash_bins).
// REQUIRES: m.schema >= 2; parent, if given, validated.
void assign_bins(Manifest& m, const Manifest* parent = nullptr);

// Schema 3: makes entry i (a large file, not packed) a chunked file: appends
// one bin per m.chunk_size raw bytes (sizes raw, roots zero: the caller
// encodes and hashes them). REQUIRES: m.chunk_size set.
void chunk_file(Manifest& m, size_t i);

// The manifest indexes of bin b's members, in manifest (= offset) order, for
// every bin (a chunked file is the one member of each of its bins).
// REQUIRES: m.validate().ok().
std::vector<std::vector<size_t>> bin_members(const Manifest& m);

// Checks the wire bytes of bin b: size and merkle root against the
// manifest, then decodes them (bounded by the signed raw_size) and checks
// every small member's slice against the member's size and root (a chunk's
// file is checked whole by its reader). corruption naming the bin or the
// member. `members` as from bin_members(m)[b]. The raw bytes go to raw_out.
Status check_bin_bytes(const Manifest& m, uint32_t b, const std::vector<size_t>& members,
                       std::span<const uint8_t> wire, std::string* raw_out = nullptr);
// Only the wire size and merkle root of bin b.
Status check_bin_wire(const Manifest& m, uint32_t b, std::span<const uint8_t> wire);

// The v2 merkle root of a file held in memory (at most a few blocks).
Sha256Digest small_file_root(std::span<const uint8_t> bytes, uint32_t piece_bytes);

}  // namespace bc
