// Per-layer fixed costs, traced: when each step of fetching one layer
// happened, in milliseconds since the node first saw the layer in its
// desired state (issue #17: a small delta pays seconds before its first
// byte; this says where they go). Pure: times come from the caller's clock.
//
// Steps, in order: seen (the desired state names it), metadata (manifest
// and torrent held and verified), staged (prepare_payload copied held
// content), added (torrent in the session), checked (libtorrent's check
// done), first_byte (first payload byte received, as the next progress
// event shows it: an upper bound, late by up to the swarm's
// progress_interval_ms), complete (every piece verified), applied (the stack
// holding it applied). A step may be missing (a layer found complete by its
// check has no first byte).
//
// Thread affinity: the owner's loop thread. Bounded: kMaxLayers layers are
// traced at once; the oldest are dropped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bc::node {

enum class LayerStep { seen, metadata, staged, added, checked, first_byte, complete, applied };
const char* to_string(LayerStep s);

class LayerTimeline {
 public:
  static constexpr size_t kMaxLayers = 64;
  // Records `step` of `ref` at now_ms, once (a repeated step, `seen`
  // included, keeps the first time). Returns the milliseconds since `seen`,
  // or -1 when the layer was never seen (nothing recorded).
  int64_t mark(const std::string& ref, LayerStep step, int64_t now_ms);
  // "seen +0 ms, metadata +12 ms, ..." for the steps recorded; "" if none.
  std::string summary(const std::string& ref) const;
  // Forgets `ref` (after its summary was logged).
  void forget(const std::string& ref) { layers_.erase(ref); }
  bool has(const std::string& ref) const { return layers_.count(ref) != 0; }

 private:
  struct Trace {
    int64_t seen_ms = 0;
    uint64_t order = 0;
    std::vector<std::pair<LayerStep, int64_t>> steps;  // ms since seen
  };
  std::map<std::string, Trace> layers_;
  uint64_t next_order_ = 0;
};

}  // namespace bc::node
