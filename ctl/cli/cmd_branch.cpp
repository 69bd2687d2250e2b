// bcctl branch create | set | ls | rm: subnets, parent hub, WAN policy
// (caps, time windows). Branches are admin-only on the tracker.
#include <iostream>
#include <sstream>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/table.hpp"
#include "ctl/cli/wan_flags.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

struct BranchFlags {
  std::string name;
  std::vector<std::string> subnets;
  bool subnets_given = false;
  std::string parent;
  bool no_parent = false;
  std::string fallback;  // "", allow, deny, default
  WanFlags wan;
};

std::string cap_text(const json& policy, const char* dir) {
  if (!policy.is_object() || !policy.contains("default") || !policy["default"].is_object() ||
      !policy["default"].contains(dir))
    return "-";
  const json& c = policy["default"][dir];
  if (c.contains("percent") && c["percent"].is_number()) {
    std::ostringstream pct;  // 80, 12.5: no trailing ".0"
    pct << c["percent"].get<double>();
    return pct.str() + "%";
  }
  if (c.contains("bytes_per_s") && c["bytes_per_s"].is_number_integer())
    return human_rate(double(c["bytes_per_s"].get<int64_t>()));
  return "?";
}

int put_branch(const Globals& g, const BranchFlags& f, bool create) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  const std::string target = "/api/v1/branches/" + path_segment(f.name);
  auto old = api->call("GET", target);
  json rec;
  if (create) {
    if (old.ok()) return fail(Exit::invalid, "branch '" + f.name + "' already exists: change it with bcctl branch set " + f.name);
    if (old.status().code() != Status::Code::not_found) return fail(old.status());
  } else {
    if (!old.ok()) return fail(old.status());
    rec = *old;
  }
  json body = json::object();
  body["subnets"] = f.subnets_given ? json(f.subnets) : rec.value("subnets", json::array());
  if (!f.parent.empty()) body["parent"] = f.parent;
  else if (!f.no_parent && rec.contains("parent") && rec["parent"].is_string()) body["parent"] = rec["parent"];
  json policy = rec.contains("wan_policy") ? rec["wan_policy"] : json();
  if (f.wan.any()) {
    auto p = apply_wan_flags(policy, f.wan);
    if (!p.ok()) return fail(Exit::usage, p.status().message());
    policy = *p;
  }
  if (policy.is_object() && !policy.empty()) body["wan_policy"] = policy;
  // A change of the WAN policy alone goes to the operator route; subnets and
  // parent need an admin.
  if (f.fallback == "allow" || f.fallback == "deny") body["wan_fallback"] = f.fallback == "allow";
  else if (f.fallback.empty() && rec.contains("wan_fallback") && rec["wan_fallback"].is_boolean())
    body["wan_fallback"] = rec["wan_fallback"];
  const bool policy_only =
      !create && f.wan.any() && !f.subnets_given && f.parent.empty() && !f.no_parent && f.fallback.empty();
  json policy_body = policy.is_object() ? policy : json::object();
  auto r = policy_only ? api->call("PUT", target + "/wan-policy", &policy_body) : api->call("PUT", target, &body);
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  std::cout << "branch " << f.name << (create ? " created" : " updated") << ": subnets "
            << (body["subnets"].empty() ? "none" : join(body["subnets"].get<std::vector<std::string>>(), ", "))
            << ", parent " << body.value("parent", "none") << ", download cap " << cap_text(policy, "download") << "\n";
  return 0;
}

int branch_ls(const Globals& g) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("GET", "/api/v1/branches");
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  Table t({"NAME", "PARENT", "SUBNETS", "DOWNLOAD CAP", "WINDOWS"});
  for (const auto& b : *r) {
    const json p = b.contains("wan_policy") ? b["wan_policy"] : json();
    std::vector<std::string> subnets;
    for (const auto& s : b.value("subnets", json::array())) subnets.push_back(s.is_string() ? s.get<std::string>() : "?");
    const size_t windows = p.is_object() && p.contains("windows") && p["windows"].is_array() ? p["windows"].size() : 0;
    t.row({b.value("name", "?"), b.contains("parent") && b["parent"].is_string() ? b["parent"].get<std::string>() : "-",
           subnets.empty() ? "-" : join(subnets, ","), cap_text(p, "download"), std::to_string(windows)});
  }
  t.print(std::cout);
  return 0;
}

int branch_rm(const Globals& g, const std::string& name) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("DELETE", "/api/v1/branches/" + path_segment(name));
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  std::cout << "branch " << name << " deleted\n";
  return 0;
}

void branch_flags(CLI::App* cmd, BranchFlags& f, bool set) {
  cmd->add_option("name", f.name, "Branch name")->required();
  cmd->add_option("--subnet", f.subnets, "A CIDR of the branch's LAN (repeat; replaces the list)")
      ->each([&f](const std::string&) { f.subnets_given = true; });
  cmd->add_option("--parent", f.parent, "The hub branch this one fetches through");
  if (set) cmd->add_flag("--no-parent", f.no_parent, "Remove the parent");
  cmd->add_option("--fallback", f.fallback,
                  "Without a live reflector, may endpoints fetch from the origin across the WAN: allow, deny, "
                  "or default (allow)")
      ->check(CLI::IsMember({"allow", "deny", "default"}));
  cmd->add_option("--cap", f.wan.cap, "WAN download cap: 2500000, 2.5MB, 512KiB, 80% (of the link) or none");
  cmd->add_option("--upload-cap", f.wan.upload_cap, "WAN upload cap, same forms");
  cmd->add_option("--window", f.wan.windows, "A time window with its own download cap: \"mon-fri 08:00-18:00 256KiB\" (repeat)");
  cmd->add_option("--utc-offset-min", f.wan.utc_offset_min, "The policy's local time: minutes east of UTC");
  cmd->add_option("--policy-file", f.wan.policy_file, "A whole WAN policy document (JSON, schema 1)");
  if (set) {
    cmd->add_flag("--clear-windows", f.wan.clear_windows, "Drop every time window first");
    cmd->add_flag("--no-policy", f.wan.no_policy, "Remove the WAN policy (nodes run the default: no caps)");
  }
}

}  // namespace

void add_branch_commands(CLI::App& app, Globals& g, Run& run) {
  auto* branch = app.add_subcommand("branch", "Branches: subnets, parent hub, WAN policy (admin)");
  branch->require_subcommand(1);
  auto f = std::make_shared<BranchFlags>();
  auto* create = branch->add_subcommand("create", "Create a branch");
  branch_flags(create, *f, false);
  examples(create, "  bcctl branch create berlin --subnet 10.20.0.0/16 --parent emea --cap 2.5MB \\\n"
                   "      --window \"mon-fri 08:00-18:00 256KiB\"\n");
  create->callback([&g, &run, f] { run = [&g, f] { return put_branch(g, *f, true); }; });
  auto* set = branch->add_subcommand("set", "Change a branch (only what the flags name)");
  branch_flags(set, *f, true);
  examples(set, "  bcctl branch set berlin --cap 5MB\n  bcctl branch set berlin --clear-windows --window \"sat,sun 00:00-24:00 80%\"\n"
                "  bcctl branch set berlin --no-parent --subnet 10.20.0.0/16 --subnet fd00:20::/48\n");
  set->callback([&g, &run, f] { run = [&g, f] { return put_branch(g, *f, false); }; });
  auto* ls = branch->add_subcommand("ls", "List branches");
  examples(ls, "  bcctl branch ls\n  bcctl branch ls -o json\n");
  ls->callback([&g, &run] { run = [&g] { return branch_ls(g); }; });
  auto* rm = branch->add_subcommand("rm", "Delete a branch (refused while anything refers to it)");
  rm->add_option("name", f->name, "Branch name")->required();
  examples(rm, "  bcctl branch rm old-site\n");
  rm->callback([&g, &run, f] { run = [&g, f] { return branch_rm(g, f->name); }; });
}

}  // namespace bc::ctl
