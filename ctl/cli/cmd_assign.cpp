// bcctl assign | unassign | assignments, and group set | ls | rm: which
// stack of layers an endpoint, a group or a branch should run (operator).
#include <iostream>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/table.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

struct AssignFlags {
  std::string endpoint, group, branch;
  std::vector<std::string> stack;
  std::vector<std::string> members;
  std::string name;
};

// "endpoint/ID", "group/NAME" or "branch/NAME" from exactly one flag.
Result<std::string> assignment_target(const AssignFlags& f) {
  int n = !f.endpoint.empty() + !f.group.empty() + !f.branch.empty();
  if (n != 1) return Status::invalid_argument("give exactly one of --endpoint ID, --group NAME, --branch NAME");
  if (!f.endpoint.empty()) return "endpoint/" + path_segment(f.endpoint);
  if (!f.group.empty()) return "group/" + path_segment(f.group);
  return "branch/" + path_segment(f.branch);
}

int assign(const Globals& g, const AssignFlags& f, bool remove) {
  auto target = assignment_target(f);
  if (!target.ok()) return fail(Exit::usage, target.status().message());
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  json body = {{"stack", f.stack}};
  auto r = remove ? api->call("DELETE", "/api/v1/assignments/" + *target)
                  : api->call("PUT", "/api/v1/assignments/" + *target, &body);
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  if (remove) std::cout << "unassigned " << *target << "\n";
  else std::cout << "assigned " << join(f.stack, " ") << " to " << *target << "\n";
  return 0;
}

int assignments(const Globals& g) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("GET", "/api/v1/assignments");
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  Table t({"KIND", "TARGET", "STACK", "UPDATED"});
  for (const auto& a : *r) {
    std::vector<std::string> stack;
    for (const auto& s : a.value("stack", json::array())) stack.push_back(s.is_string() ? s.get<std::string>() : "?");
    t.row({a.value("kind", "?"), a.value("target", "?"), join(stack, " "),
           a["updated_at"].is_number() ? utc_time(a["updated_at"].get<int64_t>()) : "-"});
  }
  t.print(std::cout);
  return 0;
}

int group_cmd(const Globals& g, const AssignFlags& f, const std::string& method) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  json body = {{"members", f.members}};
  auto r = method == "GET" ? api->call("GET", "/api/v1/groups")
                           : api->call(method, "/api/v1/groups/" + path_segment(f.name), method == "PUT" ? &body : nullptr);
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  if (method == "PUT") std::cout << "group " << f.name << ": " << f.members.size() << " members\n";
  if (method == "DELETE") std::cout << "group " << f.name << " deleted (and its assignment)\n";
  if (method != "GET") return 0;
  Table t({"NAME", "MEMBERS"});
  for (const auto& gr : *r) {
    std::vector<std::string> ids;
    for (const auto& m : gr.value("members", json::array())) ids.push_back(short_id(m.is_string() ? m.get<std::string>() : "?"));
    t.row({gr.value("name", "?"), join(ids, ",")});
  }
  t.print(std::cout);
  return 0;
}

}  // namespace

void add_assign_commands(CLI::App& app, Globals& g, Run& run) {
  auto f = std::make_shared<AssignFlags>();
  auto target_flags = [f](CLI::App* c) {
    c->add_option("--endpoint", f->endpoint, "An endpoint's id");
    c->add_option("--group", f->group, "A group's name");
    c->add_option("--branch", f->branch, "A branch's name");
  };
  auto* as = app.add_subcommand("assign", "Assign a stack of layers to an endpoint, a group or a branch (operator)");
  as->add_option("stack", f->stack, "NAME@VERSION..., bottom first")->required();
  target_flags(as);
  examples(as, "  bcctl assign --branch berlin base@3 office@5\n  bcctl assign --group pilot base@4 office@5\n"
               "  bcctl assign --endpoint 3b9f0c... base@4\n");
  as->callback([&g, &run, f] { run = [&g, f] { return assign(g, *f, false); }; });
  auto* un = app.add_subcommand("unassign", "Remove the assignment of an endpoint, a group or a branch (operator)");
  target_flags(un);
  examples(un, "  bcctl unassign --group pilot\n");
  un->callback([&g, &run, f] { run = [&g, f] { return assign(g, *f, true); }; });
  auto* ls = app.add_subcommand("assignments", "List assignments");
  examples(ls, "  bcctl assignments\n  bcctl assignments -o json\n");
  ls->callback([&g, &run] { run = [&g] { return assignments(g); }; });

  auto* group = app.add_subcommand("group", "Groups of endpoints, for assignments (operator)");
  group->require_subcommand(1);
  auto* set = group->add_subcommand("set", "Create or replace a group");
  set->add_option("name", f->name, "Group name")->required();
  set->add_option("--member", f->members, "An endpoint id (repeat)")->required();
  examples(set, "  bcctl group set pilot --member 3b9f0c... --member 77aa01...\n");
  set->callback([&g, &run, f] { run = [&g, f] { return group_cmd(g, *f, "PUT"); }; });
  auto* gls = group->add_subcommand("ls", "List groups");
  gls->callback([&g, &run, f] { run = [&g, f] { return group_cmd(g, *f, "GET"); }; });
  auto* rm = group->add_subcommand("rm", "Delete a group and its assignment");
  rm->add_option("name", f->name, "Group name")->required();
  rm->callback([&g, &run, f] { run = [&g, f] { return group_cmd(g, *f, "DELETE"); }; });
}

}  // namespace bc::ctl
