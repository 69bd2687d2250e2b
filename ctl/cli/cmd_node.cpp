// bcctl node ls | show | revoke: enrolled endpoints and registered
// reflectors, their latest status report; revoking one (admin). Node ids are
// 64 hex; any unique prefix names a node.
#include <iostream>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/table.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

// node ls asks each node's latest report (one request each over the kept-alive
// connection) only for fleets up to this size.
constexpr size_t kMaxNodeReports = 200;

Result<json> all_nodes(AdminApi& api) {
  BC_ASSIGN_OR_RETURN(json endpoints, api.call("GET", "/api/v1/endpoints"));
  BC_ASSIGN_OR_RETURN(json reflectors, api.call("GET", "/api/v1/reflectors"));
  return json{{"endpoints", endpoints}, {"reflectors", reflectors}};
}

// The one node whose id starts with `prefix`, with its role.
Result<std::pair<json, std::string>> find_node(AdminApi& api, const std::string& prefix) {
  if (prefix.empty()) return Status::invalid_argument("node id is empty");
  BC_ASSIGN_OR_RETURN(json all, all_nodes(api));
  std::vector<std::pair<json, std::string>> hits;
  for (const char* role : {"endpoints", "reflectors"})
    for (const auto& n : all[role])
      if (n.value("id", "").rfind(prefix, 0) == 0)
        hits.emplace_back(n, role == std::string("endpoints") ? "endpoint" : "reflector");
  if (hits.empty()) return Status::not_found("no enrolled node has an id starting with " + prefix);
  if (hits.size() > 1)
    return Status::invalid_argument("node id prefix " + prefix + " names " + std::to_string(hits.size()) +
                                    " nodes; give more of it");
  return hits[0];
}

int node_ls(const Globals& g, const std::string& branch) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto all = all_nodes(*api);
  if (!all.ok()) return fail(all.status());
  if (!branch.empty())
    for (const char* role : {"endpoints", "reflectors"}) {
      json kept = json::array();
      for (const auto& n : (*all)[role])
        if (n.value("branch", "") == branch) kept.push_back(n);
      (*all)[role] = kept;
    }
  if (g.json()) return print_json(*all), 0;
  const int64_t now = int64_t(std::time(nullptr));
  const size_t count = (*all)["endpoints"].size() + (*all)["reflectors"].size();
  if (count > kMaxNodeReports)
    std::cerr << "bcctl: " << count << " nodes: reports shown for none (more than " << kMaxNodeReports
              << "); see one with bcctl node show ID, or the branch with bcctl rollout status\n";
  Table t({"ID", "ROLE", "BRANCH", "ADDRESS", "HEARTBEAT", "REPORTED", "APPLIED", "ERROR"});
  for (const char* role : {"endpoints", "reflectors"})
    for (const auto& n : (*all)[role]) {
      const bool reflector = role == std::string("reflectors");
      json report;
      if (count <= kMaxNodeReports) {
        auto r = api->call("GET", "/api/v1/status/nodes/" + path_segment(n.value("id", "")));
        if (r.ok()) report = *r;
      }
      std::vector<std::string> applied;
      for (const auto& a : report.is_object() ? report.value("applied", json::array()) : json::array())
        applied.push_back(a.is_string() ? a.get<std::string>() : "?");
      const std::string error = report.is_object() ? report.value("last_error", "") : "";
      t.row({short_id(n.value("id", "?")), reflector ? "reflector" : "endpoint", n.value("branch", "-"),
             n.value("address", "-"), reflector ? human_age(n.value("last_heartbeat", int64_t(0)), now) : "-",
             report.is_object() ? human_age(report.value("received_at", int64_t(0)), now) : "never",
             applied.empty() ? "-" : join(applied, " "), error.empty() ? "-" : error.substr(0, 60)});
    }
  t.print(std::cout);
  return 0;
}

int node_show(const Globals& g, const std::string& prefix) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto node = find_node(*api, prefix);
  if (!node.ok()) return fail(exit_for(node.status()) == Exit::invalid ? Exit::usage : exit_for(node.status()),
                              node.status().message());
  const std::string id = node->first.value("id", "");
  auto status = api->call("GET", "/api/v1/status/nodes/" + path_segment(id));
  json report = status.ok() ? *status : json();
  if (!status.ok() && status.status().code() != Status::Code::not_found) return fail(status.status());
  if (g.json()) return print_json({{"role", node->second}, {"node", node->first}, {"status", report}}), 0;
  const json& n = node->first;
  const int64_t now = int64_t(std::time(nullptr));
  std::cout << "id:        " << id << "\nrole:      " << node->second << "\nbranch:    " << n.value("branch", "-")
            << "\naddress:   " << n.value("address", "-") << "\n";
  if (node->second == "reflector")
    std::cout << "heartbeat: " << human_age(n.value("last_heartbeat", int64_t(0)), now) << "\n";
  if (report.is_null()) {
    std::cout << "status:    no report yet\n";
    return 0;
  }
  std::cout << "reported:  " << human_age(report.value("received_at", int64_t(0)), now) << "\napplied:   ";
  std::vector<std::string> applied;
  for (const auto& a : report.value("applied", json::array())) applied.push_back(a.is_string() ? a.get<std::string>() : "?");
  std::cout << (applied.empty() ? "-" : join(applied, " ")) << "\n";
  const json src = report.value("bytes_by_source", json::object());
  std::cout << "bytes:     origin " << human_bytes(src.value("origin", int64_t(0))) << ", reflector "
            << human_bytes(src.value("reflector", int64_t(0))) << ", peer " << human_bytes(src.value("peer", int64_t(0)))
            << "\nerror:     " << (report.value("last_error", "").empty() ? "-" : report.value("last_error", "")) << "\n\n";
  Table t({"LAYER", "STATE", "PROGRESS", "BYTES"});
  for (const auto& l : report.value("layers", json::array())) {
    const int64_t done = l.value("bytes_done", int64_t(0)), total = l.value("bytes_total", int64_t(0));
    t.row({l.value("ref", "?"), l.value("state", "?"), progress_bar(total ? double(done) / double(total) : 0.0, 20),
           human_bytes(done) + " / " + human_bytes(total)});
  }
  t.print(std::cout);
  return 0;
}

int node_revoke(const Globals& g, const std::string& prefix) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto node = find_node(*api, prefix);
  if (!node.ok()) return fail(node.status());
  const std::string id = node->first.value("id", "");
  auto r = api->call("POST", "/api/v1/nodes/" + path_segment(id) + "/revoke");
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  std::cout << "revoked " << node->second << " " << id << ": " << r->value("serials", json::array()).size()
            << " certificates revoked; every route now refuses it\n";
  return 0;
}

}  // namespace

void add_node_commands(CLI::App& app, Globals& g, Run& run) {
  auto* node = app.add_subcommand("node", "Enrolled endpoints and reflectors");
  node->require_subcommand(1);
  auto arg = std::make_shared<std::string>();
  auto* ls = node->add_subcommand("ls", "List nodes");
  ls->add_option("--branch", *arg, "Only this branch's nodes");
  examples(ls, "  bcctl node ls\n  bcctl node ls --branch berlin -o json\n");
  ls->callback([&g, &run, arg] { run = [&g, arg] { return node_ls(g, *arg); }; });
  auto* show = node->add_subcommand("show", "One node: record and latest status report");
  show->add_option("id", *arg, "Node id or a unique prefix")->required();
  examples(show, "  bcctl node show 3b9f0c\n");
  show->callback([&g, &run, arg] { run = [&g, arg] { return node_show(g, *arg); }; });
  auto* revoke = node->add_subcommand("revoke", "Revoke a node (admin): its certificates, announce key, every route");
  revoke->add_option("id", *arg, "Node id or a unique prefix")->required();
  examples(revoke, "  bcctl node revoke 3b9f0c\n");
  revoke->callback([&g, &run, arg] { run = [&g, arg] { return node_revoke(g, *arg); }; });
}

}  // namespace bc::ctl
