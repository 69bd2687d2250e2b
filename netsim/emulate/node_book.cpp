#include "netsim/emulate/node_book.hpp"

#include <algorithm>

namespace bc::netsim {

using nlohmann::json;

std::uint64_t BookEntry::bytes(const std::string& source) const {
  std::uint64_t v = 0;
  if (auto it = bytes_base.find(source); it != bytes_base.end()) v += it->second;
  if (auto it = bytes_current.find(source); it != bytes_current.end()) v += it->second;
  return v;
}

void NodeBook::add_node(const std::string& name, const std::string& branch, bool endpoint) {
  BookEntry e;
  e.name = name, e.branch = branch, e.endpoint = endpoint;
  entries_.push_back(std::move(e));
}

BookEntry* NodeBook::find(const std::string& name) {
  for (BookEntry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

void NodeBook::observe(const std::string& name, const json& status, std::int64_t now_ms) {
  BookEntry* e = find(name);
  if (e == nullptr || !status.is_object()) return;
  e->last_report_ms = now_ms;
  auto mark = [&](const std::string& ref) { e->done_ms.emplace(ref, now_ms); };
  if (auto a = status.find("applied"); a != status.end() && a->is_array())
    for (const json& r : *a)
      if (r.is_string()) mark(r.get<std::string>());
  if (auto ls = status.find("layers"); ls != status.end() && ls->is_array()) {
    for (const json& l : *ls) {
      if (!l.is_object() || !l.contains("ref") || !l["ref"].is_string()) continue;
      std::string state = l.value("state", "");
      if (state == "complete" || state == "applied" || state == "seeding") mark(l["ref"].get<std::string>());
    }
  }
  if (auto b = status.find("bytes_by_source"); b != status.end() && b->is_object()) {
    for (const auto& [source, v] : b->items()) {
      if (!v.is_number_unsigned() && !v.is_number_integer()) continue;
      std::uint64_t now = v.is_number_unsigned() ? v.get<std::uint64_t>() : static_cast<std::uint64_t>(std::max<std::int64_t>(0, v.get<std::int64_t>()));
      std::uint64_t& cur = e->bytes_current[source];
      if (now < cur) e->bytes_base[source] += cur;  // the node restarted: counters began again
      cur = now;
    }
  }
}

bool NodeBook::branch_done(const std::string& branch, const std::vector<std::string>& refs) const {
  for (const BookEntry& e : entries_) {
    if (e.branch != branch || !e.endpoint) continue;
    for (const std::string& r : refs)
      if (!e.done_ms.count(r)) return false;
  }
  return true;
}

std::map<std::string, std::uint64_t> NodeBook::branch_bytes(const std::string& branch) const {
  std::map<std::string, std::uint64_t> out;
  for (const BookEntry& e : entries_) {
    if (e.branch != branch) continue;
    for (const char* s : {"origin", "reflector", "peer"}) out[s] += e.bytes(s);
  }
  return out;
}

json NodeBook::nodes_json(const std::vector<InteractiveData>& interactive) const {
  json nodes = json::array();
  for (const BookEntry& e : entries_) {
    json done = json::array();
    for (const auto& [ref, ms] : e.done_ms) {
      auto at = ref.rfind('@');
      if (at == std::string::npos) continue;
      int version = std::atoi(ref.c_str() + at + 1);
      done.push_back({{"layer", ref.substr(0, at)}, {"version", version}, {"done_ms", ms}});
    }
    nodes.push_back({{"name", e.name},
                     {"bytes_by_source",
                      {{"wan", e.bytes("origin")}, {"lan", e.bytes("reflector") + e.bytes("peer")}, {"local", 0}}},
                     {"completions", done}});
  }
  json inter = json::array();
  for (const InteractiveData& s : interactive)
    inter.push_back({{"branch", s.branch}, {"flow", s.flow}, {"latency_ms", s.latency_ms}, {"t_ms", s.t_ms}});
  return {{"nodes", nodes}, {"interactive", inter}};
}

}  // namespace bc::netsim
