#include "tracker/service/bt_directory.hpp"

#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

Status StoreBtDirectoryOptions::validate() const {
  if (reflector_live_s <= 0) return Status::invalid_argument("reflector_live_s must be positive");
  return Status();
}

StoreBtDirectory::StoreBtDirectory(const Store& store, const Clock& clock, StoreBtDirectoryOptions options)
    : store_(store), clock_(clock), options_(options) {}

namespace {

// Whether any reflector of `branch` heartbeated at or after `since_s`.
Result<bool> live_reflector(const Txn& txn, const std::string& branch, int64_t since_s) {
  bool live = false;
  BC_RETURN_IF_ERROR(txn.scan(Table::reflectors, "", [&](std::string_view, std::string_view v) {
    json r = json::parse(v, nullptr, false);
    if (r.is_object() && r.value("branch", "") == branch && r.value("last_heartbeat", int64_t(0)) >= since_s)
      live = true;
    return !live;
  }));
  return live;
}

bool holds(const std::vector<LayerInfo>& layers, const bt::InfoHash& hash) {
  for (const LayerInfo& l : layers) {
    auto h = bt::InfoHash::from_v2_hex(l.info_hash);
    if (h && *h == hash) return true;
  }
  return false;
}

}  // namespace

Result<bt::NodeIdentity> StoreBtDirectory::node_for_key(std::string_view node_key, const bt::IpAddress&) {
  last_.reset();
  bt::NodeIdentity id;
  if (!options_.origin_key.empty() && node_key == options_.origin_key) {
    id.node_id = "origin";
    id.role = bt::NodeRole::origin;
    last_ = id;
    return id;
  }
  Status s = store_.read([&](const Txn& t) -> Status {
    auto node = node_for_announce_key(t, std::string(node_key));
    if (!node.ok()) {
      if (node.status().code() == Status::Code::not_found)
        return Status::permission_denied("bckey: unknown or revoked node key; enroll first");
      return node.status();
    }
    id.node_id = node->id;
    id.role = node->role == "reflector" ? bt::NodeRole::reflector : bt::NodeRole::endpoint;
    id.branch = node->branch;
    if (id.branch.empty()) return Status();
    BC_ASSIGN_OR_RETURN(json b, get_json(t, Table::branches, id.branch));
    if (b.is_object() && b.contains("parent") && b["parent"].is_string()) id.parent_branch = b["parent"].get<std::string>();
    BC_ASSIGN_OR_RETURN(id.branch_has_live_reflector,
                        live_reflector(t, id.branch, clock_.unix_s() - options_.reflector_live_s));
    return Status();
  });
  if (!s.ok()) return s;
  last_ = id;
  return id;
}

Result<bool> StoreBtDirectory::entitled(const Txn& t, const bt::NodeIdentity& who, const bt::InfoHash& hash) const {
  if (who.role == bt::NodeRole::origin) return true;  // seeds every published layer
  BC_ASSIGN_OR_RETURN(AssignmentView view, load_assignment_view(t));
  if (who.role == bt::NodeRole::endpoint) {
    BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::endpoints, who.node_id));
    if (!rec.is_object()) return false;
    BC_ASSIGN_OR_RETURN(EndpointFacts e, endpoint_from_json(rec));
    return holds(effective_stack(e, view).layers, hash);
  }
  BC_ASSIGN_OR_RETURN(auto endpoints, load_branch_endpoints(t, who.branch));
  return holds(reflector_layers(who.branch, endpoints, view), hash);
}

Result<uint64_t> StoreBtDirectory::torrent_bytes(const bt::InfoHash& hash) {
  uint64_t bytes = 0;
  bool found = false, allowed = true;
  Status s = store_.read([&](const Txn& t) -> Status {
    BC_RETURN_IF_ERROR(t.scan(Table::layers, "", [&](std::string_view, std::string_view v) {
      json r = json::parse(v, nullptr, false);
      if (!r.is_object() || r.value("retired", false)) return true;
      auto h = bt::InfoHash::from_v2_hex(r.value("info_hash", ""));
      if (!h || *h != hash) return true;
      found = true;
      bytes = r.value("total_bytes", uint64_t(0));
      return false;
    }));
    if (!found || !options_.enforce_entitlement || !last_) return Status();
    BC_ASSIGN_OR_RETURN(allowed, entitled(t, *last_, hash));
    return Status();
  });
  if (!s.ok()) return s;
  if (!found) return Status::not_found("info_hash: not a published layer on this tracker");
  if (!allowed) return Status::permission_denied("info_hash: layer not assigned to this node");
  return bytes;
}

}  // namespace bc::tracker
