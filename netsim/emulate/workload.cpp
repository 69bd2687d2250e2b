#include "netsim/emulate/workload.hpp"

#include <algorithm>

namespace bc::netsim {

std::vector<LayerVersion> layer_versions(const Scenario& s) {
  std::vector<LayerVersion> out;
  for (std::size_t i = 0; i < s.layers.size(); ++i) {
    LayerKind kind = i == 0 ? LayerKind::base : LayerKind::app;
    out.push_back({i, 1, kind});
    if (s.layers[i].has_v2()) out.push_back({i, 2, kind});
  }
  return out;
}

std::string ref_of(const Scenario& s, const LayerVersion& v) {
  return s.layers[v.layer_index].name + "@" + std::to_string(v.version);
}

namespace {
std::size_t layer_index(const Scenario& s, const std::string& ref) {
  std::string name = ref.substr(0, ref.rfind('@'));
  for (std::size_t i = 0; i < s.layers.size(); ++i)
    if (s.layers[i].name == name) return i;
  return s.layers.size();
}
}  // namespace

std::vector<std::string> stack_after(const Scenario& s, std::vector<std::string> stack, const AssignmentDef& a) {
  const std::string ref = a.layer + "@" + std::to_string(a.version);
  std::erase_if(stack, [&](const std::string& r) { return r.substr(0, r.rfind('@')) == a.layer; });
  stack.push_back(ref);
  std::stable_sort(stack.begin(), stack.end(),
                   [&](const std::string& x, const std::string& y) { return layer_index(s, x) < layer_index(s, y); });
  return stack;
}

}  // namespace bc::netsim
