#include "layers/model/bin_read.hpp"

#include "layers/model/pack.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc {

static std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status read_bin(const Manifest& m, uint32_t b, const std::vector<size_t>& members, const std::string& bins_dir,
                std::string* raw) {
  if (b >= m.bins.size()) return Status::corruption("bin " + std::to_string(b) + " is not in the manifest");
  auto wire = read_file_of_size(bins_dir + "/" + std::to_string(b), m.bins[b].size);
  if (!wire.ok()) return wire.status().with_context("bin " + pack_bin_path(b));
  return check_bin_bytes(m, b, members, bytes_of(*wire), raw);
}

Status read_chunked_file(const Manifest& m, const Entry& e, const std::string& bins_dir,
                         const std::function<Status(std::span<const uint8_t>)>& sink) {
  const std::string where = "chunked file '" + printable(e.path) + "'";
  if (!e.chunked() || e.bin >= m.bins.size() || e.chunks > m.bins.size() - e.bin)
    return Status::corruption(where + ": its chunks are not in the manifest");
  MerkleHasher h(m.piece_size);
  std::string raw;
  for (uint32_t k = 0; k < e.chunks; ++k) {
    const uint32_t b = e.bin + k;
    BC_RETURN_IF_ERROR(read_bin(m, b, {}, bins_dir, &raw).with_context(where));
    h.update(bytes_of(raw));
    BC_RETURN_IF_ERROR(sink(bytes_of(raw)));
  }
  if (h.bytes_seen() != e.size)
    return Status::corruption(where + ": " + std::to_string(h.bytes_seen()) + " bytes, the manifest says " +
                              std::to_string(e.size));
  const Sha256Digest got = h.finish().root;
  if (got != e.root)
    return Status::corruption(where + ": merkle root " + to_hex(got) + " differs from the manifest's " +
                              to_hex(e.root));
  return Status();
}

}  // namespace bc
