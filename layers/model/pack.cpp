#include "layers/model/pack.hpp"

#include <set>

#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc {

bool packable(const Entry& e) {
  return e.type == EntryType::file && e.size > 0 && e.size < kPackBelowBytes;
}

// FNV-1a, 64 bit: stable across platforms and releases (the packing of a tree
// must not change when the toolchain does).
bool pack_cut_after(std::string_view path) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : path) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h % kPackCutOneIn == 0;
}

namespace {

// Greedy packing of files handed in manifest order into new bins.
struct BinFiller {
  Manifest& m;
  bool open = false;

  void add(Entry& e) {
    if (open && m.bins.back().size + e.size > kPackBinBytes) open = false;
    if (!open) {
      m.bins.push_back(PackBin{});
      open = true;
    }
    e.bin = uint32_t(m.bins.size() - 1);
    e.offset = m.bins.back().size;
    m.bins.back().size += e.size;
    if (pack_cut_after(e.path)) open = false;
  }
};

// Keeps every parent bin whose members are all unchanged in m; marks them.
void keep_parent_bins(Manifest& m, const Manifest& parent, std::vector<bool>& placed) {
  const auto members = bin_members(parent);
  std::vector<size_t> mine;
  for (const auto& bin : members) {
    mine.clear();
    for (size_t i : bin) {
      const Entry& pe = parent.entries[i];
      const Entry* e = m.find(pe.path);
      if (!e || !packable(*e) || e->size != pe.size || e->root != pe.root) break;
      mine.push_back(size_t(e - m.entries.data()));
    }
    if (bin.empty() || mine.size() != bin.size()) continue;
    m.bins.push_back(PackBin{});
    for (size_t i : mine) {
      Entry& e = m.entries[i];
      e.bin = uint32_t(m.bins.size() - 1);
      e.offset = m.bins.back().size;
      m.bins.back().size += e.size;
      placed[i] = true;
    }
  }
}

}  // namespace

void assign_bins(Manifest& m, const Manifest* parent) {
  m.bins.clear();
  for (Entry& e : m.entries) {
    e.bin = kNotPacked;
    e.offset = 0;
  }
  std::vector<bool> placed(m.entries.size(), false);
  std::set<Sha256Digest> held;  // contents the parent has, in any file or bin
  if (parent) {
    keep_parent_bins(m, *parent, placed);
    for (const Entry& e : parent->entries)
      if (e.type == EntryType::file && e.size > 0) held.insert(e.root);
  }
  for (const bool held_run : {true, false}) {
    BinFiller filler{m};
    for (size_t i = 0; i < m.entries.size(); ++i) {
      Entry& e = m.entries[i];
      if (placed[i] || !packable(e) || (held.count(e.root) > 0) != held_run) continue;
      filler.add(e);
      placed[i] = true;
    }
  }
}

std::vector<std::vector<size_t>> bin_members(const Manifest& m) {
  std::vector<std::vector<size_t>> out(m.bins.size());
  for (size_t i = 0; i < m.entries.size(); ++i)
    if (m.entries[i].packed() && m.entries[i].bin < out.size()) out[m.entries[i].bin].push_back(i);
  return out;
}

Sha256Digest small_file_root(std::span<const uint8_t> bytes, uint32_t piece_bytes) {
  MerkleHasher h(piece_bytes);
  h.update(bytes);
  return h.finish().root;
}

Status check_bin_bytes(const Manifest& m, uint32_t b, const std::vector<size_t>& members,
                       std::span<const uint8_t> bytes) {
  const std::string bin = "bin " + pack_bin_path(b);
  if (b >= m.bins.size()) return Status::internal(bin + " is not in the manifest");
  if (bytes.size() != m.bins[b].size)
    return Status::corruption(bin + ": " + std::to_string(bytes.size()) + " bytes, the manifest says " +
                              std::to_string(m.bins[b].size));
  const Sha256Digest got = small_file_root(bytes, m.piece_size);
  if (got != m.bins[b].root)
    return Status::corruption(bin + ": merkle root " + to_hex(got) + " differs from the manifest's " +
                              to_hex(m.bins[b].root));
  for (size_t i : members) {
    const Entry& e = m.entries[i];
    if (e.offset > bytes.size() || e.size > bytes.size() - e.offset)
      return Status::corruption("'" + printable(e.path) + "': lies outside " + bin);
    if (small_file_root(bytes.subspan(e.offset, e.size), m.piece_size) != e.root)
      return Status::corruption("'" + printable(e.path) + "' (packed in " + bin + " at offset " +
                                std::to_string(e.offset) + "): bytes do not match its merkle root");
  }
  return Status();
}

}  // namespace bc
