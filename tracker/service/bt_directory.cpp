#include "tracker/service/bt_directory.hpp"

#include <algorithm>

#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

Status StoreBtDirectoryOptions::validate() const {
  if (reflector_live_s <= 0) return Status::invalid_argument("reflector_live_s must be positive");
  if (cache_max_entries == 0) return Status::invalid_argument("cache_max_entries must be positive");
  return Status();
}

StoreBtDirectory::StoreBtDirectory(const Store& store, const Clock& clock, StoreBtDirectoryOptions options)
    : store_(store), clock_(clock), options_(options), cache_(std::max<size_t>(options.cache_max_entries, 1)) {}

namespace {

EntitledSet set_of(const std::vector<LayerInfo>& layers) {
  EntitledSet out;
  for (const LayerInfo& l : layers) {
    if (auto h = bt::InfoHash::from_v2_hex(l.info_hash)) out.hashes.push_back(*h);
    out.refs.push_back(l.ref.to_string());
  }
  std::sort(out.hashes.begin(), out.hashes.end());
  std::sort(out.refs.begin(), out.refs.end());
  return out;
}

}  // namespace

Result<CachedNode> StoreBtDirectory::load_node(const std::string& key) const {
  CachedNode n;
  Status s = store_.read([&](const Txn& t) -> Status {
    auto node = node_for_announce_key(t, key);
    if (!node.ok()) {
      if (node.status().code() == Status::Code::not_found)
        return Status::permission_denied("bckey: unknown or revoked node key; enroll first");
      return node.status();
    }
    n.node_id = node->id;
    n.role = node->role == "reflector" ? bt::NodeRole::reflector : bt::NodeRole::endpoint;
    n.branch = node->branch;
    if (n.branch.empty()) return Status();
    BC_ASSIGN_OR_RETURN(json b, get_json(t, Table::branches, n.branch));
    if (b.is_object() && b.contains("parent") && b["parent"].is_string()) n.parent_branch = b["parent"].get<std::string>();
    if (b.is_object() && b.contains("wan_fallback") && b["wan_fallback"].is_boolean())
      n.branch_wan_fallback = b["wan_fallback"].get<bool>();
    return Status();
  });
  if (!s.ok()) return s;
  return n;
}

// The heartbeat summary (per branch and per reflector). Heartbeats do not
// notify, so it follows commits instead, re-read at most once a second.
Status StoreBtDirectory::load_heartbeats() {
  const int64_t now_s = clock_.unix_s();
  cache_.sync_commits(store_.commits(), now_s);  // before the read: see bt_directory_cache.hpp
  if (cache_.latest_heartbeat) return Status();
  std::map<std::string, int64_t> latest, by_reflector;
  BC_RETURN_IF_ERROR(store_.read([&](const Txn& t) -> Status {
    return t.scan(Table::reflectors, "", [&](std::string_view id, std::string_view v) {
      json r = json::parse(v, nullptr, false);
      if (!r.is_object()) return true;
      const int64_t hb = r.value("last_heartbeat", int64_t(0));
      int64_t& at = latest.try_emplace(r.value("branch", ""), INT64_MIN).first->second;
      at = std::max(at, hb);
      by_reflector[std::string(id)] = hb;
      return true;
    });
  }));
  cache_.latest_heartbeat = std::move(latest);
  cache_.reflector_heartbeat = std::move(by_reflector);
  cache_.heartbeat_read_s = now_s;
  return Status();
}

// Whether any reflector of `branch` heartbeated within reflector_live_s.
Result<bool> StoreBtDirectory::live_reflector(const std::string& branch) {
  BC_RETURN_IF_ERROR(load_heartbeats());
  auto it = cache_.latest_heartbeat->find(branch);
  return it != cache_.latest_heartbeat->end() && it->second >= clock_.unix_s() - options_.reflector_live_s;
}

Result<std::vector<std::string>> StoreBtDirectory::lapsed_reflectors() {
  BC_RETURN_IF_ERROR(load_heartbeats());
  const int64_t live_since_s = clock_.unix_s() - options_.reflector_live_s;
  std::vector<std::string> out;
  for (const auto& [id, at] : cache_.reflector_heartbeat)
    if (at < live_since_s) out.push_back(id);
  return out;
}

Result<bt::NodeIdentity> StoreBtDirectory::node_for_key(std::string_view node_key, const bt::IpAddress&) {
  last_.reset();
  bt::NodeIdentity id;
  if (!options_.origin_key.empty() && node_key == options_.origin_key) {
    id.node_id = "origin";
    id.role = bt::NodeRole::origin;
    last_ = id;
    return id;
  }
  cache_.sync_generation(store_.generation());  // before any read: see bt_directory_cache.hpp
  std::string key(node_key);
  const CachedNode* node = cache_.find_node(key);
  if (node) {
    cache_.count_hit();
  } else {
    cache_.count_miss();
    BC_ASSIGN_OR_RETURN(CachedNode loaded, load_node(key));  // unknown keys are not remembered
    cache_.put_node(key, std::move(loaded));
    node = cache_.find_node(key);
  }
  id.node_id = node->node_id;
  id.role = node->role;
  id.branch = node->branch;
  id.parent_branch = node->parent_branch;
  id.wan_fallback = node->branch_wan_fallback;
  if (!id.branch.empty()) {
    BC_ASSIGN_OR_RETURN(id.branch_has_live_reflector, live_reflector(id.branch));
  }
  if (id.role == bt::NodeRole::reflector && !id.parent_branch.empty()) {
    BC_ASSIGN_OR_RETURN(id.parent_has_live_reflector, live_reflector(id.parent_branch));
  }
  last_ = id;
  return id;
}

Status StoreBtDirectory::load_layers() {
  std::unordered_map<bt::InfoHash, uint64_t, bt::InfoHashHash> layers;
  BC_RETURN_IF_ERROR(store_.read([&](const Txn& t) -> Status {
    return t.scan(Table::layers, "", [&](std::string_view, std::string_view v) {
      json r = json::parse(v, nullptr, false);
      if (!r.is_object() || r.value("retired", false)) return true;
      if (auto h = bt::InfoHash::from_v2_hex(r.value("info_hash", "")))
        layers.emplace(*h, r.value("total_bytes", uint64_t(0)));  // the first layer with a hash wins
      return true;
    });
  }));
  cache_.layers = std::move(layers);
  return Status();
}

Result<EntitledSet> StoreBtDirectory::load_entitled(const bt::NodeIdentity& who) {
  EntitledSet out;
  BC_RETURN_IF_ERROR(store_.read([&](const Txn& t) -> Status {
    if (!cache_.view) {
      BC_ASSIGN_OR_RETURN(cache_.view, load_assignment_view(t));
    }
    if (who.role == bt::NodeRole::endpoint) {
      BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::endpoints, who.node_id));
      if (!rec.is_object()) return Status();  // removed meanwhile: entitled to nothing
      BC_ASSIGN_OR_RETURN(EndpointFacts e, endpoint_from_json(rec));
      out = set_of(effective_stack(e, *cache_.view).layers);
      return Status();
    }
    if (!cache_.endpoints_by_branch) {
      BC_ASSIGN_OR_RETURN(cache_.endpoints_by_branch, load_endpoints_by_branch(t));
    }
    out = set_of(reflector_entitlement(who.branch, *cache_.endpoints_by_branch, *cache_.view));
    return Status();
  }));
  return out;
}

Result<const EntitledSet*> StoreBtDirectory::entitled_set(const bt::NodeIdentity& who) {
  // Every endpoint has its own stack; a branch's reflectors share one set.
  std::string k = who.role == bt::NodeRole::endpoint ? "e:" + who.node_id : "r:" + who.branch;
  const EntitledSet* set = cache_.find_entitled(k);
  if (set) {
    cache_.count_hit();
  } else {
    cache_.count_miss();
    BC_ASSIGN_OR_RETURN(auto loaded, load_entitled(who));
    cache_.put_entitled(k, std::move(loaded));
    set = cache_.find_entitled(k);
  }
  return set;
}

Result<bool> StoreBtDirectory::entitled(const bt::NodeIdentity& who, const bt::InfoHash& hash) {
  if (who.role == bt::NodeRole::origin) return true;  // seeds every published layer
  BC_ASSIGN_OR_RETURN(const EntitledSet* set, entitled_set(who));
  return std::binary_search(set->hashes.begin(), set->hashes.end(), hash);
}

Result<bt::NodeIdentity> StoreBtDirectory::node_for_id(const std::string& node_id, const std::string& role) {
  cache_.sync_generation(store_.generation());  // before any read: see bt_directory_cache.hpp
  // Announce keys are [A-Za-z0-9_-]: this prefix cannot collide with one.
  std::string key = "id:" + role + ":" + node_id;
  const CachedNode* node = cache_.find_node(key);
  if (node) {
    cache_.count_hit();
  } else {
    cache_.count_miss();
    CachedNode n;
    BC_RETURN_IF_ERROR(store_.read([&](const Txn& t) -> Status {
      BC_ASSIGN_OR_RETURN(json rec, get_json(t, role == "reflector" ? Table::reflectors : Table::endpoints, node_id));
      if (!rec.is_object()) return Status::permission_denied("node " + node_id + " is not enrolled");
      n.node_id = node_id;
      n.role = role == "reflector" ? bt::NodeRole::reflector : bt::NodeRole::endpoint;
      n.branch = rec.value("branch", "");
      return Status();
    }));
    cache_.put_node(key, std::move(n));
    node = cache_.find_node(key);
  }
  bt::NodeIdentity id;
  id.node_id = node->node_id;
  id.role = node->role;
  id.branch = node->branch;
  return id;
}

Result<bool> StoreBtDirectory::node_entitled(const std::string& node_id, const std::string& role,
                                             const std::string& layer_ref) {
  if (!options_.enforce_entitlement) return true;
  BC_ASSIGN_OR_RETURN(bt::NodeIdentity who, node_for_id(node_id, role));
  BC_ASSIGN_OR_RETURN(const EntitledSet* set, entitled_set(who));
  return std::binary_search(set->refs.begin(), set->refs.end(), layer_ref);
}

Result<uint64_t> StoreBtDirectory::torrent_bytes(const bt::InfoHash& hash) {
  cache_.sync_generation(store_.generation());  // before any read: see bt_directory_cache.hpp
  if (!cache_.layers) BC_RETURN_IF_ERROR(load_layers());
  auto it = cache_.layers->find(hash);
  if (it == cache_.layers->end()) return Status::not_found("info_hash: not a published layer on this tracker");
  uint64_t bytes = it->second;
  if (!options_.enforce_entitlement || !last_) return bytes;
  BC_ASSIGN_OR_RETURN(bool allowed, entitled(*last_, hash));
  if (!allowed)
    return Status::permission_denied("info_hash: node " + last_->node_id + " is not entitled to layer " +
                                     hash.to_hex() + " (not assigned to this node)");
  return bytes;
}

}  // namespace bc::tracker
