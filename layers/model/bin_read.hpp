// Reading bins back from a payload or layer directory: the wire bytes
// checked against the manifest before they are decoded, the raw bytes
// checked against the members' (or the chunked file's) raw roots before
// anyone uses them. Memory: one bin (at most max(256 KiB, chunk_size) raw
// plus its wire bytes) at a time.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "layers/model/manifest.hpp"

namespace bc {

// The raw bytes of bin b, read from bins_dir/<b> and checked whole
// (check_bin_bytes). `members` as from bin_members(m)[b].
Status read_bin(const Manifest& m, uint32_t b, const std::vector<size_t>& members, const std::string& bins_dir,
                std::string* raw);

// A chunked file's raw bytes, chunk by chunk in order to `sink`; each
// chunk's bin checked (wire root) and decoded, then the whole file's raw
// merkle root checked against e.root: corruption naming the file. `sink`
// sees unverified-as-a-whole bytes: a caller that must not expose them
// writes them somewhere private and commits only on success.
Status read_chunked_file(const Manifest& m, const Entry& e, const std::string& bins_dir,
                         const std::function<Status(std::span<const uint8_t>)>& sink);

}  // namespace bc
