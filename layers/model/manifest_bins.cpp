#include "layers/model/manifest_bins.hpp"

#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"
#include "layers/util/json.hpp"

namespace bc {

using nlohmann::json;

uint64_t pack_below_bytes(int schema) { return schema >= kManifestSchema ? kPackBelowBytesV3 : kPackBelowBytes; }
uint64_t pack_bin_bytes(int schema) { return schema >= kManifestSchema ? kPackBinBytesV3 : kPackBinBytes; }

void encode_bins(const Manifest& m, json& j) {
  const bool v3 = m.schema >= kManifestSchema;
  json arr = json::array();
  for (const auto& b : m.bins) {
    json o{{"size", b.size}, {"root", to_hex(b.root)}};
    if (v3) {
      o["codec"] = to_string(b.codec);
      o["raw_size"] = b.raw_size;
    }
    arr.push_back(std::move(o));
  }
  j["bins"] = std::move(arr);
  if (v3) {
    j["chunk_size"] = m.chunk_size;
    j["compressor"] = m.compressor;
  }
}

static Result<PackBin> decode_bin_entry(const json& o, size_t b, int schema) {
  std::string where = "bin " + std::to_string(b);
  if (!o.is_object()) return Status::invalid_argument(where + ": not an object");
  const bool v3 = schema >= kManifestSchema;
  PackBin pb;
  const int64_t max_size = v3 ? int64_t(kMaxFileBytes) : int64_t(kPackBinBytes);
  BC_ASSIGN_OR_RETURN(int64_t size, json_int(o, "size", where, 1, max_size));
  pb.size = uint64_t(size);
  BC_ASSIGN_OR_RETURN(pb.root, decode_root(o, where));
  if (!v3) return pb;
  BC_ASSIGN_OR_RETURN(std::string codec, json_string(o, "codec", where, 16));
  if (!parse_bin_codec(codec, &pb.codec))
    return Status::invalid_argument(where + ": unknown codec '" + printable(codec) + "' (raw or zstd)");
  BC_ASSIGN_OR_RETURN(int64_t raw, json_int(o, "raw_size", where, 1, int64_t(kMaxFileBytes)));
  pb.raw_size = uint64_t(raw);
  return pb;
}

Status decode_bins(const json& j, Manifest& m) {
  auto bins = j.find("bins");
  if (bins == j.end()) {
    if (m.schema != kManifestSchemaUnpacked)
      return Status::invalid_argument("manifest: schema " + std::to_string(m.schema) + " needs a bins array");
    return Status();
  }
  if (m.schema == kManifestSchemaUnpacked) return Status::invalid_argument("manifest: schema 1 has no bins");
  if (!bins->is_array() || bins->size() > kMaxManifestBins)
    return Status::invalid_argument("manifest: bins must be an array of at most " +
                                    std::to_string(kMaxManifestBins) + " bins");
  m.bins.reserve(bins->size());
  for (size_t b = 0; b < bins->size(); ++b) {
    BC_ASSIGN_OR_RETURN(PackBin pb, decode_bin_entry((*bins)[b], b, m.schema));
    m.bins.push_back(pb);
  }
  if (m.schema >= kManifestSchema) {
    BC_ASSIGN_OR_RETURN(int64_t chunk, json_int(j, "chunk_size", "manifest", 1, 1 << 30));
    m.chunk_size = uint32_t(chunk);
    BC_ASSIGN_OR_RETURN(m.compressor, json_string(j, "compressor", "manifest", 64));
  }
  return Status();
}

static Status validate_bin(const Manifest& m, size_t b) {
  const PackBin& bin = m.bins[b];
  const std::string where = "bin " + std::to_string(b);
  const bool v3 = m.schema >= kManifestSchema;
  const uint64_t max_raw = v3 ? std::max<uint64_t>(kPackBinBytesV3, m.chunk_size) : kPackBinBytes;
  if (bin.size == 0 || is_zero(bin.root))
    return Status::invalid_argument(where + ": size must be at least 1 byte with a non-zero root");
  if (!v3 && bin.codec != BinCodec::raw) return Status::invalid_argument(where + ": schema 2 bins are raw");
  if (v3 && bin.codec == BinCodec::raw && bin.raw_size != bin.size)
    return Status::invalid_argument(where + ": a raw bin's raw_size must be its size");
  if (bin.codec == BinCodec::zstd && bin.size >= bin.raw_size)
    return Status::invalid_argument(where + ": a zstd bin must be smaller than its raw_size");
  if (bin.raw_bytes() == 0 || bin.raw_bytes() > max_raw)
    return Status::invalid_argument(where + ": " + std::to_string(bin.raw_bytes()) +
                                    " raw bytes; a bin holds 1.." + std::to_string(max_raw));
  return Status();
}

// A chunked file's chunk k is the only member of bin e.bin + k: marks
// next[] as full for each, so the tiling checks catch any other member.
static Status place_chunks(const Manifest& m, const Entry& e, const std::string& where,
                           std::vector<uint64_t>& next) {
  if (m.schema < kManifestSchema) return Status::invalid_argument(where + ": chunked files need schema 3");
  if (e.size < pack_below_bytes(m.schema) || e.offset != 0)
    return Status::invalid_argument(where + ": a chunked file is at least " +
                                    std::to_string(pack_below_bytes(m.schema)) + " bytes, at offset 0");
  const uint64_t want = (e.size + m.chunk_size - 1) / m.chunk_size;
  if (e.chunks != want)
    return Status::invalid_argument(where + ": " + std::to_string(e.chunks) + " chunks, its size needs " +
                                    std::to_string(want));
  if (e.bin >= m.bins.size() || e.chunks > m.bins.size() - e.bin)
    return Status::invalid_argument(where + ": its chunks' bins run past the last bin");
  for (uint64_t k = 0; k < e.chunks; ++k) {
    const size_t b = e.bin + k;
    if (next[b] != 0) return Status::invalid_argument(where + ": bin " + std::to_string(b) + " has another member");
    next[b] = std::min<uint64_t>(m.chunk_size, e.size - k * m.chunk_size);
  }
  return Status();
}

static Status place_member(const Manifest& m, const Entry& e, const std::string& where,
                           std::vector<uint64_t>& next) {
  const uint64_t below = pack_below_bytes(m.schema);
  if (e.size == 0 || e.size >= below)
    return Status::invalid_argument(where + ": a packed file must be 1.." + std::to_string(below - 1) + " bytes");
  if (e.bin >= m.bins.size())
    return Status::invalid_argument(where + ": bin " + std::to_string(e.bin) + " does not exist (" +
                                    std::to_string(m.bins.size()) + " bins)");
  const uint64_t bin_size = m.bins[e.bin].raw_bytes();
  if (e.offset > bin_size || e.size > bin_size - e.offset)
    return Status::invalid_argument(where + ": bytes " + std::to_string(e.offset) + ".." +
                                    std::to_string(e.offset + e.size) + " lie outside bin " +
                                    std::to_string(e.bin) + " (" + std::to_string(bin_size) + " bytes)");
  if (e.offset < next[e.bin])
    return Status::invalid_argument(where + ": overlaps the previous member of bin " + std::to_string(e.bin));
  if (e.offset > next[e.bin])
    return Status::invalid_argument(where + ": leaves a gap in bin " + std::to_string(e.bin) +
                                    " (members start where the previous one ended)");
  next[e.bin] = e.offset + e.size;
  return Status();
}

Status validate_packing(const Manifest& m) {
  if (m.schema == kManifestSchemaUnpacked && !m.bins.empty())
    return Status::invalid_argument("a schema 1 manifest has no bins");
  const bool v3 = m.schema >= kManifestSchema;
  if (!v3 && m.bins.size() > m.entries.size()) return Status::invalid_argument("more bins than entries");
  if (v3 && (m.chunk_size < kMerkleBlockBytes || (m.chunk_size & (m.chunk_size - 1)) != 0 ||
             m.chunk_size > (16u << 20)))
    return Status::invalid_argument("chunk_size " + std::to_string(m.chunk_size) +
                                    " is not a power of two in [16 KiB, 16 MiB]");
  if (v3 && (m.compressor.empty() || !is_valid_utf8(m.compressor)))
    return Status::invalid_argument("a schema 3 manifest names its compressor");
  for (size_t b = 0; b < m.bins.size(); ++b) BC_RETURN_IF_ERROR(validate_bin(m, b));
  std::vector<uint64_t> next(m.bins.size(), 0);  // where each bin's next member must start
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    const std::string where = "entry " + std::to_string(i) + " ('" + printable(e.path) + "')";
    if (!e.packed()) {
      if (e.offset != 0 || e.chunks != 0)
        return Status::invalid_argument(where + ": offset or chunks without a bin");
      continue;
    }
    if (e.type != EntryType::file) return Status::invalid_argument(where + ": only files can be packed");
    BC_RETURN_IF_ERROR(e.chunked() ? place_chunks(m, e, where, next) : place_member(m, e, where, next));
  }
  for (size_t b = 0; b < m.bins.size(); ++b)
    if (next[b] != m.bins[b].raw_bytes())
      return Status::invalid_argument("bin " + std::to_string(b) + ": its members fill " +
                                      std::to_string(next[b]) + " of its " +
                                      std::to_string(m.bins[b].raw_bytes()) + " bytes");
  return Status();
}

}  // namespace bc
