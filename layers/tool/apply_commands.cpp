// bc-layer apply, rollback, status and diff.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "layers/apply/applier.hpp"
#include "layers/diff/layer_diff.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/tool/commands.hpp"
#include "layers/tool/progress.hpp"

namespace bc::tool {

// Stage progress is shown only when it is worth a bar.
static constexpr uint64_t kProgressMinBytes = 64u << 20;

static void print_recovered(const std::string& what) {
  if (!what.empty()) std::printf("recovery: %s\n", what.c_str());
}

static ApplyOptions target_options(const std::string& root, int keep_generations) {
  ApplyOptions o;
  o.root = root;
  o.keep_generations = keep_generations;
  return o;
}

int cmd_apply(const ApplyArgs& a) {
  auto pk = load_public_key(a.pubkey);
  if (!pk.ok()) return fail(pk.status());
  std::vector<LayerDir> dirs;
  std::vector<std::unique_ptr<TrustedManifest>> trusted;
  std::vector<StackLayer> stack;
  uint64_t total = 0;
  for (const auto& d : a.layers) {
    auto l = load_layer_dir(d);
    if (!l.ok()) return fail(l.status());
    auto tm = l->trust(*pk);
    if (!tm.ok()) return fail(tm.status().with_context(d));
    trusted.push_back(std::make_unique<TrustedManifest>(std::move(*tm)));
    total += trusted.back()->manifest().total_file_bytes();
    stack.push_back({trusted.back().get(), l->payload_dir, l->bins_dir});
    dirs.push_back(std::move(*l));
  }
  ApplyOptions o = target_options(a.root, a.keep_generations);
  Progress bar("stage");
  if (total >= kProgressMinBytes) o.progress = [&](uint64_t d, uint64_t t) { bar.update(d, t); };
  auto rep = apply_stack(o, stack);
  if (!rep.ok()) return fail(rep.status());
  print_recovered(rep->recovered);
  const PlanStats& s = rep->stats;
  std::printf("applied generation %lld to %s:", (long long)rep->generation, a.root.c_str());
  for (const auto& l : stack) std::printf(" %s", l.manifest->manifest().ref().to_string().c_str());
  std::printf("\n  created %llu, replaced %llu, removed %llu, kept %llu (%llu mode changes)\n",
              (unsigned long long)s.created, (unsigned long long)s.replaced,
              (unsigned long long)s.removed, (unsigned long long)s.kept,
              (unsigned long long)s.mode_changes);
  std::printf("  user entries preserved: %llu left in place, %llu moved to the rollback snapshot\n",
              (unsigned long long)s.user_kept, (unsigned long long)s.user_backed_up);
  std::printf("  staged %llu files, %s (verified against the manifest); %zu steps\n",
              (unsigned long long)s.staged_files, human_bytes(s.staged_bytes).c_str(), rep->steps);
  return 0;
}

int cmd_rollback(const std::string& root, int keep) {
  auto rep = rollback_target(target_options(root, keep));
  if (!rep.ok()) return fail(rep.status());
  print_recovered(rep->recovered);
  std::string stack;
  for (const auto& r : rep->stack) stack += " " + r;
  std::printf("rolled back %s from generation %lld to %lld:%s\n", root.c_str(),
              (long long)rep->from_generation, (long long)rep->to_generation,
              stack.empty() ? " (the original tree, no stack)" : stack.c_str());
  const RollbackStats& s = rep->stats;
  std::printf("  restored %llu, removed %llu, modes reset %llu, rescued %llu\n",
              (unsigned long long)s.restored, (unsigned long long)s.removed,
              (unsigned long long)s.modes, (unsigned long long)s.rescued);
  for (const auto& [path, where] : rep->rescued)
    std::printf("  rescued your changes to %s into %s/%s\n", path.c_str(), root.c_str(),
                where.c_str());
  return 0;
}

int cmd_status(const std::string& root, int keep) {
  auto st = target_status(target_options(root, keep));
  if (!st.ok()) return fail(st.status());
  print_recovered(st->recovered);
  std::printf("generation %lld:", (long long)st->state.generation);
  if (st->state.stack.empty()) std::printf(" (no stack applied)");
  for (const auto& r : st->state.stack) std::printf(" %s", r.c_str());
  std::printf("\n  %zu paths owned by the stack\n", st->state.installed.size());
  for (const auto& g : st->rollback_to) {
    std::printf("  rollback -> generation %lld:", (long long)g.generation);
    if (g.stack.empty()) std::printf(" (the original tree)");
    for (const auto& r : g.stack) std::printf(" %s", r.c_str());
    std::printf("\n");
  }
  return 0;
}

static Result<std::optional<TorrentFacts>> facts_of(const LayerDir& l) {
  if (l.torrent.empty()) return std::optional<TorrentFacts>();
  BC_ASSIGN_OR_RETURN(TorrentFacts f, read_layer_torrent(l.torrent));
  return std::optional<TorrentFacts>(std::move(f));
}

static void print_diff_json(const Manifest& ma, const Manifest& mb, const LayerDiff& d) {
  nlohmann::json j = {{"a", ma.ref().to_string()},
                      {"b", mb.ref().to_string()},
                      {"added", d.added},
                      {"removed", d.removed},
                      {"b_file_bytes", d.b_file_bytes},
                      {"bytes_to_move", d.bytes_to_move}};
  j["changed"] = nlohmann::json::array();
  for (const auto& c : d.changed) j["changed"].push_back({{"path", c.path}, {"what", c.what}});
  j["costs"] = nlohmann::json::array();
  for (const auto& c : d.costs)
    j["costs"].push_back({{"path", c.path},
                          {"size", c.size},
                          {"bytes_to_move", c.bytes_to_move},
                          {"pieces_total", c.pieces_total},
                          {"pieces_new", c.pieces_new},
                          {"reason", c.reason}});
  std::printf("%s\n", j.dump(2).c_str());
}

int cmd_diff(const std::string& a, const std::string& b, bool as_json) {
  auto la = load_layer_dir(a);
  if (!la.ok()) return fail(la.status());
  auto lb = load_layer_dir(b);
  if (!lb.ok()) return fail(lb.status());
  auto ma = la->peek();
  if (!ma.ok()) return fail(ma.status().with_context(a));
  auto mb = lb->peek();
  if (!mb.ok()) return fail(mb.status().with_context(b));
  auto ta = facts_of(*la);
  if (!ta.ok()) return fail(ta.status().with_context(a));
  auto tb = facts_of(*lb);
  if (!tb.ok()) return fail(tb.status().with_context(b));
  LayerDiff d =
      diff_layers(*ma, ta->has_value() ? &**ta : nullptr, *mb, tb->has_value() ? &**tb : nullptr);
  if (as_json) {
    print_diff_json(*ma, *mb, d);
    return 0;
  }
  std::printf("diff %s -> %s\n", ma->ref().to_string().c_str(), mb->ref().to_string().c_str());
  for (const auto& p : d.added) std::printf("  + %s\n", p.c_str());
  for (const auto& p : d.removed) std::printf("  - %s\n", p.c_str());
  for (const auto& c : d.changed) std::printf("  ~ %s (%s)\n", c.path.c_str(), c.what.c_str());
  for (const auto& c : d.costs) {
    if (c.reason == "pieces")
      std::printf("    %s: %llu of %llu pieces new, %s\n", c.path.c_str(),
                  (unsigned long long)c.pieces_new, (unsigned long long)c.pieces_total,
                  human_bytes(c.bytes_to_move).c_str());
    else
      std::printf("    %s: %s, %s\n", c.path.c_str(), c.reason.c_str(),
                  human_bytes(c.bytes_to_move).c_str());
  }
  std::printf("%zu added, %zu removed, %zu changed; a holder of %s fetches %s of %s (%.1f%%)\n",
              d.added.size(), d.removed.size(), d.changed.size(), ma->ref().to_string().c_str(),
              human_bytes(d.bytes_to_move).c_str(), human_bytes(d.b_file_bytes).c_str(),
              d.b_file_bytes ? 100.0 * double(d.bytes_to_move) / double(d.b_file_bytes) : 0.0);
  return 0;
}

}  // namespace bc::tool
