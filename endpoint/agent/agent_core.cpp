#include "endpoint/agent/agent_core.hpp"

#include <set>

#include "layers/model/manifest.hpp"

namespace bc::endpoint {

const char* to_string(LayerPhase p) {
  switch (p) {
    case LayerPhase::downloading: return "downloading";
    case LayerPhase::complete: return "complete";
    case LayerPhase::failed: return "failed";
  }
  return "unknown";
}

Status AgentCoreOptions::validate() const {
  if (retry_after_ms < 0) return Status::invalid_argument("retry_after_ms must be >= 0");
  if (max_stack_layers == 0) return Status::invalid_argument("max_stack_layers must be > 0");
  return Status();
}

namespace {
// A stack naming a layer name twice cannot be applied (one version per name).
std::string stack_problem(const AgentCoreOptions& options, const std::vector<std::string>& stack) {
  if (stack.size() > options.max_stack_layers)
    return "desired stack has " + std::to_string(stack.size()) + " layers, more than " +
           std::to_string(options.max_stack_layers);
  std::set<std::string> names;
  for (const auto& ref : stack) {
    auto at = ref.rfind('@');
    if (at == std::string::npos || at == 0) return "desired stack entry '" + ref + "' is not name@version";
    if (!names.insert(ref.substr(0, at)).second)
      return "desired stack names layer '" + ref.substr(0, at) + "' twice";
  }
  return {};
}

// True when an older version of `ref`'s layer is still downloading here.
bool older_version_downloading(const std::string& ref, const std::map<std::string, LocalLayer>& local) {
  auto want = LayerRef::parse(ref);
  if (!want.ok()) return false;
  for (const auto& [held, l] : local) {
    if (l.phase != LayerPhase::downloading) continue;
    auto r = LayerRef::parse(held);
    if (r.ok() && r->name == want->name && r->version < want->version) return true;
  }
  return false;
}
}  // namespace

CoreActions decide(const AgentCoreOptions& options, const CoreInput& in) {
  CoreActions out;
  out.error = stack_problem(options, in.desired);
  if (!out.error.empty()) return out;
  if (in.desired.empty()) return out;
  bool all_complete = true;
  for (const auto& ref : in.desired) {
    auto it = in.local.find(ref);
    if (it == in.local.end()) {
      (older_version_downloading(ref, in.local) ? out.waiting : out.fetch).push_back(ref);
      all_complete = false;
      continue;
    }
    const LocalLayer& l = it->second;
    if (l.phase == LayerPhase::complete) continue;
    all_complete = false;
    if (l.phase == LayerPhase::failed) {
      out.failed.push_back(ref);
      if (in.now_ms - l.failed_at_ms >= options.retry_after_ms) out.fetch.push_back(ref);
    }
  }
  out.converged = in.applied == in.desired;
  out.apply = all_complete && !out.converged;
  return out;
}

}  // namespace bc::endpoint
