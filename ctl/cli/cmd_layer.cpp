// bcctl layer ls | inspect | diff | retire | push.
#include <unistd.h>

#include <iostream>

#include "ctl/cli/cli_common.hpp"
#include "ctl/cli/push_progress.hpp"
#include "ctl/cli/table.hpp"
#include "layers/diff/layer_diff.hpp"
#include "layers/model/manifest.hpp"
#include "layers/torrent/layer_torrent.hpp"

namespace bc::ctl {

using nlohmann::json;

namespace {

int layer_ls(const Globals& g) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("GET", "/api/v1/layers");
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  Table t({"REF", "KIND", "SIZE", "FILES", "STATE", "INFO HASH"});
  for (const auto& l : *r)
    t.row({l.value("ref", "?"), l.value("kind", "?"), human_bytes(l.value("total_bytes", int64_t(0))),
           std::to_string(l.value("file_count", int64_t(0))), l.value("retired", false) ? "retired" : "active",
           l.value("info_hash", "").substr(0, 16)});
  t.print(std::cout);
  return 0;
}

int layer_inspect(const Globals& g, const std::string& ref) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("GET", "/api/v1/layers/" + path_segment(ref));
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  Table t({"FIELD", "VALUE"});
  for (auto it = r->begin(); it != r->end(); ++it) {
    if (it.key() == "signature" || it.key() == "origin_dir") continue;  // long, and in -o json
    std::string v = it->is_string() ? it->get<std::string>() : it->dump();
    if (it.key() == "total_bytes") v += " (" + human_bytes(it->get<int64_t>()) + ")";
    t.row({it.key(), v});
  }
  t.print(std::cout);
  return 0;
}

// The manifest and torrent facts of `ref`, read through the API.
Status fetch_layer(AdminApi& api, const std::string& ref, Manifest* m, std::optional<TorrentFacts>* tf) {
  auto man = api.get_raw("/api/v1/layers/" + path_segment(ref) + "/manifest");
  if (!man.ok()) return man.status();
  if (man->status != 200) return status_for_http(man->status, man->body);
  BC_ASSIGN_OR_RETURN(*m, Manifest::decode(man->body));
  auto tor = api.get_raw("/api/v1/layers/" + path_segment(ref) + "/torrent");
  if (!tor.ok()) return tor.status();
  if (tor->status == 200) {
    BC_ASSIGN_OR_RETURN(TorrentFacts f, read_layer_torrent(tor->body));
    *tf = f;
  }
  return Status();
}

json diff_json(const std::string& a, const std::string& b, const LayerDiff& d) {
  json changed = json::array(), costs = json::array();
  for (const auto& c : d.changed) changed.push_back({{"path", c.path}, {"what", c.what}});
  for (const auto& c : d.costs)
    costs.push_back({{"path", c.path}, {"size", c.size}, {"bytes_to_move", c.bytes_to_move},
                     {"pieces_total", c.pieces_total}, {"pieces_new", c.pieces_new}, {"reason", c.reason}});
  return {{"a", a}, {"b", b}, {"added", d.added}, {"removed", d.removed}, {"changed", changed},
          {"b_file_bytes", d.b_file_bytes}, {"bytes_to_move", d.bytes_to_move}, {"costs", costs}};
}

int layer_diff(const Globals& g, const std::string& a, const std::string& b) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  Manifest ma, mb;
  std::optional<TorrentFacts> ta, tb;
  if (Status s = fetch_layer(*api, a, &ma, &ta); !s.ok()) return fail(exit_for(s), a + ": " + s.message());
  if (Status s = fetch_layer(*api, b, &mb, &tb); !s.ok()) return fail(exit_for(s), b + ": " + s.message());
  LayerDiff d = diff_layers(ma, ta ? &*ta : nullptr, mb, tb ? &*tb : nullptr);
  if (g.json()) return print_json(diff_json(a, b, d)), 0;
  std::map<std::string, const DiffCost*> cost;
  for (const auto& c : d.costs) cost[c.path] = &c;
  Table t({"CHANGE", "PATH", "SIZE", "TO MOVE", "WHY"});
  auto row = [&](const std::string& what, const std::string& path) {
    const DiffCost* c = cost.count(path) ? cost[path] : nullptr;
    t.row({what, path, c ? human_bytes(int64_t(c->size)) : "-", c ? human_bytes(int64_t(c->bytes_to_move)) : "-",
           c ? c->reason : ""});
  };
  for (const auto& p : d.added) row("added", p);
  for (const auto& c : d.changed) row("changed (" + c.what + ")", c.path);
  for (const auto& p : d.removed) row("removed", p);
  t.print(std::cout);
  const double pct = d.b_file_bytes ? 100.0 * double(d.bytes_to_move) / double(d.b_file_bytes) : 0.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", pct);
  std::cout << "\n" << a << " -> " << b << ": " << d.added.size() << " added, " << d.changed.size() << " changed, "
            << d.removed.size() << " removed; a branch holding " << a << " moves " << human_bytes(int64_t(d.bytes_to_move))
            << " over its WAN (" << buf << " of " << human_bytes(int64_t(d.b_file_bytes)) << ")\n";
  return 0;
}

int layer_retire(const Globals& g, const std::string& ref) {
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  auto r = api->call("POST", "/api/v1/layers/" + path_segment(ref) + "/retire");
  if (!r.ok()) return fail(r.status());
  if (g.json()) return print_json(*r), 0;
  std::cout << "retired " << ref << ": dropped from desired stacks, still downloadable by admins\n";
  return 0;
}

int layer_push(const Globals& g, const PushRequest& req) {
  if (!parse_layer_kind(req.kind))
    return fail(Exit::usage, "--kind " + req.kind + " is not a layer kind (base, app or driver)");
  if (!req.parent.empty() && !LayerRef::parse(req.parent).ok())
    return fail(Exit::usage, "--parent " + req.parent + " is not NAME@VERSION");
  int code = 0;
  auto api = open_api(g, &code);
  if (!api) return code;
  BarProgress progress(::isatty(2) == 1);
  auto r = push_layer(api->target(), req, &progress);
  progress.finish();
  if (!r.ok()) return fail(exit_for(r.status()), "layer push " + req.dir + ": " + r.status().message());
  json out = {{"ref", r->ref}, {"content_bytes", r->content_bytes}, {"sent_bytes", r->sent_bytes},
              {"reused_bytes", r->reused_bytes}, {"resumed", r->resumed}};
  if (g.json()) return print_json(out), 0;
  std::cout << "pushed " << r->ref << ": " << human_bytes(int64_t(r->content_bytes)) << ", sent "
            << human_bytes(int64_t(r->sent_bytes)) << ", already held " << human_bytes(int64_t(r->reused_bytes))
            << (r->resumed ? " (resumed an earlier push)" : "") << "\n";
  return 0;
}

}  // namespace

void add_layer_commands(CLI::App& app, Globals& g, Run& run) {
  auto* layer = app.add_subcommand("layer", "Published layers: list, inspect, diff, retire, push");
  layer->require_subcommand(1);
  auto* ls = layer->add_subcommand("ls", "List layers");
  examples(ls, "  bcctl layer ls\n  bcctl layer ls -o json\n");
  ls->callback([&g, &run] { run = [&g] { return layer_ls(g); }; });

  auto a = std::make_shared<std::string>(), b = std::make_shared<std::string>();
  auto* inspect = layer->add_subcommand("inspect", "Show one layer's record");
  inspect->add_option("ref", *a, "NAME@VERSION")->required();
  examples(inspect, "  bcctl layer inspect base@3\n");
  inspect->callback([&g, &run, a] { run = [&g, a] { return layer_inspect(g, *a); }; });

  auto* diff = layer->add_subcommand("diff", "What changed from A to B and the bytes a branch holding A must move");
  diff->add_option("a", *a, "NAME@VERSION held")->required();
  diff->add_option("b", *b, "NAME@VERSION wanted")->required();
  examples(diff, "  bcctl layer diff base@2 base@3\n  bcctl layer diff base@2 base@3 -o json\n");
  diff->callback([&g, &run, a, b] { run = [&g, a, b] { return layer_diff(g, *a, *b); }; });

  auto* retire = layer->add_subcommand("retire", "Retire a layer (operator): dropped from desired stacks");
  retire->add_option("ref", *a, "NAME@VERSION")->required();
  examples(retire, "  bcctl layer retire base@1\n");
  retire->callback([&g, &run, a] { run = [&g, a] { return layer_retire(g, *a); }; });

  auto req = std::make_shared<PushRequest>();
  auto* push = layer->add_subcommand("push", "Capture a directory here and upload what the tracker lacks (operator)");
  push->add_option("dir", req->dir, "The layer's root directory")->required()->check(CLI::ExistingDirectory);
  push->add_option("--name", req->name, "Layer name")->required();
  push->add_option("--version", req->version, "Layer version")->required();
  push->add_option("--kind", req->kind, "base, app or driver")->required();
  push->add_option("--parent", req->parent, "NAME@VERSION this layer updates (dedup against it)");
  examples(push, "  bcctl layer push ./rootfs --name base --version 3 --kind base --parent base@2\n");
  push->callback([&g, &run, req] { run = [&g, req] { return layer_push(g, *req); }; });
}

}  // namespace bc::ctl
