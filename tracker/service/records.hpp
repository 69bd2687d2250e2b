// Keys and JSON shapes of the records in the tracker's tables, and the
// loaders that turn them into the pure cores' inputs. Records are JSON
// objects written only by the API handlers after validation:
//   layers       {"ref","name","version","kind","info_hash","match":{},"retired",
//                 "created","imported_at","file_count","total_bytes","origin_dir"}
//   branches     {"name","subnets":[cidr],"parent":name|null,"wan_policy":{}}
//   endpoints    {"id","branch","branch_source","facts":{},"address","enrolled_at"}
//   reflectors   {"id","branch","address","cache":[info_hash],"free_bytes",
//                 "registered_at","last_heartbeat"}
//   assignments  {"kind":"endpoint|group|branch","target","stack":[ref],"updated_at","updated_by"}
//   groups       {"name","members":[node id]}
//   status       {"node","role","branch","received_at","layers":[...],
//                 "bytes_by_source":{"origin","reflector","peer"},"applied":[ref],"last_error"}
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tracker/service/desired_state.hpp"
#include "tracker/store/store.hpp"

namespace bc::tracker {

// "name@0000000003": sorts versions numerically within a name.
std::string layer_key(const LayerRef& ref);
std::string assignment_key(const std::string& kind, const std::string& target);

Result<LayerInfo> layer_info_from_json(const nlohmann::json& rec);
Result<AssignmentView> load_assignment_view(const Txn& txn);
Result<EndpointFacts> endpoint_from_json(const nlohmann::json& rec);
// Every endpoint whose branch is `branch`.
Result<std::vector<EndpointFacts>> load_branch_endpoints(const Txn& txn, const std::string& branch);
// Every endpoint, grouped by branch (one scan instead of one per branch).
Result<std::map<std::string, std::vector<EndpointFacts>>> load_endpoints_by_branch(const Txn& txn);
// What a reflector of `branch` holds and serves: reflector_layers of its
// branch, and for a hub (a branch some branch names as parent) its
// reflector_entitlement, so a hub's reflectors prefetch what their child
// branches need. Only a hub pays for loading every branch's endpoints.
Result<std::vector<LayerInfo>> load_reflector_layers(const Txn& txn, const std::string& branch,
                                                     const AssignmentView& view);

// A node as the BitTorrent tracker sees it when an announce arrives.
struct NodeRef {
  std::string id;      // public key hex
  std::string role;    // "endpoint" or "reflector"
  std::string branch;
};
// The node an announce key belongs to; not_found for an unknown (or revoked) key.
// This is what the announce handler calls first: unenrolled nodes get nothing.
Result<NodeRef> node_for_announce_key(const Txn& txn, const std::string& key);
// The node record's announce key, creating and indexing a fresh random one
// (32 hex) when it has none. Call inside the enrollment transaction.
Result<std::string> ensure_announce_key(Txn& txn, nlohmann::json& node_rec, const std::string& role);
// Removes a node (endpoint or reflector) with its announce key, its own
// assignment and its status report.
Status delete_node(Txn& txn, Table table, const std::string& id);

// The branch whose subnets contain `address` with the longest prefix, or ""
// when none does.
Result<std::string> branch_for_address(const Txn& txn, const std::string& address);

}  // namespace bc::tracker
