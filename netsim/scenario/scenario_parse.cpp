#include <algorithm>
#include "netsim/scenario/scenario_parse.hpp"

#include <cmath>
#include <set>

#include <toml++/toml.h>

#include "layers/util/fs.hpp"
#include "netsim/wanem/link_options.hpp"

namespace bc::netsim {

namespace {

// Reads fields of one table; remembers the first error.
class Reader {
 public:
  Reader(const toml::table& t, std::string at, Status* err) : t_(t), at_(std::move(at)), err_(err) {}

  std::string path(const std::string& key) const { return at_.empty() ? key : at_ + "." + key; }
  bool has(const char* key) const { return t_.contains(key); }

  void keys(std::set<std::string> allowed) {
    for (const auto& [k, v] : t_) {
      if (!allowed.count(std::string(k.str()))) fail(path(std::string(k.str())), "unknown field");
    }
  }
  void fail(const std::string& where, const std::string& why) {
    if (err_->ok()) *err_ = Status::invalid_argument(where + ": " + why);
  }

  // Numbers (integer or float) into a double; false when absent.
  bool number(const char* key, double* out) {
    const toml::node* n = t_.get(key);
    if (n == nullptr) return false;
    if (auto i = n->value_exact<int64_t>()) {
      *out = static_cast<double>(*i);
    } else if (auto d = n->value_exact<double>()) {
      *out = *d;
    } else {
      fail(path(key), "must be a number");
      return false;
    }
    if (!std::isfinite(*out)) {
      fail(path(key), "must be finite");
      return false;
    }
    return true;
  }
  // A non-negative number scaled to an integer unit (Mbit/s -> bytes/s, s -> ms).
  template <typename T>
  void scaled(const char* key, double scale, T* out, bool required = false) {
    double v = 0;
    if (!number(key, &v)) {
      if (required && !has(key)) fail(path(key), "missing");
      return;
    }
    if (v < 0 || v * scale > 9.2e18) return fail(path(key), "must be >= 0 and in range");
    *out = static_cast<T>(std::llround(v * scale));
  }
  void real(const char* key, double* out) { number(key, out); }
  void string(const char* key, std::string* out, bool required = false) {
    const toml::node* n = t_.get(key);
    if (n == nullptr) {
      if (required) fail(path(key), "missing");
      return;
    }
    auto s = n->value_exact<std::string>();
    if (!s) return fail(path(key), "must be a string");
    *out = *s;
  }
  void strings(const char* key, std::vector<std::string>* out) {
    const toml::node* n = t_.get(key);
    if (n == nullptr) return;
    const toml::array* a = n->as_array();
    if (a == nullptr || a->size() > kMaxScenarioBranches) return fail(path(key), "must be an array of up to 64 strings");
    for (const auto& e : *a) {
      auto s = e.value_exact<std::string>();
      if (!s) return fail(path(key), "must be an array of strings");
      out->push_back(*s);
    }
  }
  const toml::table* table(const char* key) {
    const toml::node* n = t_.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(path(key), "must be a table");
    return n->as_table();
  }
  // An array of tables, at most `max` long; each visited with its index path.
  template <typename F>
  void tables(const char* key, std::size_t max, F&& each) {
    const toml::node* n = t_.get(key);
    if (n == nullptr) return;
    const toml::array* a = n->as_array();
    if (a == nullptr) return fail(path(key), "must be an array of tables ([[" + path(key) + "]])");
    if (a->size() > max) return fail(path(key), "more than " + std::to_string(max) + " entries");
    for (std::size_t i = 0; i < a->size() && err_->ok(); ++i) {
      const toml::table* t = (*a)[i].as_table();
      std::string at = path(key) + "[" + std::to_string(i) + "]";
      if (t == nullptr) return fail(at, "must be a table");
      Reader r(*t, at, err_);
      each(r);
    }
  }
  Status* err() { return err_; }

 private:
  const toml::table& t_;
  std::string at_;
  Status* err_;
};

constexpr double kMbit = 1e6 / 8;
constexpr double kMs = 1000;

void read_wan(Reader& r, WanDef* w) {
  r.keys({"down_mbit", "up_mbit", "rtt_ms", "queue_bytes", "queue_ms", "loss"});
  r.scaled("down_mbit", kMbit, &w->down_bytes_per_s, true);
  r.scaled("up_mbit", kMbit, &w->up_bytes_per_s, true);
  if (!r.has("rtt_ms")) r.fail(r.path("rtt_ms"), "missing");
  r.real("rtt_ms", &w->rtt_ms);
  r.scaled("queue_bytes", 1, &w->queue_bytes);
  r.real("queue_ms", &w->queue_ms);
  r.real("loss", &w->loss);
}

void read_cross(Reader& r, CrossFlowDef* f) {
  r.keys({"kind", "direction", "start_s", "stop_s", "rate_mbit", "request_bytes", "response_bytes", "interval_ms",
          "congestion_control"});
  std::string kind, dir = "down";
  r.string("kind", &kind, true);
  r.string("direction", &dir);
  if (kind == "constant") f->kind = CrossKind::constant;
  else if (kind == "interactive") f->kind = CrossKind::interactive;
  else if (!kind.empty()) r.fail(r.path("kind"), "must be \"constant\" or \"interactive\"");
  if (dir == "down") f->direction = Direction::down;
  else if (dir == "up") f->direction = Direction::up;
  else r.fail(r.path("direction"), "must be \"down\" or \"up\"");
  r.scaled("start_s", kMs, &f->start_ms);
  if (r.has("stop_s")) r.scaled("stop_s", kMs, &f->stop_ms);
  r.scaled("rate_mbit", kMbit, &f->rate_bytes_per_s, f->kind == CrossKind::constant);
  bool inter = f->kind == CrossKind::interactive;
  r.scaled("request_bytes", 1, &f->request_bytes, inter);
  r.scaled("response_bytes", 1, &f->response_bytes, inter);
  r.scaled("interval_ms", 1, &f->interval_ms, inter);
  r.string("congestion_control", &f->congestion_control);
  if (!f->congestion_control.empty()) {
    const std::string& cc = f->congestion_control;
    const bool name_ok = cc.size() < 16 && std::all_of(cc.begin(), cc.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!name_ok) r.fail(r.path("congestion_control"), "must be a TCP congestion control name such as \"cubic\"");
    else if (!inter) r.fail(r.path("congestion_control"), "applies to interactive flows only (constant flows are UDP)");
  }
}

void read_branch(Reader& r, BranchDef* b) {
  r.keys({"name", "wan", "reflectors", "endpoints", "lan_mbit", "reflector_disk_mib", "endpoint_disk_mib",
          "cross_traffic", "wan_policy", "governor", "cap_window"});
  r.string("name", &b->name, true);
  if (const toml::table* w = r.table("wan")) {
    Reader wr(*w, r.path("wan"), r.err());
    read_wan(wr, &b->wan);
  } else if (!r.has("wan")) {
    r.fail(r.path("wan"), "missing");
  }
  r.scaled("reflectors", 1, &b->reflectors);
  r.scaled("endpoints", 1, &b->endpoints);
  r.scaled("lan_mbit", kMbit, &b->lan_bytes_per_s);
  r.scaled("reflector_disk_mib", 1 << 20, &b->reflector_disk_bytes);
  r.scaled("endpoint_disk_mib", 1 << 20, &b->endpoint_disk_bytes);
  r.tables("cross_traffic", kMaxCrossFlowsPerBranch, [&](Reader& cr) {
    b->cross_traffic.emplace_back();
    read_cross(cr, &b->cross_traffic.back());
  });
  r.string("wan_policy", &b->wan_policy_json);
  if (b->wan_policy_json.size() > governor::kMaxPolicyJsonBytes) r.fail(r.path("wan_policy"), "longer than 64 KiB");
  std::string mode = "on";
  r.string("governor", &mode);
  if (mode == "on") b->governor = GovernorMode::on;
  else if (mode == "ledbat") b->governor = GovernorMode::ledbat;
  else if (mode == "off-tcp") b->governor = GovernorMode::off_tcp;
  else r.fail(r.path("governor"), "must be \"on\", \"ledbat\" or \"off-tcp\"");
  if (const toml::table* w = r.table("cap_window")) {
    Reader wr(*w, r.path("cap_window"), r.err());
    wr.keys({"after_s", "down_mbit", "minutes"});
    CapWindowDef c;
    wr.scaled("after_s", kMs, &c.after_ms);
    wr.scaled("down_mbit", kMbit, &c.down_bytes_per_s, true);
    wr.scaled("minutes", 1, &c.minutes);
    b->cap_window = c;
  }
}

void read_layer(Reader& r, LayerDef* l) {
  r.keys({"name", "content", "size_mib", "file_mix", "v2_change_ratio", "subtree", "v2"});
  r.string("name", &l->name, true);
  std::string content = "random";
  r.string("content", &content);
  if (content == "realistic") l->content = LayerContent::realistic;
  else if (content != "random") r.fail(r.path("content"), "must be \"random\" or \"realistic\"");
  // A random layer needs its size; a realistic one takes the root's (and
  // validate() refuses size_mib there, naming the field).
  r.scaled("size_mib", 1 << 20, &l->size_bytes, l->content == LayerContent::random);
  r.string("subtree", &l->subtree);
  std::string v2;
  r.string("v2", &v2);
  if (v2 == "upgrade") l->v2_upgrade = true;
  else if (!v2.empty()) r.fail(r.path("v2"), "must be \"upgrade\" (the same subtree of the upgraded root)");
  r.tables("file_mix", kMaxFileMixEntries, [&](Reader& fr) {
    fr.keys({"file_kib", "share"});
    FileMixEntry e;
    fr.scaled("file_kib", 1024, &e.file_bytes, true);
    if (!fr.has("share")) fr.fail(fr.path("share"), "missing");
    fr.real("share", &e.share);
    l->file_mix.push_back(e);
  });
  double ratio = 0;
  if (r.number("v2_change_ratio", &ratio)) l->v2_change_ratio = ratio;
}

void read_top(Reader& r, Scenario* s) {
  r.keys({"name", "seed", "duration_s", "datacenter", "branches", "layers", "assignments", "faults"});
  r.string("name", &s->name, true);
  r.scaled("seed", 1, &s->seed);
  r.scaled("duration_s", kMs, &s->duration_ms, true);
  if (const toml::table* dc = r.table("datacenter")) {
    Reader dr(*dc, "datacenter", r.err());
    dr.keys({"uplink_mbit"});
    dr.scaled("uplink_mbit", kMbit, &s->datacenter.uplink_bytes_per_s);
  }
  r.tables("branches", kMaxScenarioBranches, [&](Reader& br) {
    s->branches.emplace_back();
    read_branch(br, &s->branches.back());
  });
  r.tables("layers", kMaxScenarioLayers, [&](Reader& lr) {
    s->layers.emplace_back();
    read_layer(lr, &s->layers.back());
  });
  r.tables("assignments", kMaxAssignments, [&](Reader& ar) {
    ar.keys({"at_s", "layer", "version", "branches"});
    AssignmentDef a;
    ar.scaled("at_s", kMs, &a.at_ms);
    ar.string("layer", &a.layer, true);
    ar.scaled("version", 1, &a.version);
    ar.strings("branches", &a.branches);
    s->assignments.push_back(a);
  });
  r.tables("faults", kMaxFaults, [&](Reader& fr) {
    fr.keys({"kind", "at_s", "until_s", "node", "branch"});
    FaultDef f;
    std::string kind;
    fr.string("kind", &kind, true);
    if (kind == "kill_reflector") f.kind = FaultKind::kill_reflector;
    else if (kind == "stop_tracker") f.kind = FaultKind::stop_tracker;
    else if (kind == "cut_wan") f.kind = FaultKind::cut_wan;
    else if (!kind.empty()) fr.fail(fr.path("kind"), "must be kill_reflector, stop_tracker or cut_wan");
    if (!fr.has("at_s")) fr.fail(fr.path("at_s"), "missing");
    fr.scaled("at_s", kMs, &f.at_ms);
    if (fr.has("until_s")) fr.scaled("until_s", kMs, &f.until_ms);
    fr.string("node", &f.node, f.kind == FaultKind::kill_reflector);
    fr.string("branch", &f.branch, f.kind == FaultKind::cut_wan);
    s->faults.push_back(f);
  });
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view toml_text) {
  if (toml_text.size() > kMaxScenarioTomlBytes) return Status::invalid_argument("scenario: larger than 1 MiB");
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return Status::invalid_argument("scenario: TOML syntax error at line " + std::to_string(b.line) + " column " +
                                    std::to_string(b.column) + ": " + std::string(e.description()));
  }
  Scenario s;
  Status err;
  Reader r(root, "", &err);
  read_top(r, &s);
  BC_RETURN_IF_ERROR(err);
  BC_RETURN_IF_ERROR(s.validate());
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  auto text = read_small_file(path, kMaxScenarioTomlBytes);
  if (!text.ok()) return text.status().with_context(path);
  auto s = parse_scenario(*text);
  if (!s.ok()) return s.status().with_context(path);
  return s;
}

}  // namespace bc::netsim
