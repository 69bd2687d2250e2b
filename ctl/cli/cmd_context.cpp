// bcctl context add | use | ls | rm: named trackers with their pinned CA and
// token, kubectl style. `add` pins the tracker's CA the way nodes do at
// enrollment (node/tracker_pin.hpp): from a file, by fingerprint, or trusted
// on first use with a loud warning; the token goes out only over a
// connection checked against the pinned CA.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/table.hpp"
#include "layers/pki/pki.hpp"
#include "layers/util/fs.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

struct AddFlags {
  std::string name, tracker, ca_file, ca_fingerprint, token_file;
  bool use = false, insecure_plain_http = false;
};

// "ab12..." from "AB:12:..." (colons, spaces and case ignored); "" unless 64 hex.
std::string normalize_fingerprint(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out.size() == 64 ? out : "";
}

Result<std::string> read_token(const AddFlags& f) {
  std::string token;
  if (!f.token_file.empty()) {
    BC_ASSIGN_OR_RETURN(token, read_small_file(f.token_file, 4096));
  } else if (const char* env = std::getenv("BCCTL_TOKEN"); env && *env) {
    token = env;
  } else {
    return Status::invalid_argument("no token: give --token-file FILE (or set BCCTL_TOKEN)");
  }
  token = trim(token);
  if (token.empty()) return Status::invalid_argument("the token is empty (" + f.token_file + ")");
  return token;
}

// The CA PEM to pin: the admin's file, or the one the tracker serves at
// GET /api/v1/tracker (read over an unchecked connection, nothing secret
// sent), checked against --ca-fingerprint when given.
Result<std::string> obtain_ca(const AddFlags& f, const tracker::HttpClientOptions& base, std::string* fp) {
  if (!f.ca_file.empty()) {
    BC_ASSIGN_OR_RETURN(std::string pem, read_small_file(f.ca_file, 1 << 20));
    auto info = pki::inspect(pem);
    if (!info.ok()) return Status::invalid_argument("--ca " + f.ca_file + ": not a PEM certificate: " + info.status().message());
    *fp = info->fingerprint_sha256;
    return pem;
  }
  tracker::HttpClientOptions o = base;
  o.tls_verify = false;
  tracker::HttpClient http(o);
  auto r = http.request("GET", "/api/v1/tracker", "", {});
  if (!r.ok()) return Status::unavailable("cannot read the CA of " + f.tracker + ": " + r.status().message());
  if (r->status != 200) return status_for_http(r->status, r->body);
  json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("ca_cert") || !j["ca_cert"].is_string())
    return Status::unavailable(f.tracker + " does not serve a CA at /api/v1/tracker: is it a bc-tracker?");
  const std::string pem = j["ca_cert"];
  BC_ASSIGN_OR_RETURN(auto info, pki::inspect(pem));
  *fp = info.fingerprint_sha256;
  if (!f.ca_fingerprint.empty()) {
    if (*fp != normalize_fingerprint(f.ca_fingerprint))
      return Status::unavailable("tracker at " + f.tracker + " serves a CA with SHA256 " + pki::colon_fingerprint(*fp) +
                                 ", not the pinned " + pki::colon_fingerprint(normalize_fingerprint(f.ca_fingerprint)) +
                                 ": refusing it (check the URL, or the fingerprint bc-tracker logs at start)");
    return pem;
  }
  std::cerr << "!!! bcctl: NO CA GIVEN: trusting the CA that " << f.tracker << " serves ON FIRST USE:\n"
            << "!!!   SHA256 " << pki::colon_fingerprint(*fp) << "\n"
            << "!!! Compare it with the fingerprint bc-tracker logs at start; pin it instead with\n"
            << "!!!   --ca-fingerprint HEX or --ca FILE (the tracker's DATA/pki/ca.pem).\n";
  return pem;
}

int context_add(const Globals& g, const AddFlags& f) {
  if (Status s = check_context_name(f.name); !s.ok()) return fail(Exit::usage, s.message());
  if (!f.ca_file.empty() && !f.ca_fingerprint.empty())
    return fail(Exit::usage, "give --ca FILE or --ca-fingerprint HEX, not both");
  if (!f.ca_fingerprint.empty() && normalize_fingerprint(f.ca_fingerprint).empty())
    return fail(Exit::usage, "--ca-fingerprint must be 64 hex digits (colons and case ignored)");
  const std::string path = config_path(g.config_flag);
  auto cfg = load_config(path);
  if (!cfg.ok()) return fail(Exit::usage, cfg.status().message());
  auto token = read_token(f);
  if (!token.ok()) return fail(Exit::usage, token.status().message());
  auto opts = http_options(f.tracker, "", f.insecure_plain_http);
  if (!opts.ok()) return fail(Exit::usage, opts.status().message());
  Context c{f.tracker, "", "", *token, f.insecure_plain_http};
  // The CA goes to a scratch file until the token's first trip succeeded:
  // a failed add must not replace the CA an existing context of that name pins.
  const std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  const std::string final_ca = (dir / (f.name + "-ca.pem")).string(), scratch_ca = final_ca + ".new";
  if (opts->tls) {
    std::string fp;
    auto pem = obtain_ca(f, *opts, &fp);
    if (!pem.ok()) return fail(pem.status());
    c.ca_file = scratch_ca;
    c.ca_fingerprint = fp;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (Status s = write_file_atomic(scratch_ca, *pem, 0644); !s.ok()) return fail(Exit::usage, s.message());
  }
  auto discard = [&] {
    std::error_code ec;
    std::filesystem::remove(scratch_ca, ec);
  };
  // The token's first trip, checked against the pinned CA: it must be known.
  auto api = AdminApi::open(c, /*env_token=*/false);
  if (!api.ok()) return discard(), fail(Exit::usage, api.status().message());
  auto probe = (*api)->call("GET", "/api/v1/branches");
  if (!probe.ok()) {
    discard();
    return fail(exit_for(probe.status()), "context " + f.name + " not saved: " + probe.status().message());
  }
  if (opts->tls) {
    std::error_code ec;
    std::filesystem::rename(scratch_ca, final_ca, ec);
    if (ec) return discard(), fail(Exit::usage, "cannot save the CA as " + final_ca + ": " + ec.message());
    c.ca_file = final_ca;
  }
  const bool existed = cfg->contexts.count(f.name) > 0;
  cfg->contexts[f.name] = c;
  if (f.use || cfg->current.empty()) cfg->current = f.name;
  if (Status s = save_config(path, *cfg); !s.ok()) return fail(Exit::usage, s.message());
  std::cout << "context " << f.name << (existed ? " replaced" : " added") << ": " << f.tracker;
  if (!c.ca_fingerprint.empty()) std::cout << " (CA SHA256 " << pki::colon_fingerprint(c.ca_fingerprint) << ")";
  std::cout << (cfg->current == f.name ? ", current" : "") << "\n";
  return 0;
}

int context_use(const Globals& g, const std::string& name) {
  const std::string path = config_path(g.config_flag);
  auto cfg = load_config(path);
  if (!cfg.ok()) return fail(Exit::usage, cfg.status().message());
  auto c = pick_context(*cfg, name);
  if (!c.ok()) return fail(Exit::usage, c.status().message());
  cfg->current = name;
  if (Status s = save_config(path, *cfg); !s.ok()) return fail(Exit::usage, s.message());
  std::cout << "current context: " << name << "\n";
  return 0;
}

int context_ls(const Globals& g) {
  auto cfg = load_config(config_path(g.config_flag));
  if (!cfg.ok()) return fail(Exit::usage, cfg.status().message());
  json out = json::array();
  Table t({"CURRENT", "NAME", "TRACKER", "CA SHA256"});
  for (const auto& [name, c] : cfg->contexts) {  // the token is never shown
    out.push_back({{"name", name}, {"current", name == cfg->current}, {"tracker", c.tracker},
                   {"ca_file", c.ca_file}, {"ca_fingerprint", c.ca_fingerprint}});
    t.row({name == cfg->current ? "*" : "", name, c.tracker,
           c.ca_fingerprint.empty() ? "(plain http)" : pki::colon_fingerprint(c.ca_fingerprint).substr(0, 23) + "..."});
  }
  if (g.json()) print_json(out);
  else t.print(std::cout);
  return 0;
}

int context_rm(const Globals& g, const std::string& name) {
  const std::string path = config_path(g.config_flag);
  auto cfg = load_config(path);
  if (!cfg.ok()) return fail(Exit::usage, cfg.status().message());
  auto c = pick_context(*cfg, name);
  if (!c.ok()) return fail(Exit::usage, c.status().message());
  cfg->contexts.erase(name);
  if (cfg->current == name) cfg->current.clear();
  if (Status s = save_config(path, *cfg); !s.ok()) return fail(Exit::usage, s.message());
  std::error_code ec;
  if (!c->ca_file.empty() && std::filesystem::path(c->ca_file).parent_path() == std::filesystem::absolute(path).parent_path())
    std::filesystem::remove(c->ca_file, ec);  // ours: made by context add
  std::cout << "context " << name << " removed\n";
  return 0;
}

}  // namespace

void add_context_commands(CLI::App& app, Globals& g, Run& run) {
  auto* ctx = app.add_subcommand("context", "Named trackers with their pinned CA and token");
  ctx->require_subcommand(1);
  auto f = std::make_shared<AddFlags>();
  auto* add = ctx->add_subcommand("add", "Add (or replace) a context: pin the tracker's CA, check the token");
  add->add_option("name", f->name, "Context name")->required();
  add->add_option("--tracker", f->tracker, "Tracker URL, https://HOST:PORT")->required();
  add->add_option("--ca", f->ca_file, "The tracker's CA certificate (its DATA/pki/ca.pem)");
  add->add_option("--ca-fingerprint", f->ca_fingerprint, "SHA-256 of the tracker's CA, as bc-tracker logs it");
  add->add_option("--token-file", f->token_file, "File holding the admin token (else $BCCTL_TOKEN)");
  add->add_flag("--use", f->use, "Make it the current context");
  add->add_flag("--insecure-plain-http", f->insecure_plain_http, "Talk plain HTTP (tests only: the token crosses in clear)");
  examples(add, "  bcctl context add prod --tracker https://tracker.corp:8443 --ca-fingerprint 3F:9A:...:C2 --token-file ~/prod.token\n"
                "  bcctl context add lab --tracker https://10.0.0.5:8443 --ca lab-ca.pem --token-file lab.token --use\n");
  add->callback([&g, &run, f] { run = [&g, f] { return context_add(g, *f); }; });

  auto name = std::make_shared<std::string>();
  auto* use = ctx->add_subcommand("use", "Make a context the current one");
  use->add_option("name", *name, "Context name")->required();
  examples(use, "  bcctl context use prod\n");
  use->callback([&g, &run, name] { run = [&g, name] { return context_use(g, *name); }; });

  auto* ls = ctx->add_subcommand("ls", "List contexts (tokens are never shown)");
  examples(ls, "  bcctl context ls\n  bcctl context ls -o json\n");
  ls->callback([&g, &run] { run = [&g] { return context_ls(g); }; });

  auto* rm = ctx->add_subcommand("rm", "Remove a context and its pinned CA file");
  rm->add_option("name", *name, "Context name")->required();
  examples(rm, "  bcctl context rm lab\n");
  rm->callback([&g, &run, name] { run = [&g, name] { return context_rm(g, *name); }; });
}

}  // namespace bc::ctl
