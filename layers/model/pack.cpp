#include "layers/model/pack.hpp"

#include <algorithm>
#include <set>

#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc {

bool packable(const Entry& e, int schema) {
  return e.type == EntryType::file && e.size > 0 && e.size < pack_below_bytes(schema);
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
    if (open && m.bins.back().size + e.size > pack_bin_bytes(m.schema)) open = false;
    if (!open) {
      m.bins.push_back(PackBin{});
      open = true;
    }
    e.bin = uint32_t(m.bins.size() - 1);
    e.offset = m.bins.back().size;
    m.bins.back().size += e.size;
    m.bins.back().raw_size = m.bins.back().size;
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
      if (pe.chunked() || !e || !packable(*e, m.schema) || e->size != pe.size || e->root != pe.root) break;
      mine.push_back(size_t(e - m.entries.data()));
    }
    if (bin.empty() || mine.size() != bin.size()) continue;
    m.bins.push_back(PackBin{});
    for (size_t i : mine) {
      Entry& e = m.entries[i];
      e.bin = uint32_t(m.bins.size() - 1);
      e.offset = m.bins.back().size;
      m.bins.back().size += e.size;
      m.bins.back().raw_size = m.bins.back().size;
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
    e.chunks = 0;
  }
  std::vector<bool> placed(m.entries.size(), false);
  std::set<Sha256Digest> held;  // contents the parent has, in any file or bin
  // A parent of another schema packed by other limits: its bins are not kept.
  if (parent && parent->schema == m.schema) keep_parent_bins(m, *parent, placed);
  if (parent) {
    for (const Entry& e : parent->entries)
      if (e.type == EntryType::file && e.size > 0) held.insert(e.root);
  }
  for (const bool held_run : {true, false}) {
    BinFiller filler{m};
    for (size_t i = 0; i < m.entries.size(); ++i) {
      Entry& e = m.entries[i];
      if (placed[i] || !packable(e, m.schema) || (held.count(e.root) > 0) != held_run) continue;
      filler.add(e);
      placed[i] = true;
    }
  }
}

void chunk_file(Manifest& m, size_t i) {
  Entry& e = m.entries[i];
  e.bin = uint32_t(m.bins.size());
  e.offset = 0;
  e.chunks = uint32_t((e.size + m.chunk_size - 1) / m.chunk_size);
  for (uint64_t k = 0; k < e.chunks; ++k) {
    PackBin b;
    b.raw_size = b.size = std::min<uint64_t>(m.chunk_size, e.size - k * m.chunk_size);
    m.bins.push_back(b);
  }
}

std::vector<std::vector<size_t>> bin_members(const Manifest& m) {
  std::vector<std::vector<size_t>> out(m.bins.size());
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (!e.packed()) continue;
    for (uint64_t k = 0; k < std::max<uint32_t>(e.chunks, 1); ++k)
      if (e.bin + k < out.size()) out[e.bin + k].push_back(i);
  }
  return out;
}

Sha256Digest small_file_root(std::span<const uint8_t> bytes, uint32_t piece_bytes) {
  MerkleHasher h(piece_bytes);
  h.update(bytes);
  return h.finish().root;
}

Status check_bin_bytes(const Manifest& m, uint32_t b, const std::vector<size_t>& members,
                       std::span<const uint8_t> wire, std::string* raw_out) {
  const std::string bin = "bin " + pack_bin_path(b);
  std::string raw_buf;
  std::string& raw = raw_out ? *raw_out : raw_buf;
  BC_RETURN_IF_ERROR(check_bin_wire(m, b, wire));
  BC_RETURN_IF_ERROR(decode_bin(m.bins[b].codec, m.bins[b].raw_bytes(), wire, &raw, bin));
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  for (size_t i : members) {
    const Entry& e = m.entries[i];
    if (e.chunked()) continue;  // a chunk: the file is checked whole (read_chunked_file)
    if (e.offset > bytes.size() || e.size > bytes.size() - e.offset)
      return Status::corruption("'" + printable(e.path) + "': lies outside " + bin);
    if (small_file_root(bytes.subspan(e.offset, e.size), m.piece_size) != e.root)
      return Status::corruption("'" + printable(e.path) + "' (packed in " + bin + " at offset " +
                                std::to_string(e.offset) + "): bytes do not match its merkle root");
  }
  return Status();
}

Status check_bin_wire(const Manifest& m, uint32_t b, std::span<const uint8_t> bytes) {
  const std::string bin = "bin " + pack_bin_path(b);
  if (b >= m.bins.size()) return Status::internal(bin + " is not in the manifest");
  if (bytes.size() != m.bins[b].size)
    return Status::corruption(bin + ": " + std::to_string(bytes.size()) + " bytes, the manifest says " +
                              std::to_string(m.bins[b].size));
  const Sha256Digest got = small_file_root(bytes, m.piece_size);
  if (got != m.bins[b].root)
    return Status::corruption(bin + ": merkle root " + to_hex(got) + " differs from the manifest's " +
                              to_hex(m.bins[b].root));
  return Status();
}

}  // namespace bc
