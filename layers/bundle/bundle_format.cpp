#include "layers/bundle/bundle_format.hpp"

#include <nlohmann/json.hpp>

namespace bc {

using json = nlohmann::json;

const char* to_string(BundleKind k) {
  switch (k) {
    case BundleKind::held: return "held";
    case BundleKind::whole: return "whole";
    case BundleKind::pieces: return "pieces";
    case BundleKind::assembled: return "assembled";
  }
  return "?";
}

std::string encode_bundle_meta(const BundleMeta& m) {
  json j;
  j["layer"] = m.layer.to_string();
  j["info_hash"] = m.info_hash;
  j["against"] = json::array();
  for (const auto& a : m.against) j["against"].push_back(a.to_string());
  return j.dump();
}

Result<BundleMeta> decode_bundle_meta(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::corruption("bundle header: meta is not a JSON object");
  BundleMeta m;
  if (!j.contains("layer") || !j["layer"].is_string())
    return Status::corruption("bundle header: meta has no \"layer\"");
  BC_ASSIGN_OR_RETURN(m.layer, LayerRef::parse(j["layer"].get<std::string>()));
  if (j.contains("info_hash") && j["info_hash"].is_string()) m.info_hash = j["info_hash"].get<std::string>();
  if (j.contains("against")) {
    if (!j["against"].is_array() || j["against"].size() > kMaxBundleAgainst)
      return Status::corruption("bundle header: \"against\" is not a list of at most " +
                                std::to_string(kMaxBundleAgainst) + " layers");
    for (const auto& a : j["against"]) {
      if (!a.is_string()) return Status::corruption("bundle header: \"against\" holds a non-string");
      BC_ASSIGN_OR_RETURN(LayerRef r, LayerRef::parse(a.get<std::string>()));
      m.against.push_back(std::move(r));
    }
  }
  return m;
}

void put_u8(std::string& out, uint8_t v) { out.push_back(char(v)); }
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}
void put_bytes(std::string& out, std::string_view bytes) {
  put_u64(out, bytes.size());
  out.append(bytes);
}

std::string encode_bundle_entry(const BundleEntry& e) {
  std::string out;
  put_u32(out, uint32_t(e.path.size()));
  out.append(e.path);
  put_u8(out, uint8_t(e.kind));
  put_u64(out, e.size);
  put_u64(out, e.data_bytes);
  if (e.kind == BundleKind::pieces) {
    put_u32(out, uint32_t(e.pieces.size()));
    for (uint32_t p : e.pieces) put_u32(out, p);
  }
  return out;
}

uint64_t piece_length(uint64_t size, uint32_t piece_bytes, uint32_t index) {
  uint64_t start = uint64_t(index) * piece_bytes;
  if (start >= size) return 0;
  return std::min<uint64_t>(piece_bytes, size - start);
}

}  // namespace bc
