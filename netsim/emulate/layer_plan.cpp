#include "netsim/emulate/layer_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "layers/util/rng.hpp"

namespace bc::netsim {

namespace {

// A key for (a, b): one SplitMix64 step from a mix of the two.
std::uint64_t mix(std::uint64_t a, std::uint64_t b) { return SplitMix64(a ^ (b * 0xff51afd7ed558ccdull)).next(); }

std::uint64_t name_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string file_path(std::size_t cls, std::size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "c%zu/d%03zu/f%05zu.bin", cls, i / 256, i);
  return buf;
}

std::uint64_t blocks_of(std::uint64_t size) { return (size + kPlanBlockBytes - 1) / kPlanBlockBytes; }

std::uint64_t block_len(const PlannedFile& f, std::uint64_t b) {
  return std::min(kPlanBlockBytes, f.size_bytes - b * kPlanBlockBytes);
}

Status plan_v1(const LayerDef& l, std::uint64_t base_key, LayerPlan& p) {
  std::vector<FileMixEntry> mix_entries = l.file_mix;
  if (mix_entries.empty()) mix_entries.push_back({1u << 20, 1.0});
  std::uint64_t left = l.size_bytes;
  for (std::size_t c = 0; c < mix_entries.size(); ++c) {
    bool last = c + 1 == mix_entries.size();
    std::uint64_t bytes = last ? left
                               : std::min(left, static_cast<std::uint64_t>(std::llround(
                                                    mix_entries[c].share * static_cast<double>(l.size_bytes))));
    left -= bytes;
    const std::uint64_t fsize = mix_entries[c].file_bytes;
    for (std::size_t i = 0; bytes > 0; ++i) {
      if (p.files.size() >= kMaxPlannedFiles)
        return Status::invalid_argument("layer " + l.name + ": more than 1,000,000 files");
      PlannedFile f;
      f.path = file_path(c, i);
      f.size_bytes = std::min(fsize, bytes);
      f.content_key = mix(base_key, p.files.size() + 1);
      bytes -= f.size_bytes;
      p.files.push_back(std::move(f));
    }
  }
  for (const PlannedFile& f : p.files) p.total_bytes += f.size_bytes;
  return Status();
}

// Rewrites whole blocks of large files, in a seeded random order, until
// `target` bytes changed. Returns the bytes changed.
std::uint64_t rewrite_blocks(LayerPlan& p, std::uint64_t target, SplitMix64& rng, std::uint64_t key) {
  std::vector<std::pair<std::size_t, std::uint64_t>> candidates;
  for (std::size_t i = 0; i < p.files.size(); ++i) {
    std::uint64_t n = blocks_of(p.files[i].size_bytes);
    if (n >= kLargeFileBlocks)
      for (std::uint64_t b = 0; b < n; ++b) candidates.emplace_back(i, b);
  }
  rng.shuffle(candidates.begin(), candidates.end());
  std::uint64_t done = 0;
  for (const auto& [i, b] : candidates) {
    if (done >= target) break;
    PlannedFile& f = p.files[i];
    f.rewritten_blocks.push_back(b);
    f.rewrite_key = mix(key, i + 1);
    done += block_len(f, b);
  }
  for (PlannedFile& f : p.files) std::sort(f.rewritten_blocks.begin(), f.rewritten_blocks.end());
  return done;
}

// Replaces whole small files (new content under the same path).
std::uint64_t replace_files(LayerPlan& p, std::uint64_t target, SplitMix64& rng, std::uint64_t key) {
  std::vector<std::size_t> small;
  for (std::size_t i = 0; i < p.files.size(); ++i)
    if (blocks_of(p.files[i].size_bytes) < kLargeFileBlocks) small.push_back(i);
  rng.shuffle(small.begin(), small.end());
  std::uint64_t done = 0;
  for (std::size_t i : small) {
    if (done >= target) break;
    p.files[i].content_key = mix(key, i + 1);
    done += p.files[i].size_bytes;
  }
  return done;
}

std::uint64_t add_files(LayerPlan& p, std::uint64_t target, std::uint64_t key) {
  std::uint64_t done = 0;
  for (std::size_t i = 0; done < target && p.files.size() < kMaxPlannedFiles; ++i) {
    PlannedFile f;
    char buf[48];
    std::snprintf(buf, sizeof buf, "new/f%05zu.bin", i);
    f.path = buf;
    f.size_bytes = std::min(target - done, kPlanBlockBytes);
    f.content_key = mix(key, 1'000'000 + i);
    done += f.size_bytes;
    p.files.push_back(std::move(f));
  }
  return done;
}

bool has_files(const LayerPlan& p, bool large) {
  return std::any_of(p.files.begin(), p.files.end(),
                     [&](const PlannedFile& f) { return (blocks_of(f.size_bytes) >= kLargeFileBlocks) == large; });
}

}  // namespace

Result<LayerPlan> plan_layer(const LayerDef& l, std::uint64_t seed, int version) {
  if (version != 1 && !(version == 2 && l.v2_change_ratio))
    return Status::invalid_argument("layer " + l.name + ": no version " + std::to_string(version));
  LayerPlan p;
  p.name = l.name;
  p.version = version;
  const std::uint64_t base_key = mix(seed, name_hash(l.name));
  BC_RETURN_IF_ERROR(plan_v1(l, base_key, p));
  if (version == 1) return p;

  // Split the change budget: half rewritten blocks, 30% replaced files, the
  // rest new files; a kind the layer has no files for passes its share on.
  const std::uint64_t budget =
      static_cast<std::uint64_t>(std::llround(*l.v2_change_ratio * static_cast<double>(l.size_bytes)));
  SplitMix64 rng(mix(base_key, 2));
  const std::uint64_t v2_key = mix(base_key, 0x7632);
  std::uint64_t rewrite_target = has_files(p, true) ? budget / 2 : 0;
  std::uint64_t changed = rewrite_blocks(p, rewrite_target, rng, v2_key);
  std::uint64_t replace_target = has_files(p, false) ? (budget - std::min(budget, changed)) * 3 / 5 : 0;
  changed += replace_files(p, replace_target, rng, v2_key);
  std::uint64_t added = add_files(p, budget - std::min(budget, changed), v2_key);
  changed += added;
  p.total_bytes += added;
  p.changed_bytes = changed;
  return p;
}

void fill_block(std::uint64_t key, std::uint64_t block_index, std::span<char> out) {
  SplitMix64(mix(key, block_index + 1)).fill(reinterpret_cast<std::uint8_t*>(out.data()), out.size());
}

}  // namespace bc::netsim
