#include "netsim/report/run_inputs.hpp"

#include <filesystem>

#include "layers/util/fs.hpp"

namespace bc::netsim {

namespace {

using json = nlohmann::json;

Status bad(const std::string& where, const std::string& why) { return Status::invalid_argument(where + ": " + why); }

template <typename T>
Status get(const json& obj, const char* key, const std::string& where, T* out) {
  if (!obj.is_object() || !obj.contains(key)) return bad(where + "." + key, "missing");
  const json& v = obj[key];
  if (!v.is_number()) return bad(where + "." + key, "must be a number");
  if constexpr (std::is_unsigned_v<T>) {
    if (!v.is_number_unsigned()) return bad(where + "." + key, "must be >= 0");
  }
  *out = v.get<T>();
  return Status();
}

template <typename T>
Status get_array(const json& obj, const char* key, const std::string& where, std::vector<T>* out) {
  if (!obj.contains(key) || !obj[key].is_array()) return bad(where + "." + key, "must be an array");
  const json& a = obj[key];
  if (a.size() > kMaxSeriesPoints) return bad(where + "." + key, "too many points");
  for (const json& v : a) {
    if (!v.is_number()) return bad(where + "." + key, "must hold numbers");
    out->push_back(v.get<T>());
  }
  return Status();
}

Status parse_direction(const json& d, const std::string& at, DirectionData* out) {
  if (!d.is_object()) return bad(at, "must be an object");
  const json& c = d.value("counters", json::object());
  BC_RETURN_IF_ERROR(get(c, "bytes_out", at + ".counters", &out->bytes_out));
  std::uint64_t full = 0, loss = 0;
  BC_RETURN_IF_ERROR(get(c, "dropped_queue_full", at + ".counters", &full));
  BC_RETURN_IF_ERROR(get(c, "dropped_loss", at + ".counters", &loss));
  out->drops = full + loss;
  if (d.contains("bytes_by_class")) {
    const json& k = d["bytes_by_class"];
    const std::string kat = at + ".bytes_by_class";
    if (!k.is_object()) return bad(kat, "must be an object");
    const json& bt = k.value("bittorrent", json::object());
    const json& tr = k.value("tracker", json::object());
    BC_RETURN_IF_ERROR(get(bt, "payload_bytes", kat + ".bittorrent", &out->bt_payload_bytes));
    BC_RETURN_IF_ERROR(get(bt, "ip_bytes", kat + ".bittorrent", &out->bt_ip_bytes));
    BC_RETURN_IF_ERROR(get(tr, "ip_bytes", kat + ".tracker", &out->tracker_ip_bytes));
    out->has_classes = true;
  }
  const json& q = d.value("queue_delay", json::object());
  double p50 = 0, p95 = 0, p99 = 0;
  BC_RETURN_IF_ERROR(get(q, "p50_us", at + ".queue_delay", &p50));
  BC_RETURN_IF_ERROR(get(q, "p95_us", at + ".queue_delay", &p95));
  BC_RETURN_IF_ERROR(get(q, "p99_us", at + ".queue_delay", &p99));
  out->queue_delay_p50_ms = p50 / 1000, out->queue_delay_p95_ms = p95 / 1000, out->queue_delay_p99_ms = p99 / 1000;
  const json& s = d.value("series", json::object());
  BC_RETURN_IF_ERROR(get_array(s, "t_ms", at + ".series", &out->t_ms));
  BC_RETURN_IF_ERROR(get_array(s, "bytes_out", at + ".series", &out->bytes));
  BC_RETURN_IF_ERROR(get_array(s, "max_queue_delay_us", at + ".series", &out->max_queue_delay_us));
  if (out->bytes.size() != out->t_ms.size() || out->max_queue_delay_us.size() != out->t_ms.size())
    return bad(at + ".series", "arrays of different lengths");
  const json& cfg = d.value("config", json::object());
  if (cfg.contains("rate_bytes_per_s")) BC_RETURN_IF_ERROR(get(cfg, "rate_bytes_per_s", at + ".config", &out->rate_bytes_per_s));
  // Series added for the governor's figures; runs made before them lack them.
  auto optional = [&](const char* key, auto* v) -> Status {
    if (!s.contains(key)) return Status();
    BC_RETURN_IF_ERROR(get_array(s, key, at + ".series", v));
    if (v->size() != out->t_ms.size()) return bad(at + ".series." + key, "not as long as t_ms");
    return Status();
  };
  BC_RETURN_IF_ERROR(optional("mean_queue_delay_us", &out->mean_queue_delay_us));
  BC_RETURN_IF_ERROR(optional("payload_bytes_out", &out->payload_bytes));
  BC_RETURN_IF_ERROR(optional("xt_bytes_out", &out->xt_bytes));
  BC_RETURN_IF_ERROR(optional("xt_payload_bytes_out", &out->xt_payload_bytes));
  // Per-point histograms {whole ms, packets}: optional, as long as t_ms.
  auto histograms = [&](const char* key, std::vector<std::vector<std::pair<std::int32_t, std::uint32_t>>>* v) -> Status {
    if (!s.contains(key)) return Status();
    const json& h = s[key];
    const std::string hat = at + ".series." + key;
    if (!h.is_array() || h.size() != out->t_ms.size()) return bad(hat, "must be an array as long as t_ms");
    v->resize(h.size());
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (!h[i].is_array() || h[i].size() > 10'001) return bad(hat, "each point must be an array of [ms, packets]");
      for (const json& pair : h[i]) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() || !pair[1].is_number_unsigned())
          return bad(hat, "each entry must be [ms, packets]");
        const std::int64_t ms = pair[0].get<std::int64_t>();
        if (ms < 0 || ms > 10'000) return bad(hat, "ms out of [0, 10000]");
        (*v)[i].emplace_back(std::int32_t(ms), pair[1].get<std::uint32_t>());
      }
    }
    return Status();
  };
  BC_RETURN_IF_ERROR(histograms("xt_queue_delay_ms", &out->xt_queue_delay_ms));
  BC_RETURN_IF_ERROR(histograms("xt_added_delay_ms", &out->xt_added_delay_ms));
  return Status();
}

Status parse_node(const json& n, const std::string& at, NodeData* out) {
  if (!n.is_object() || !n.contains("name") || !n["name"].is_string()) return bad(at + ".name", "must be a string");
  out->name = n["name"].get<std::string>();
  const json& src = n.value("bytes_by_source", json::object());
  if (!src.is_object()) return bad(at + ".bytes_by_source", "must be an object");
  for (auto it = src.begin(); it != src.end(); ++it) {
    std::uint64_t v = 0;
    BC_RETURN_IF_ERROR(get(src, it.key().c_str(), at + ".bytes_by_source", &v));
    out->bytes_by_source[it.key()] = v;
  }
  const json& cs = n.value("completions", json::array());
  if (!cs.is_array() || cs.size() > kMaxCompletionsPerNode) return bad(at + ".completions", "must be an array of up to 1000");
  for (std::size_t i = 0; i < cs.size(); ++i) {
    std::string ci = at + ".completions[" + std::to_string(i) + "]";
    Completion c;
    if (!cs[i].is_object() || !cs[i].contains("layer") || !cs[i]["layer"].is_string()) return bad(ci + ".layer", "must be a string");
    c.layer = cs[i]["layer"].get<std::string>();
    BC_RETURN_IF_ERROR(get(cs[i], "version", ci, &c.version));
    BC_RETURN_IF_ERROR(get(cs[i], "done_ms", ci, &c.done_ms));
    out->completions.push_back(c);
  }
  return Status();
}

// Hands each object of the optional array nodes[field] (at most
// kMaxReportNodes) to fn(record, where) once it has a string "branch".
template <class Fn>
Status each_branch_record(const json& nodes, const char* field, Fn&& fn) {
  const std::string where = std::string("nodes.json: ") + field;
  const json& records = nodes.value(field, json::array());
  if (!records.is_array() || records.size() > kMaxReportNodes) return bad(where, "must be an array");
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const json& r = records[i];
    if (!r.is_object() || !r.contains("branch") || !r["branch"].is_string()) return bad(at + ".branch", "must be a string");
    BC_RETURN_IF_ERROR(fn(r, at));
  }
  return Status();
}

}  // namespace

Result<RunInputs> parse_run_inputs(const json& links, const json& nodes) {
  RunInputs in;
  if (!links.is_object() || !links.contains("links") || !links["links"].is_object())
    return bad("links.json: links", "must be an object keyed by branch");
  for (auto it = links["links"].begin(); it != links["links"].end(); ++it) {
    std::string at = "links.json: links." + it.key();
    LinkData l;
    l.branch = it.key();
    if (it->contains("series_interval_ms")) BC_RETURN_IF_ERROR(get(*it, "series_interval_ms", at, &l.interval_ms));
    if (l.interval_ms <= 0) return bad(at + ".series_interval_ms", "must be > 0");
    BC_RETURN_IF_ERROR(parse_direction(it->value("a_to_b", json()), at + ".a_to_b", &l.up));
    BC_RETURN_IF_ERROR(parse_direction(it->value("b_to_a", json()), at + ".b_to_a", &l.down));
    in.links.push_back(std::move(l));
  }
  if (!nodes.is_object() || !nodes.contains("nodes") || !nodes["nodes"].is_array())
    return bad("nodes.json: nodes", "must be an array");
  if (nodes["nodes"].size() > kMaxReportNodes) return bad("nodes.json: nodes", "too many nodes");
  for (std::size_t i = 0; i < nodes["nodes"].size(); ++i) {
    NodeData n;
    BC_RETURN_IF_ERROR(parse_node(nodes["nodes"][i], "nodes.json: nodes[" + std::to_string(i) + "]", &n));
    in.nodes.push_back(std::move(n));
  }
  BC_RETURN_IF_ERROR(each_branch_record(nodes, "interactive", [&](const json& r, const std::string& at) -> Status {
    InteractiveData d;
    d.branch = r["branch"].get<std::string>();
    if (r.contains("flow")) BC_RETURN_IF_ERROR(get(r, "flow", at, &d.flow));
    BC_RETURN_IF_ERROR(get_array(r, "latency_ms", at, &d.latency_ms));
    if (r.contains("t_ms")) {
      BC_RETURN_IF_ERROR(get_array(r, "t_ms", at, &d.t_ms));
      if (d.t_ms.size() != d.latency_ms.size()) return bad(at + ".t_ms", "not as long as latency_ms");
    }
    in.interactive.push_back(std::move(d));
    return Status();
  }));
  BC_RETURN_IF_ERROR(each_branch_record(nodes, "window_changes", [&](const json& r, const std::string& at) -> Status {
    WindowChangeData w;
    w.branch = r["branch"].get<std::string>();
    BC_RETURN_IF_ERROR(get(r, "at_ms", at, &w.at_ms));
    BC_RETURN_IF_ERROR(get(r, "end_ms", at, &w.end_ms));
    BC_RETURN_IF_ERROR(get(r, "cap_before_bytes_per_s", at, &w.cap_before_bytes_per_s));
    BC_RETURN_IF_ERROR(get(r, "cap_after_bytes_per_s", at, &w.cap_after_bytes_per_s));
    in.window_changes.push_back(std::move(w));
    return Status();
  }));
  return in;
}

Result<RunInputs> load_run_inputs(const std::string& run_dir) {
  json docs[2];
  const char* names[2] = {"links.json", "nodes.json"};
  for (int i = 0; i < 2; ++i) {
    std::string path = run_dir + "/" + names[i];
    auto text = read_small_file(path, kMaxRunInputBytes);
    if (!text.ok()) return text.status().with_context(path);
    docs[i] = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (docs[i].is_discarded()) return Status::invalid_argument(path + ": not valid JSON");
  }
  BC_ASSIGN_OR_RETURN(RunInputs in, parse_run_inputs(docs[0], docs[1]));
  const std::string content_path = run_dir + "/" + kContentFactsFile;
  std::error_code ec;
  if (!std::filesystem::exists(content_path, ec)) return in;
  auto text = read_small_file(content_path, kMaxRunInputBytes);
  if (!text.ok()) return text.status().with_context(content_path);
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::invalid_argument(content_path + ": not valid JSON");
  auto facts = ContentFacts::from_json(doc);
  if (!facts.ok()) return facts.status().with_context(content_path);
  in.content = std::move(*facts);
  return in;
}

}  // namespace bc::netsim
