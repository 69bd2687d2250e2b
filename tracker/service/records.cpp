#include "tracker/service/records.hpp"

#include <sodium.h>

#include <cstdio>

#include "layers/util/json.hpp"
#include "layers/util/hex.hpp"
#include "tracker/model/cidr.hpp"

namespace bc::tracker {

using nlohmann::json;

std::string layer_key(const LayerRef& ref) {
  char v[16];
  std::snprintf(v, sizeof v, "%010lld", static_cast<long long>(ref.version));
  return ref.name + "@" + v;
}

std::string assignment_key(const std::string& kind, const std::string& target) {
  return kind + ":" + target;
}

namespace {
Status corrupt(const std::string& what) { return Status::corruption("stored record: " + what); }

Result<std::vector<LayerRef>> refs_of(const json& arr) {
  std::vector<LayerRef> out;
  if (!arr.is_array()) return corrupt("stack is not a list");
  for (const auto& s : arr) {
    if (!s.is_string()) return corrupt("stack item is not a string");
    BC_ASSIGN_OR_RETURN(LayerRef r, LayerRef::parse(s.get<std::string>()));
    out.push_back(r);
  }
  return out;
}

// Runs fn on every record of a table, parsed.
Status each(const Txn& txn, Table t, const std::function<Status(const json&)>& fn) {
  Status inner;
  BC_RETURN_IF_ERROR(txn.scan(t, "", [&](std::string_view, std::string_view v) {
    auto j = parse_json(v, JsonLimits{size_t(1) << 30, 64});
    inner = j.ok() ? fn(*j) : corrupt(std::string(table_name(t)) + ": " + j.status().message());
    return inner.ok();
  }));
  return inner;
}
}  // namespace

Result<LayerInfo> layer_info_from_json(const json& rec) {
  try {
    LayerInfo l;
    l.ref = LayerRef{rec.at("name").get<std::string>(), rec.at("version").get<int64_t>()};
    auto kind = parse_layer_kind(rec.at("kind").get<std::string>());
    if (!kind) return corrupt("layer kind");
    l.kind = *kind;
    l.info_hash = rec.at("info_hash").get<std::string>();
    l.match = rec.value("match", std::map<std::string, std::string>{});
    l.retired = rec.value("retired", false);
    l.total_bytes = rec.value("total_bytes", uint64_t(0));
    return l;
  } catch (const json::exception& e) {
    return corrupt(std::string("layer: ") + e.what());
  }
}

Result<EndpointFacts> endpoint_from_json(const json& rec) {
  try {
    EndpointFacts e;
    e.id = rec.at("id").get<std::string>();
    e.branch = rec.at("branch").get<std::string>();
    e.facts = rec.value("facts", std::map<std::string, std::string>{});
    return e;
  } catch (const json::exception& ex) {
    return corrupt(std::string("endpoint: ") + ex.what());
  }
}

Result<AssignmentView> load_assignment_view(const Txn& txn) {
  AssignmentView v;
  BC_RETURN_IF_ERROR(each(txn, Table::layers, [&](const json& j) -> Status {
    BC_ASSIGN_OR_RETURN(LayerInfo l, layer_info_from_json(j));
    v.layers.emplace(l.ref, l);
    return Status();
  }));
  BC_RETURN_IF_ERROR(each(txn, Table::assignments, [&](const json& j) -> Status {
    if (!j.is_object() || !j.contains("stack")) return corrupt("assignment");
    BC_ASSIGN_OR_RETURN(auto stack, refs_of(j["stack"]));
    std::string kind = j.value("kind", ""), target = j.value("target", "");
    if (kind == "endpoint") v.by_endpoint[target] = stack;
    else if (kind == "group") v.by_group[target] = stack;
    else if (kind == "branch") v.by_branch[target] = stack;
    else return corrupt("assignment kind '" + kind + "'");
    return Status();
  }));
  BC_RETURN_IF_ERROR(each(txn, Table::groups, [&](const json& j) -> Status {
    std::string name = j.value("name", "");
    for (const auto& m : j.value("members", json::array()))
      if (m.is_string()) v.groups_of[m.get<std::string>()].push_back(name);
    return Status();
  }));
  BC_RETURN_IF_ERROR(each(txn, Table::branches, [&](const json& j) -> Status {
    if (j.contains("parent") && j["parent"].is_string())
      v.parent_of[j.value("name", "")] = j["parent"].get<std::string>();
    return Status();
  }));
  return v;  // groups scanned in key (name) order, so groups_of lists are sorted
}

Result<std::vector<EndpointFacts>> load_branch_endpoints(const Txn& txn, const std::string& branch) {
  std::vector<EndpointFacts> out;
  BC_RETURN_IF_ERROR(each(txn, Table::endpoints, [&](const json& j) -> Status {
    if (j.value("branch", "") != branch) return Status();
    BC_ASSIGN_OR_RETURN(EndpointFacts e, endpoint_from_json(j));
    out.push_back(std::move(e));
    return Status();
  }));
  return out;
}

Result<std::map<std::string, std::vector<EndpointFacts>>> load_endpoints_by_branch(const Txn& txn) {
  std::map<std::string, std::vector<EndpointFacts>> out;
  BC_RETURN_IF_ERROR(each(txn, Table::endpoints, [&](const json& j) -> Status {
    BC_ASSIGN_OR_RETURN(EndpointFacts e, endpoint_from_json(j));
    out[e.branch].push_back(std::move(e));
    return Status();
  }));
  return out;
}

Result<std::vector<LayerInfo>> load_reflector_layers(const Txn& txn, const std::string& branch,
                                                     const AssignmentView& view) {
  bool hub = false;
  for (const auto& [child, parent] : view.parent_of) hub = hub || (parent == branch && child != branch);
  if (!hub) {
    BC_ASSIGN_OR_RETURN(auto endpoints, load_branch_endpoints(txn, branch));
    return reflector_layers(branch, endpoints, view);
  }
  BC_ASSIGN_OR_RETURN(auto by_branch, load_endpoints_by_branch(txn));
  return reflector_entitlement(branch, by_branch, view);
}

Result<NodeRef> node_for_announce_key(const Txn& txn, const std::string& key) {
  if (key.size() != 32) return Status::not_found("unknown announce key");
  BC_ASSIGN_OR_RETURN(json idx, get_json(txn, Table::announce_keys, key));
  if (!idx.is_object()) return Status::not_found("unknown announce key");
  NodeRef n{idx.value("node", ""), idx.value("role", ""), ""};
  BC_ASSIGN_OR_RETURN(auto revoked, txn.get(Table::revoked_nodes, n.id));
  if (revoked) return Status::not_found("announce key of a revoked node");
  Table t = n.role == "reflector" ? Table::reflectors : Table::endpoints;
  BC_ASSIGN_OR_RETURN(json rec, get_json(txn, t, n.id));
  if (!rec.is_object()) return Status::not_found("announce key of a removed node");
  n.branch = rec.value("branch", "");
  return n;
}

Result<std::string> ensure_announce_key(Txn& txn, json& node_rec, const std::string& role) {
  std::string key = node_rec.value("announce_key", "");
  if (key.empty()) {
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    key = to_hex(b);
    node_rec["announce_key"] = key;
  }
  BC_RETURN_IF_ERROR(put_json(txn, Table::announce_keys, key,
                              json{{"node", node_rec.value("id", "")}, {"role", role}}));
  return key;
}

Status delete_node(Txn& txn, Table table, const std::string& id) {
  BC_ASSIGN_OR_RETURN(json rec, get_json(txn, table, id));
  if (!rec.is_object()) return Status::not_found("node '" + id + "' is not enrolled");
  if (rec.contains("announce_key")) BC_RETURN_IF_ERROR(txn.del(Table::announce_keys, rec.value("announce_key", "")));
  BC_RETURN_IF_ERROR(txn.del(table, id));
  BC_RETURN_IF_ERROR(txn.del(Table::assignments, assignment_key("endpoint", id)));
  return txn.del(Table::status, id);
}

Result<std::string> branch_for_address(const Txn& txn, const std::string& address) {
  auto ip = IpAddress::parse(address);
  if (!ip.ok()) return std::string();
  std::string best;
  int best_bits = -1;
  BC_RETURN_IF_ERROR(each(txn, Table::branches, [&](const json& j) -> Status {
    for (const auto& s : j.value("subnets", json::array())) {
      if (!s.is_string()) continue;
      auto c = Cidr::parse(s.get<std::string>());
      if (c.ok() && c->contains(*ip) && c->specificity() > best_bits) {
        best_bits = c->specificity();
        best = j.value("name", "");
      }
    }
    return Status();
  }));
  return best;
}

}  // namespace bc::tracker
