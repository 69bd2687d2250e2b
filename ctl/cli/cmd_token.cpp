// bcctl token create | ls | revoke: admin tokens (viewer, operator, admin)
// and enrollment tokens (endpoint, reflector). A new token is shown once:
// on stdout, or written to --out FILE (0600) so it never reaches a terminal.
#include <iostream>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/table.hpp"
#include "layers/util/fs.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

struct TokenFlags {
  std::string role, name, branch, out, id;
  bool reusable = false;
  std::optional<int64_t> max_uses, expires_in_s;
};

int token_create(const Globals& g, const TokenFlags& f, bool enrollment) {
  json body = json::object();
  if (enrollment) {
    body["role"] = f.role.empty() ? "endpoint" : f.role;
    if (!f.branch.empty()) body["branch"] = f.branch;
    if (f.reusable) body["reusable"] = true;
    if (f.max_uses) body["max_uses"] = *f.max_uses;
    if (f.expires_in_s) body["expires_in_s"] = *f.expires_in_s;
  } else {
    if (f.role.empty()) return fail(Exit::usage, "--role viewer|operator|admin is required for an admin token");
    body["role"] = f.role;
    if (!f.name.empty()) body["name"] = f.name;
    if (f.expires_in_s) body["expires_in_s"] = *f.expires_in_s;
  }
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("POST", enrollment ? "/api/v1/enrollment-tokens" : "/api/v1/tokens", &body);
  if (!r.ok()) return fail(r.status());
  const std::string token = r->value("token", "");
  if (!f.out.empty()) {
    if (Status s = write_file_atomic(f.out, token + "\n", 0600); !s.ok())
      return fail(Exit::usage, "token " + r->value("id", "") + " created but not saved: " + s.message());
    r->erase("token");
  }
  if (g.json()) return print_json(*r), 0;
  std::cout << (enrollment ? "enrollment" : "admin") << " token " << r->value("id", "") << " (role "
            << r->value("role", "") << ") created";
  if (!f.out.empty()) std::cout << ", saved to " << f.out << "\n";
  else std::cout << "; it is shown once:\n" << token << "\n";
  return 0;
}

int token_ls(const Globals& g, bool enrollment) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("GET", enrollment ? "/api/v1/enrollment-tokens" : "/api/v1/tokens");
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  Table t = enrollment ? Table({"ID", "ROLE", "BRANCH", "USES", "REUSABLE", "EXPIRES"})
                       : Table({"ID", "ROLE", "NAME", "CREATED", "BY"});
  for (const auto& k : *r) {
    if (enrollment)
      t.row({k.value("id", "?"), k.value("role", "?"), k["branch"].is_string() ? k["branch"].get<std::string>() : "-",
             std::to_string(k.value("uses", int64_t(0))) +
                 (k["max_uses"].is_number() ? "/" + std::to_string(k["max_uses"].get<int64_t>()) : ""),
             k.value("reusable", false) ? "yes" : "no",
             k["expires_at"].is_number() ? utc_time(k["expires_at"].get<int64_t>()) : "never"});
    else
      t.row({k.value("id", "?"), k.value("role", "?"), k.value("name", ""),
             k["created_at"].is_number() ? utc_time(k["created_at"].get<int64_t>()) : "-", k.value("created_by", "")});
  }
  t.print(std::cout);
  return 0;
}

int token_revoke(const Globals& g, const std::string& id, bool enrollment) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("DELETE", std::string(enrollment ? "/api/v1/enrollment-tokens/" : "/api/v1/tokens/") + path_segment(id));
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  std::cout << (enrollment ? "enrollment" : "admin") << " token " << id << " revoked\n";
  return 0;
}

}  // namespace

void add_token_commands(CLI::App& app, Globals& g, Run& run) {
  auto* token = app.add_subcommand("token", "Admin and enrollment tokens (admin)");
  token->require_subcommand(1);
  auto f = std::make_shared<TokenFlags>();
  auto enrollment = std::make_shared<bool>(false);
  auto* create = token->add_subcommand("create", "Create a token; it is shown once");
  create->require_subcommand(1);
  auto* enroll = create->add_subcommand("enrollment", "A token nodes enroll with");
  enroll->add_option("--role", f->role, "endpoint (default) or reflector");
  enroll->add_option("--branch", f->branch, "Pin enrolled nodes to this branch");
  enroll->add_flag("--reusable", f->reusable, "Usable more than once");
  enroll->add_option("--max-uses", f->max_uses, "At most this many enrollments");
  enroll->add_option("--expires-in", f->expires_in_s, "Seconds until it expires");
  enroll->add_option("--out", f->out, "Write the token to this file (0600) instead of stdout");
  examples(enroll, "  bcctl token create enrollment --branch berlin --reusable --max-uses 500 --expires-in 86400 --out berlin.enroll\n");
  enroll->callback([&g, &run, f] { run = [&g, f] { return token_create(g, *f, true); }; });
  auto* admin = create->add_subcommand("admin", "A token for bcctl, the console or scripts");
  admin->add_option("--role", f->role, "viewer, operator or admin")->required();
  admin->add_option("--name", f->name, "What it is for");
  admin->add_option("--out", f->out, "Write the token to this file (0600) instead of stdout");
  admin->add_option("--expires-in", f->expires_in_s, "Seconds until it expires (default: never)");
  examples(admin, "  bcctl token create admin --role operator --name ci --out ci.token\n"
                  "  bcctl token create admin --role viewer --name audit-2027 --expires-in 604800 --out audit.token\n");
  admin->callback([&g, &run, f] { run = [&g, f] { return token_create(g, *f, false); }; });

  auto* ls = token->add_subcommand("ls", "List tokens (their ids; tokens themselves are never stored)");
  ls->add_flag("--enrollment", *enrollment, "List enrollment tokens instead of admin tokens");
  examples(ls, "  bcctl token ls\n  bcctl token ls --enrollment -o json\n");
  ls->callback([&g, &run, enrollment] { run = [&g, enrollment] { return token_ls(g, *enrollment); }; });
  auto* revoke = token->add_subcommand("revoke", "Revoke a token by id");
  revoke->add_option("id", f->id, "Token id")->required();
  revoke->add_flag("--enrollment", *enrollment, "An enrollment token");
  examples(revoke, "  bcctl token revoke 3f1c0a...\n  bcctl token revoke --enrollment 9b2e...\n");
  revoke->callback([&g, &run, f, enrollment] { run = [&g, f, enrollment] { return token_revoke(g, f->id, *enrollment); }; });
}

}  // namespace bc::ctl
