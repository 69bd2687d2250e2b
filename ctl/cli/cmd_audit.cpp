// bcctl audit: the tracker's audit log (operator), filtered. The API pages
// by sequence (after, limit); the action and actor filters run here over at
// most kMaxAuditPages pages, so a filter on a long log stays bounded.
#include <iostream>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/table.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

constexpr int kMaxAuditPages = 100;
constexpr int64_t kAuditPage = 1000;  // the tracker's max_audit_page default

struct AuditFlags {
  int64_t after = 0;
  int64_t limit = 100;
  std::string action, actor;
};

// "branch" matches branch.create and branch.update; "branch.create" itself.
bool matches(const json& e, const AuditFlags& f) {
  const std::string action = e.value("action", ""), actor = e.value("actor", "");
  if (!f.action.empty() && action != f.action && action.rfind(f.action + ".", 0) != 0) return false;
  if (!f.actor.empty() && actor.find(f.actor) == std::string::npos) return false;
  return true;
}

int audit(const Globals& g, const AuditFlags& f) {
  if (f.limit < 1) return fail(Exit::usage, "--limit must be at least 1");
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  json kept = json::array();
  int64_t after = f.after;
  const bool filtered = !f.action.empty() || !f.actor.empty();
  for (int page = 0; page < kMaxAuditPages && int64_t(kept.size()) < f.limit; ++page) {
    const int64_t want = filtered ? kAuditPage : std::min(kAuditPage, f.limit - int64_t(kept.size()));
    auto r = api->call("GET", "/api/v1/audit?after=" + std::to_string(after) + "&limit=" + std::to_string(want));
    if (!r.ok()) return fail(r.status());
    const json& entries = (*r)["entries"];
    for (const auto& e : entries) {
      after = std::max<int64_t>(after, e.value("seq", int64_t(0)));
      if (matches(e, f) && int64_t(kept.size()) < f.limit) kept.push_back(e);
    }
    if (int64_t(entries.size()) < want) break;  // the end of the log
  }
  if (g.json()) return print_json({{"entries", kept}}), 0;
  Table t({"SEQ", "TIME", "ACTOR", "ROLE", "ACTION", "TARGET", "FROM"});
  for (const auto& e : kept) {
    std::string actor = e.value("actor", "");
    if (actor.rfind("node:", 0) == 0) actor = "node:" + short_id(actor.substr(5));
    std::string target = e.value("target", "");
    if (target.size() == 64) target = short_id(target);
    t.row({std::to_string(e.value("seq", int64_t(0))), utc_time(e.value("time", int64_t(0))), actor, e.value("role", ""),
           e.value("action", ""), target, e.value("remote", "")});
  }
  t.print(std::cout);
  return 0;
}

}  // namespace

void add_audit_commands(CLI::App& app, Globals& g, Run& run) {
  auto f = std::make_shared<AuditFlags>();
  auto* a = app.add_subcommand("audit", "The audit log (operator): who changed what, when, from where");
  a->add_option("--after", f->after, "Entries after this sequence number");
  a->add_option("--limit", f->limit, "At most this many entries (default 100)");
  a->add_option("--action", f->action, "Only this action, or a family: branch, token, node.revoke ...");
  a->add_option("--actor", f->actor, "Only actors containing this text: token:bootstrap, node:3b9f ...");
  examples(a, "  bcctl audit --limit 20\n  bcctl audit --action branch --actor token:ci\n  bcctl audit --after 120 -o json\n");
  a->callback([&g, &run, f] { run = [&g, f] { return audit(g, *f); }; });
}

}  // namespace bc::ctl
