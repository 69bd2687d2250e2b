#include "layers/model/manifest.hpp"

#include "layers/model/manifest_bins.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"
#include "layers/util/json.hpp"

namespace bc {

using nlohmann::json;

const char* to_string(LayerKind k) {
  switch (k) {
    case LayerKind::base: return "base";
    case LayerKind::app: return "app";
    case LayerKind::driver: return "driver";
  }
  return "?";
}

const char* to_string(EntryType t) {
  switch (t) {
    case EntryType::file: return "file";
    case EntryType::dir: return "dir";
    case EntryType::symlink: return "symlink";
  }
  return "?";
}

std::optional<LayerKind> parse_layer_kind(std::string_view s) {
  if (s == "base") return LayerKind::base;
  if (s == "app") return LayerKind::app;
  if (s == "driver") return LayerKind::driver;
  return std::nullopt;
}

static std::optional<EntryType> parse_entry_type(std::string_view s) {
  if (s == "file") return EntryType::file;
  if (s == "dir") return EntryType::dir;
  if (s == "symlink") return EntryType::symlink;
  return std::nullopt;
}

std::string layer_name_problem(std::string_view name) {
  if (name.empty()) return "layer name is empty";
  if (name.size() > 64) return "layer name is longer than 64 characters";
  auto ok_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok_first(name[0])) return "layer name must start with a lower-case letter or digit";
  for (char c : name)
    if (!ok_first(c) && c != '.' && c != '_' && c != '-')
      return "layer name may hold only a-z, 0-9, '.', '_' and '-'";
  return {};
}

Result<LayerRef> LayerRef::parse(std::string_view text) {
  size_t at = text.rfind('@');
  if (at == std::string_view::npos)
    return Status::invalid_argument("layer reference '" + printable(text) + "' is not NAME@VERSION");
  LayerRef r{std::string(text.substr(0, at)), 0};
  if (auto p = layer_name_problem(r.name); !p.empty()) return Status::invalid_argument(p);
  std::string_view v = text.substr(at + 1);
  if (v.empty() || v.size() > 10 || !std::all_of(v.begin(), v.end(), ::isdigit))
    return Status::invalid_argument("layer version '" + printable(v) + "' is not a number");
  r.version = std::stoll(std::string(v));
  if (r.version < 1 || r.version > INT32_MAX)
    return Status::invalid_argument("layer version must be between 1 and 2147483647");
  return r;
}

uint64_t Manifest::total_file_bytes() const {
  uint64_t n = 0;
  for (const auto& e : entries)
    if (e.type == EntryType::file) n += e.size;
  return n;
}

std::string pack_bin_path(size_t index) {
  return std::string(kPackDirName) + "/" + std::to_string(index);
}

std::string payload_bins_dir(std::string_view payload_dir) {
  return std::string(payload_dir) + "/" + std::string(kPackDirName);
}

bool is_reserved_pack_path(std::string_view path) {
  return path.substr(0, kPackDirName.size()) == kPackDirName &&
         (path.size() == kPackDirName.size() || path[kPackDirName.size()] == '/');
}

std::vector<PayloadFile> Manifest::payload_files() const {
  std::vector<PayloadFile> out;
  for (const auto& e : entries)
    if (e.type == EntryType::file && !e.packed()) out.push_back({e.path, e.size, e.root, kNotPacked});
  for (size_t i = 0; i < bins.size(); ++i)
    out.push_back({pack_bin_path(i), bins[i].size, bins[i].root, uint32_t(i)});
  return out;
}

size_t Manifest::file_count() const {
  return std::count_if(entries.begin(), entries.end(),
                       [](const Entry& e) { return e.type == EntryType::file; });
}

const Entry* Manifest::find(std::string_view path) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), path,
                             [](const Entry& e, std::string_view p) { return e.path < p; });
  return it != entries.end() && it->path == path ? &*it : nullptr;
}

static Status schema_supported(int64_t schema) {
  if (schema >= kManifestSchemaUnpacked && schema <= kManifestSchema) return Status();
  return Status::unsupported("manifest schema " + std::to_string(schema) + " (this build reads 1 to " +
                             std::to_string(kManifestSchema) + "; upgrade this node)");
}

Status Manifest::validate() const {
  BC_RETURN_IF_ERROR(schema_supported(schema));
  if (auto p = layer_name_problem(name); !p.empty()) return Status::invalid_argument(p);
  if (version < 1 || version > INT32_MAX) return Status::invalid_argument("version out of range");
  if (parent) {
    if (auto p = layer_name_problem(parent->name); !p.empty())
      return Status::invalid_argument("parent: " + p);
    if (parent->version < 1 || parent->version > INT32_MAX)
      return Status::invalid_argument("parent: version out of range");
  }
  if (piece_size < kMerkleBlockBytes || (piece_size & (piece_size - 1)) != 0 ||
      piece_size > (64u << 20))
    return Status::invalid_argument("piece_size " + std::to_string(piece_size) +
                                    " is not a power of two in [16 KiB, 64 MiB]");
  const bool has_files = std::any_of(entries.begin(), entries.end(),
                                     [](const Entry& e) { return e.type == EntryType::file; });
  if (has_files && (info_hash.size() != 64 || !from_hex(info_hash)))
    return Status::invalid_argument("info_hash must be 64 hex digits");
  if (!has_files && !info_hash.empty())
    return Status::invalid_argument("info_hash must be empty for a layer without files");
  if (kind != LayerKind::driver && !match.empty())
    return Status::invalid_argument("only driver layers carry a match rule");
  if (match.size() > kMaxMatchRules) return Status::invalid_argument("too many match rules");
  for (const auto& [k, v] : match)
    if (k.empty() || k.size() > 64 || v.size() > 256 || !is_valid_utf8(k) || !is_valid_utf8(v))
      return Status::invalid_argument("match rule '" + printable(k) + "' is malformed");
  if (entries.size() > kMaxManifestEntries)
    return Status::invalid_argument("more than " + std::to_string(kMaxManifestEntries) + " entries");
  // Paths first, so the parent look-ups below can binary-search.
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    std::string where = "entry " + std::to_string(i) + " ('" + printable(e.path) + "')";
    if (auto why = unsafe_path_reason(e.path); !why.empty())
      return Status::invalid_argument(where + ": " + why);
    if (is_reserved_pack_path(e.path))
      return Status::invalid_argument(where + ": the top-level name '" + std::string(kPackDirName) +
                                      "' is reserved for bins of packed files");
    if (i > 0 && !(entries[i - 1].path < e.path))
      return Status::invalid_argument(where + (entries[i - 1].path == e.path
                                                   ? ": duplicate path"
                                                   : ": entries are not sorted by path"));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    std::string where = "entry " + std::to_string(i) + " ('" + printable(e.path) + "')";
    if (e.mode > 07777) return Status::invalid_argument(where + ": mode has bits beyond 07777");
    if (e.type == EntryType::file && e.size > kMaxFileBytes)
      return Status::invalid_argument(where + ": size exceeds 16 TiB");
    if (e.type == EntryType::file && (e.size == 0) != is_zero(e.root))
      return Status::invalid_argument(where + ": root must be zero exactly when the file is empty");
    if (e.type != EntryType::file && (e.size != 0 || !is_zero(e.root)))
      return Status::invalid_argument(where + ": only files have a size and root");
    if (e.type == EntryType::symlink &&
        (e.target.empty() || e.target.size() > kMaxSymlinkTargetBytes ||
         e.target.find('\0') != std::string::npos || !is_valid_utf8(e.target)))
      return Status::invalid_argument(where + ": symlink target is empty, too long or not UTF-8");
    if (e.type != EntryType::symlink && !e.target.empty())
      return Status::invalid_argument(where + ": only symlinks have a target");
    size_t slash = e.path.rfind('/');
    if (slash != std::string::npos) {
      const Entry* parent_entry = find(std::string_view(e.path).substr(0, slash));
      if (!parent_entry || parent_entry->type != EntryType::dir)
        return Status::invalid_argument(where + ": parent directory is not a dir entry");
    }
  }
  return validate_packing(*this);
}

std::string Manifest::encode() const {
  json j = json::object();
  j["schema"] = schema;
  j["name"] = name;
  j["version"] = version;
  j["kind"] = to_string(kind);
  j["parent"] = parent ? json{{"name", parent->name}, {"version", parent->version}} : json(nullptr);
  j["created"] = created;
  j["piece_size"] = piece_size;
  j["info_hash"] = info_hash;
  if (!match.empty()) j["match"] = match;
  json arr = json::array();
  for (const auto& e : entries) {
    json o{{"path", e.path}, {"type", to_string(e.type)}};
    if (e.type != EntryType::symlink) o["mode"] = e.mode;
    if (e.type == EntryType::file) {
      o["size"] = e.size;
      o["root"] = to_hex(e.root);
      if (e.packed()) {
        o["bin"] = e.bin;
        o["offset"] = e.offset;
        if (e.chunked()) o["chunks"] = e.chunks;
      }
    }
    if (e.type == EntryType::symlink) o["target"] = e.target;
    arr.push_back(std::move(o));
  }
  j["entries"] = std::move(arr);
  if (schema != kManifestSchemaUnpacked) encode_bins(*this, j);
  return j.dump(1) + "\n";
}

Result<Sha256Digest> decode_root(const json& o, const std::string& where) {
  BC_ASSIGN_OR_RETURN(std::string root, json_string(o, "root", where, 64));
  auto bytes = from_hex(root);
  if (!bytes || bytes->size() != 32) return Status::invalid_argument(where + ": root must be 64 hex digits");
  Sha256Digest d;
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

static Result<Entry> decode_entry(const json& o, size_t i, int schema) {
  std::string where = "entry " + std::to_string(i);
  if (!o.is_object()) return Status::invalid_argument(where + ": not an object");
  Entry e;
  BC_ASSIGN_OR_RETURN(e.path, json_string(o, "path", where, kMaxPathBytes));
  where += " ('" + printable(e.path) + "')";
  BC_ASSIGN_OR_RETURN(std::string type, json_string(o, "type", where, 16));
  auto t = parse_entry_type(type);
  if (!t) return Status::invalid_argument(where + ": unknown type '" + printable(type) + "'");
  e.type = *t;
  if (e.type != EntryType::symlink) {
    BC_ASSIGN_OR_RETURN(int64_t mode, json_int(o, "mode", where, 0, 07777));
    e.mode = uint32_t(mode);
  }
  if (e.type == EntryType::file) {
    BC_ASSIGN_OR_RETURN(int64_t size, json_int(o, "size", where, 0, int64_t(kMaxFileBytes)));
    e.size = uint64_t(size);
    BC_ASSIGN_OR_RETURN(e.root, decode_root(o, where));
    if (o.contains("bin") || o.contains("offset")) {
      if (schema == kManifestSchemaUnpacked)
        return Status::invalid_argument(where + ": schema 1 has no packed files");
      BC_ASSIGN_OR_RETURN(int64_t bin, json_int(o, "bin", where, 0, int64_t(kMaxManifestBins)));
      BC_ASSIGN_OR_RETURN(int64_t off, json_int(o, "offset", where, 0, int64_t(pack_bin_bytes(schema))));
      e.bin = uint32_t(bin);
      e.offset = uint64_t(off);
      if (o.contains("chunks")) {
        if (schema < kManifestSchema) return Status::invalid_argument(where + ": chunked files need schema 3");
        BC_ASSIGN_OR_RETURN(int64_t n, json_int(o, "chunks", where, 1, int64_t(kMaxManifestBins)));
        e.chunks = uint32_t(n);
      }
    }
  }
  if (e.type == EntryType::symlink) {
    BC_ASSIGN_OR_RETURN(e.target, json_string(o, "target", where, kMaxSymlinkTargetBytes));
  }
  return e;
}

Result<Manifest> Manifest::decode(std::string_view bytes) {
  BC_ASSIGN_OR_RETURN(json j, parse_json(bytes, JsonLimits{kMaxManifestBytes, 8}));
  if (!j.is_object()) return Status::invalid_argument("manifest is not a JSON object");
  Manifest m;
  BC_ASSIGN_OR_RETURN(int64_t schema, json_int(j, "schema", "manifest", 0, 1000));
  m.schema = int(schema);
  BC_RETURN_IF_ERROR(schema_supported(schema));
  BC_ASSIGN_OR_RETURN(m.name, json_string(j, "name", "manifest", 64));
  BC_ASSIGN_OR_RETURN(m.version, json_int(j, "version", "manifest", 1, INT32_MAX));
  BC_ASSIGN_OR_RETURN(std::string kind, json_string(j, "kind", "manifest", 16));
  auto k = parse_layer_kind(kind);
  if (!k) return Status::invalid_argument("manifest: unknown kind '" + printable(kind) + "'");
  m.kind = *k;
  if (auto p = j.find("parent"); p != j.end() && !p->is_null()) {
    if (!p->is_object()) return Status::invalid_argument("manifest: parent must be an object or null");
    LayerRef r;
    BC_ASSIGN_OR_RETURN(r.name, json_string(*p, "name", "parent", 64));
    BC_ASSIGN_OR_RETURN(r.version, json_int(*p, "version", "parent", 1, INT32_MAX));
    m.parent = r;
  }
  BC_ASSIGN_OR_RETURN(m.created, json_string(j, "created", "manifest", 64));
  BC_ASSIGN_OR_RETURN(int64_t piece, json_int(j, "piece_size", "manifest", 1, 1 << 30));
  m.piece_size = uint32_t(piece);
  BC_ASSIGN_OR_RETURN(m.info_hash, json_string(j, "info_hash", "manifest", 64));
  if (auto mt = j.find("match"); mt != j.end()) {
    if (!mt->is_object() || mt->size() > kMaxMatchRules)
      return Status::invalid_argument("manifest: match must be an object of at most 32 rules");
    for (auto it = mt->begin(); it != mt->end(); ++it) {
      if (!it.value().is_string())
        return Status::invalid_argument("manifest: match rule '" + printable(it.key()) +
                                        "' must be a string");
      m.match[it.key()] = it.value().get<std::string>();
    }
  }
  auto ents = j.find("entries");
  if (ents == j.end() || !ents->is_array())
    return Status::invalid_argument("manifest: entries must be an array");
  if (ents->size() > kMaxManifestEntries)
    return Status::invalid_argument("manifest: more than " + std::to_string(kMaxManifestEntries) +
                                    " entries");
  m.entries.reserve(ents->size());
  for (size_t i = 0; i < ents->size(); ++i) {
    BC_ASSIGN_OR_RETURN(Entry e, decode_entry((*ents)[i], i, m.schema));
    m.entries.push_back(std::move(e));
  }
  BC_RETURN_IF_ERROR(decode_bins(j, m));
  BC_RETURN_IF_ERROR(m.validate());
  return m;
}

bool driver_matches(const Manifest& m, const std::map<std::string, std::string>& facts) {
  if (m.kind != LayerKind::driver) return true;
  for (const auto& [key, glob] : m.match) {
    auto it = facts.find(key);
    if (it == facts.end() || ::fnmatch(glob.c_str(), it->second.c_str(), 0) != 0) return false;
  }
  return true;
}

std::string now_rfc3339(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace bc
