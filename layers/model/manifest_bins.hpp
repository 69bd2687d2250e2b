// The bins part of the manifest encoding (layers/model/manifest.hpp): the
// "bins" array and, in schema 3, "chunk_size" and "compressor"; and the
// checks that bins and their members fit together. Internal to bc_model.
#pragma once

#include <nlohmann/json.hpp>

#include "layers/model/manifest.hpp"

namespace bc {

void encode_bins(const Manifest& m, nlohmann::json& j);
Status decode_bins(const nlohmann::json& j, Manifest& m);
// Bins and their members (header comment of manifest.hpp): every bin has
// members that tile its raw bytes exactly in manifest order; small members
// are small non-empty files; a chunked file is the only member of each of
// its bins.
Status validate_packing(const Manifest& m);
// o["root"] as a digest: 64 hex digits, else invalid_argument naming `where`.
// (manifest.cpp; entries and bins share it)
Result<Sha256Digest> decode_root(const nlohmann::json& o, const std::string& where);

}  // namespace bc
