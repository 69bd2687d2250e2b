#include "tracker/service/node_certs.hpp"

#include <algorithm>

#include "tracker/service/records.hpp"

namespace bc::tracker {

using nlohmann::json;

json NodeCert::to_json() const {
  return {{"node", node}, {"serial", serial}, {"key_sha256", key_sha256}, {"names", names},
          {"issued_at", issued_at}, {"not_after", not_after}, {"pem", pem}};
}

std::optional<NodeCert> NodeCert::from_json(const json& j) {
  if (!j.is_object() || !j.contains("names") || !j["names"].is_array()) return std::nullopt;
  NodeCert c;
  c.node = j.value("node", "");
  c.serial = j.value("serial", "");
  c.key_sha256 = j.value("key_sha256", "");
  for (const auto& n : j["names"])
    if (n.is_string()) c.names.push_back(n.get<std::string>());
  c.issued_at = j.value("issued_at", int64_t(0));
  c.not_after = j.value("not_after", int64_t(0));
  c.pem = j.value("pem", "");
  if (c.node.empty() || c.serial.empty()) return std::nullopt;
  return c;
}

Result<std::vector<std::string>> entitled_torrent_names(const Txn& t, const std::string& node_id,
                                                        const std::string& role) {
  BC_ASSIGN_OR_RETURN(AssignmentView view, load_assignment_view(t));
  const bool endpoint = role == "endpoint";
  BC_ASSIGN_OR_RETURN(json rec, get_json(t, endpoint ? Table::endpoints : Table::reflectors, node_id));
  if (!rec.is_object()) return Status::not_found("node " + node_id + " is not enrolled");
  std::vector<LayerInfo> layers;
  if (endpoint) {
    BC_ASSIGN_OR_RETURN(EndpointFacts e, endpoint_from_json(rec));
    layers = effective_stack(e, view).layers;
  } else {
    const std::string branch = rec.value("branch", "");
    BC_ASSIGN_OR_RETURN(layers, load_reflector_layers(t, branch, view));
  }
  std::vector<std::string> names;
  for (const LayerInfo& l : layers) {
    if (l.info_hash.empty()) continue;  // no torrent, nothing to name
    BC_ASSIGN_OR_RETURN(json rec, get_json(t, Table::layers, layer_key(l.ref)));
    if (rec.is_object() && rec.contains("cert_names") && rec["cert_names"].is_array()) {
      for (const auto& n : rec["cert_names"])
        if (n.is_string()) names.push_back(n.get<std::string>());
    } else {
      names.push_back(l.ref.torrent_name());  // a layer imported before SSL torrents
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > kMaxCertNames)
    return Status::unsupported("node " + node_id + " is entitled to " + std::to_string(names.size()) +
                               " layers; a certificate names at most " + std::to_string(kMaxCertNames) +
                               ": retire old layers or split the assignment");
  return names;
}

Result<std::vector<NodeCert>> live_node_certs(const Txn& t, const std::string& node_id, int64_t now_s) {
  std::vector<NodeCert> out;
  BC_RETURN_IF_ERROR(t.scan(Table::node_certs, node_id + "/", [&](std::string_view, std::string_view v) {
    auto c = NodeCert::from_json(json::parse(v, nullptr, false));
    if (c && c->not_after > now_s) out.push_back(std::move(*c));
    return true;
  }));
  std::sort(out.begin(), out.end(), [](const NodeCert& a, const NodeCert& b) { return a.issued_at < b.issued_at; });
  return out;
}

IssuePlan plan_issue(const std::vector<NodeCert>& live, const std::vector<std::string>& names,
                     const std::string& key_sha256, int64_t now_s) {
  IssuePlan plan;
  if (!live.empty()) {
    const NodeCert& newest = live.back();
    const int64_t half_life_at = newest.issued_at + (newest.not_after - newest.issued_at) / 2;
    if (newest.key_sha256 == key_sha256 && newest.names == names && now_s < half_life_at) {
      plan.reuse = newest;  // a retry or a restart: the same answer, no new serial
      return plan;
    }
    if (newest.key_sha256 != key_sha256 && now_s - newest.issued_at < kMinNewKeyInterval_s) {
      plan.refused = Status::unavailable("a certificate for another key of this node was issued " +
                                         std::to_string(now_s - newest.issued_at) + " s ago; retry in " +
                                         std::to_string(kMinNewKeyInterval_s - (now_s - newest.issued_at)) + " s");
      return plan;
    }
  }
  // A live certificate naming a layer the new one drops is revoked, so a node
  // loses a layer at once rather than when that certificate expires.
  std::vector<const NodeCert*> kept;
  for (const NodeCert& c : live) {
    bool subset = std::includes(names.begin(), names.end(), c.names.begin(), c.names.end());
    if (subset) kept.push_back(&c);
    else plan.supersede.push_back(c);
  }
  while (kept.size() + 1 > kMaxLiveCertsPerNode) {  // oldest first
    plan.supersede.push_back(*kept.front());
    kept.erase(kept.begin());
  }
  return plan;
}

namespace {
std::string cert_key(const std::string& node, const std::string& serial) { return node + "/" + serial; }

Status revoke_serial(Txn& t, const NodeCert& c, const std::string& reason, int64_t now_s) {
  BC_RETURN_IF_ERROR(t.del(Table::node_certs, cert_key(c.node, c.serial)));
  return put_json(t, Table::revoked_serials, c.serial,
                  json{{"node", c.node}, {"not_after", c.not_after}, {"reason", reason}, {"revoked_at", now_s}});
}

// Expired entries go: an expired certificate is refused by every peer anyway.
Status prune(Txn& t, const std::string& node_id, int64_t now_s) {
  std::vector<std::string> stale;
  BC_RETURN_IF_ERROR(t.scan(Table::node_certs, node_id + "/", [&](std::string_view k, std::string_view v) {
    json j = json::parse(v, nullptr, false);
    if (!j.is_object() || j.value("not_after", int64_t(0)) <= now_s) stale.emplace_back(k);
    return true;
  }));
  for (const auto& k : stale) BC_RETURN_IF_ERROR(t.del(Table::node_certs, k));
  stale.clear();
  size_t total = 0;
  BC_RETURN_IF_ERROR(t.scan(Table::revoked_serials, "", [&](std::string_view k, std::string_view v) {
    ++total;
    json j = json::parse(v, nullptr, false);
    if (!j.is_object() || j.value("not_after", int64_t(0)) <= now_s) stale.emplace_back(k);
    return true;
  }));
  for (const auto& k : stale) BC_RETURN_IF_ERROR(t.del(Table::revoked_serials, k));
  if (total - stale.size() >= kMaxRevokedSerials)
    return Status::no_space("more than " + std::to_string(kMaxRevokedSerials) +
                            " revoked certificates are live; lower [pki] node_cert_lifetime_s");
  return Status();
}
}  // namespace

Status record_issued(Txn& t, const NodeCert& cert, const std::vector<NodeCert>& superseded, int64_t now_s) {
  BC_RETURN_IF_ERROR(prune(t, cert.node, now_s));
  for (const NodeCert& c : superseded) BC_RETURN_IF_ERROR(revoke_serial(t, c, "superseded", now_s));
  return put_json(t, Table::node_certs, cert_key(cert.node, cert.serial), cert.to_json());
}

Result<std::vector<std::string>> revoke_node(Txn& t, const std::string& node_id, const std::string& by,
                                             int64_t now_s) {
  BC_RETURN_IF_ERROR(prune(t, node_id, now_s));
  BC_ASSIGN_OR_RETURN(json old, get_json(t, Table::revoked_nodes, node_id));
  if (!old.is_object())
    BC_RETURN_IF_ERROR(put_json(t, Table::revoked_nodes, node_id, json{{"id", node_id}, {"revoked_at", now_s}, {"by", by}}));
  BC_ASSIGN_OR_RETURN(std::vector<NodeCert> live, live_node_certs(t, node_id, now_s));
  std::vector<std::string> serials;
  for (const NodeCert& c : live) {
    BC_RETURN_IF_ERROR(revoke_serial(t, c, "node revoked", now_s));
    serials.push_back(c.serial);
  }
  // Its announce key stops resolving: the BitTorrent tracker gives it nothing.
  for (Table table : {Table::endpoints, Table::reflectors}) {
    BC_ASSIGN_OR_RETURN(json rec, get_json(t, table, node_id));
    if (rec.is_object() && rec.contains("announce_key") && rec["announce_key"].is_string())
      BC_RETURN_IF_ERROR(t.del(Table::announce_keys, rec["announce_key"].get<std::string>()));
  }
  return serials;
}

Result<bool> node_revoked(const Txn& t, const std::string& node_id) {
  BC_ASSIGN_OR_RETURN(auto v, t.get(Table::revoked_nodes, node_id));
  return v.has_value();
}

Result<std::vector<std::string>> live_revoked_serials(const Txn& t, int64_t now_s) {
  std::vector<std::string> out;
  BC_RETURN_IF_ERROR(t.scan(Table::revoked_serials, "", [&](std::string_view k, std::string_view v) {
    json j = json::parse(v, nullptr, false);
    if (j.is_object() && j.value("not_after", int64_t(0)) > now_s) out.emplace_back(k);
    return out.size() < kMaxRevokedSerials;
  }));
  return out;  // key order: sorted
}

}  // namespace bc::tracker
