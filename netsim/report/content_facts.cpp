#include "netsim/report/content_facts.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <unordered_set>

#include "netsim/report/kumar_ross.hpp"

namespace bc::netsim {

namespace {

using json = nlohmann::json;
using IdSet = std::unordered_set<std::uint64_t>;

std::string hex16(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool parse_hex16(const json& j, std::uint64_t* out) {
  if (!j.is_string()) return false;
  const std::string& s = j.get_ref<const std::string&>();
  if (s.size() != 16) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<std::uint64_t>(d);
  }
  *out = v;
  return true;
}

// A piece's identity with its piece size in it: pieces match only at equal
// piece sizes (the content index keys them so too).
std::uint64_t piece_key(std::uint64_t hash, std::uint32_t piece_bytes) {
  return hash ^ (static_cast<std::uint64_t>(piece_bytes) * 0x9e3779b97f4a7c15ull);
}

json units_json(const std::vector<ContentUnit>& units) {
  json a = json::array();
  for (const ContentUnit& u : units) {
    json o = {{"path", u.path}, {"size", u.size}, {"id", hex16(u.id)}};
    if (!u.pieces.empty()) {
      json p = json::array();
      for (std::uint64_t h : u.pieces) p.push_back(hex16(h));
      o["pieces"] = std::move(p);
    }
    if (!u.members.empty()) {
      json m = json::array();
      for (std::uint64_t h : u.members) m.push_back(hex16(h));
      o["members"] = std::move(m);
    }
    a.push_back(std::move(o));
  }
  return a;
}

Status ids_from(const json& o, const char* key, const std::string& at, std::vector<std::uint64_t>* out) {
  if (!o.contains(key)) return Status();
  const json& a = o[key];
  if (!a.is_array() || a.size() > kMaxUnitPieces)
    return Status::invalid_argument(at + "." + key + ": must be an array of up to 4194304 ids");
  out->resize(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!parse_hex16(a[i], &(*out)[i])) return Status::invalid_argument(at + "." + key + ": ids are 16 hex digits");
  return Status();
}

Status units_from(const json& v, const char* key, const std::string& at, std::vector<ContentUnit>* out) {
  const json& a = v.value(key, json::array());
  if (!a.is_array() || a.size() > kMaxContentUnits)
    return Status::invalid_argument(at + "." + key + ": must be an array of up to 4000000 units");
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string ui = at + "." + key + "[" + std::to_string(i) + "]";
    const json& o = a[i];
    ContentUnit u;
    if (!o.is_object() || !o.contains("path") || !o["path"].is_string())
      return Status::invalid_argument(ui + ".path: must be a string");
    if (!o.contains("size") || !o["size"].is_number_unsigned())
      return Status::invalid_argument(ui + ".size: must be a number >= 0");
    if (!o.contains("id") || !parse_hex16(o["id"], &u.id))
      return Status::invalid_argument(ui + ".id: must be 16 hex digits");
    u.path = o["path"].get<std::string>();
    u.size = o["size"].get<std::uint64_t>();
    BC_RETURN_IF_ERROR(ids_from(o, "pieces", ui, &u.pieces));
    BC_RETURN_IF_ERROR(ids_from(o, "members", ui, &u.members));
    out->push_back(std::move(u));
  }
  return Status();
}

// Bytes of `u` not held: pieces (or the whole unit) whose identity `held`
// lacks; `round` maps a piece's length to what crossing it costs.
template <typename Round>
std::uint64_t unheld_bytes(const ContentUnit& u, std::uint32_t piece_bytes, const IdSet& held_pieces, Round round) {
  if (u.pieces.empty()) return round(u.size);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < u.pieces.size(); ++i) {
    const std::uint64_t off = static_cast<std::uint64_t>(i) * piece_bytes;
    if (off >= u.size) break;
    if (held_pieces.count(piece_key(u.pieces[i], piece_bytes))) continue;
    sum += round(std::min<std::uint64_t>(piece_bytes, u.size - off));
  }
  return sum;
}

struct Held {
  IdSet raw_ids, raw_pieces, wire_ids, wire_pieces;

  void add(const VersionContent& v) {
    for (const ContentUnit& u : v.raw) {
      raw_ids.insert(u.id);
      for (std::uint64_t p : u.pieces) raw_pieces.insert(piece_key(p, v.piece_bytes));
    }
    for (const ContentUnit& u : v.wire) {
      wire_ids.insert(u.id);
      wire_ids.insert(u.members.begin(), u.members.end());
      for (std::uint64_t p : u.pieces) wire_pieces.insert(piece_key(p, v.piece_bytes));
    }
  }

  NewContent fresh(const VersionContent& v) const {
    NewContent n;
    n.known = true;
    for (const ContentUnit& u : v.raw)
      if (!raw_ids.count(u.id)) n.raw_bytes += unheld_bytes(u, v.piece_bytes, raw_pieces, [](std::uint64_t b) { return b; });
    for (const ContentUnit& u : v.wire) {
      if (wire_ids.count(u.id)) continue;
      const bool assembled = !u.members.empty() && std::all_of(u.members.begin(), u.members.end(),
                                                                [&](std::uint64_t m) { return wire_ids.count(m) > 0; });
      if (!assembled) n.wire_bytes += unheld_bytes(u, v.piece_bytes, wire_pieces, wire_rounded);
    }
    return n;
  }
};

}  // namespace

std::uint64_t VersionContent::raw_bytes() const {
  return std::accumulate(raw.begin(), raw.end(), std::uint64_t{0},
                         [](std::uint64_t s, const ContentUnit& u) { return s + u.size; });
}

std::uint64_t VersionContent::wire_bytes() const {
  return std::accumulate(wire.begin(), wire.end(), std::uint64_t{0},
                         [](std::uint64_t s, const ContentUnit& u) { return s + wire_rounded(u.size); });
}

const VersionContent* ContentFacts::find(const std::string& layer, int version) const {
  for (const VersionContent& v : versions)
    if (v.layer == layer && v.version == version) return &v;
  return nullptr;
}

json ContentFacts::to_json() const {
  json vs = json::array();
  for (const VersionContent& v : versions)
    vs.push_back({{"layer", v.layer}, {"version", v.version}, {"piece_bytes", v.piece_bytes},
                  {"raw_bytes", v.raw_bytes()}, {"wire_bytes", v.wire_bytes()},
                  {"raw", units_json(v.raw)}, {"wire", units_json(v.wire)}});
  return {{"schema", 1}, {"versions", std::move(vs)}};
}

Result<ContentFacts> ContentFacts::from_json(const json& j) {
  if (!j.is_object() || j.value("schema", 0) != 1) return Status::invalid_argument("content.schema: must be 1");
  const json& vs = j.value("versions", json());
  if (!vs.is_array() || vs.size() > 2 * kMaxScenarioLayers)
    return Status::invalid_argument("content.versions: must be an array of up to 128 layer versions");
  ContentFacts f;
  for (std::size_t i = 0; i < vs.size(); ++i) {
    const std::string at = "content.versions[" + std::to_string(i) + "]";
    const json& o = vs[i];
    VersionContent v;
    if (!o.is_object() || !o.contains("layer") || !o["layer"].is_string())
      return Status::invalid_argument(at + ".layer: must be a string");
    if (!o.contains("version") || !o["version"].is_number_integer())
      return Status::invalid_argument(at + ".version: must be an integer");
    const std::uint64_t pb = o.value("piece_bytes", std::uint64_t{0});
    if (pb < 16384 || pb > (1u << 30) || (pb & (pb - 1)) != 0)
      return Status::invalid_argument(at + ".piece_bytes: must be a power of two in [16 KiB, 1 GiB]");
    v.layer = o["layer"].get<std::string>(), v.version = o["version"].get<int>();
    v.piece_bytes = static_cast<std::uint32_t>(pb);
    BC_RETURN_IF_ERROR(units_from(o, "raw", at, &v.raw));
    BC_RETURN_IF_ERROR(units_from(o, "wire", at, &v.wire));
    f.versions.push_back(std::move(v));
  }
  return f;
}

std::vector<NewContent> assignment_new_content(const Scenario& s, const ContentFacts& facts,
                                               const std::string& branch) {
  std::vector<NewContent> out(s.assignments.size());
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < s.assignments.size(); ++i)
    if (assignment_targets(s.assignments[i], branch)) order.push_back(i);
  // Earlier: before in time, or at the same time and listed before (as
  // assignment_new_bytes orders them).
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.assignments[a].at_ms < s.assignments[b].at_ms; });
  Held held;
  std::vector<const VersionContent*> got;
  for (std::size_t i : order) {
    const VersionContent* v = facts.find(s.assignments[i].layer, s.assignments[i].version);
    if (v == nullptr) {
      out[i].known = false;
      continue;
    }
    if (std::find(got.begin(), got.end(), v) != got.end()) continue;  // a repeat brings nothing
    out[i] = held.fresh(*v);
    held.add(*v);
    got.push_back(v);
  }
  return out;
}

}  // namespace bc::netsim
