#include "ctl/cli/ctl_config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "layers/util/fs.hpp"
#include "layers/util/private_dir.hpp"

namespace bc::ctl {

namespace fs = std::filesystem;

std::string config_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* e = std::getenv("BCCTL_CONFIG"); e && *e) return e;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/branchcast/bcctl.toml";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/branchcast/bcctl.toml";
}

Status check_context_name(const std::string& name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos)
    return Status::invalid_argument("context name '" + name.substr(0, 64) +
                                    "' must be 1..64 characters of A-Z a-z 0-9 . _ -");
  return Status();
}

namespace {

Result<Context> read_context(const std::string& name, const toml::table& t, const std::string& path) {
  Context c;
  auto bad = [&](const std::string& key, const char* what) {
    return Status::invalid_argument(path + ": contexts." + name + "." + key + " " + what);
  };
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (key == "insecure_plain_http") {
      if (!v.is_boolean()) return bad(key, "must be true or false");
      c.insecure_plain_http = *v.value<bool>();
      continue;
    }
    if (!v.is_string()) return bad(key, key == "tracker" || key == "ca_file" || key == "ca_fingerprint" ||
                                                key == "token" ? "must be a string" : "is not a known key");
    const std::string s = *v.value<std::string>();
    if (key == "tracker") c.tracker = s;
    else if (key == "ca_file") c.ca_file = s;
    else if (key == "ca_fingerprint") c.ca_fingerprint = s;
    else if (key == "token") c.token = s;
    else return bad(key, "is not a known key (tracker, ca_file, ca_fingerprint, token, insecure_plain_http)");
  }
  if (c.tracker.empty()) return bad("tracker", "is missing");
  return c;
}

}  // namespace

Result<CtlConfig> load_config(const std::string& path) {
  CtlConfig out;
  std::error_code ec;
  if (!fs::exists(path, ec)) return out;
  BC_RETURN_IF_ERROR(check_secret_file(path, "bcctl config (it holds admin tokens)"));
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, 1 << 20));
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(path + ": TOML syntax error at line " + std::to_string(e.source().begin.line) +
                                    ": " + std::string(e.description()));
  }
  for (auto&& [k, v] : root) {
    const std::string key(k.str());
    if (key == "current" && v.is_string()) {
      out.current = *v.value<std::string>();
    } else if (key == "contexts" && v.is_table()) {
      for (auto&& [name, ctx] : *v.as_table()) {
        if (!ctx.is_table()) return Status::invalid_argument(path + ": contexts." + std::string(name.str()) + " must be a table");
        BC_ASSIGN_OR_RETURN(Context c, read_context(std::string(name.str()), *ctx.as_table(), path));
        out.contexts[std::string(name.str())] = c;
      }
    } else {
      return Status::invalid_argument(path + ": unknown or mistyped key '" + key + "' (current, [contexts.NAME])");
    }
  }
  return out;
}

Status save_config(const std::string& path, const CtlConfig& c) {
  toml::table root;
  if (!c.current.empty()) root.insert("current", c.current);
  toml::table contexts;
  for (const auto& [name, ctx] : c.contexts) {
    toml::table t;
    t.insert("tracker", ctx.tracker);
    if (!ctx.ca_file.empty()) t.insert("ca_file", ctx.ca_file);
    if (!ctx.ca_fingerprint.empty()) t.insert("ca_fingerprint", ctx.ca_fingerprint);
    t.insert("token", ctx.token);
    if (ctx.insecure_plain_http) t.insert("insecure_plain_http", true);
    contexts.insert(name, std::move(t));
  }
  root.insert("contexts", std::move(contexts));
  std::ostringstream text;
  text << "# bcctl contexts (bcctl context add|use|ls|rm). Holds admin tokens: keep it 0600.\n" << root << "\n";
  const fs::path dir = fs::absolute(path).parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Status::io_error("cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);
  }
  return write_file_atomic(path, text.str(), 0600);
}

Result<Context> pick_context(const CtlConfig& c, const std::string& flag, std::string* name_out) {
  const std::string name = flag.empty() ? c.current : flag;
  if (name.empty()) {
    if (c.contexts.empty())
      return Status::invalid_argument(
          "no context configured: add one with bcctl context add NAME --tracker https://HOST:PORT --token-file FILE");
    return Status::invalid_argument("no current context: choose one with bcctl context use NAME or --context NAME");
  }
  auto it = c.contexts.find(name);
  if (it == c.contexts.end()) {
    std::string known;
    for (const auto& [n, _] : c.contexts) known += (known.empty() ? "" : ", ") + n;
    return Status::not_found("context '" + name + "' does not exist (known: " + (known.empty() ? "none" : known) +
                             "); add it with bcctl context add " + name);
  }
  if (name_out) *name_out = name;
  return it->second;
}

}  // namespace bc::ctl
