#include "layers/crypto/sha256.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bc {

namespace {

// OpenSSL 3 looks the algorithm up in its provider tables on every init with
// EVP_sha256(); fetching it once saves that per 16 KiB block and per merkle
// node (measured ~0.5 us per init: ~4% of hashing a block, ~3x the cost of
// hashing a node). Fetched once, kept for the life of the process.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    const EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return m ? m : EVP_sha256();
  }();
  return md;
}

}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) { reset(); }
Sha256::~Sha256() = default;

void Sha256::reset() { EVP_DigestInit_ex(impl_->ctx, sha256_md(), nullptr); }

void Sha256::update(std::span<const uint8_t> bytes) {
  EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest d;
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, d.data(), &n);
  return d;
}

Sha256Digest Sha256::digest(std::span<const uint8_t> bytes) {
  reset();
  update(bytes);
  return finish();
}

Sha256Digest sha256(std::span<const uint8_t> bytes) {
  // One context per thread, reused: a context costs an allocation and an init.
  thread_local Sha256 h;
  return h.digest(bytes);
}

bool is_zero(const Sha256Digest& d) {
  for (uint8_t b : d)
    if (b) return false;
  return true;
}

static Sha256Digest hash_pair(const Sha256Digest& a, const Sha256Digest& b) {
  uint8_t buf[64];
  std::memcpy(buf, a.data(), 32);
  std::memcpy(buf + 32, b.data(), 32);
  return sha256(buf);
}

Sha256Digest merkle_root_in_place(std::span<Sha256Digest> nodes, size_t width,
                                  const Sha256Digest& pad) {
  if (width == 0) return Sha256Digest{};
  // Only the first `n` nodes of a level are real; the rest of the level is
  // padding whose subtrees all hash to `pad_at_level`, computed once per level.
  size_t n = nodes.size();
  Sha256Digest pad_at_level = pad;
  for (; width > 1; width /= 2) {
    const size_t up = (n + 1) / 2;
    for (size_t i = 0; i < up; ++i)
      nodes[i] = hash_pair(nodes[2 * i], 2 * i + 1 < n ? nodes[2 * i + 1] : pad_at_level);
    n = up;
    pad_at_level = hash_pair(pad_at_level, pad_at_level);
  }
  return n ? nodes[0] : pad_at_level;
}

Sha256Digest merkle_root(std::span<const Sha256Digest> leaves, size_t width,
                         const Sha256Digest& pad) {
  std::vector<Sha256Digest> nodes(leaves.begin(), leaves.end());
  return merkle_root_in_place(nodes, width, pad);
}

Sha256Digest merkle_pad_hash(size_t leaf_count) {
  Sha256Digest h{};
  for (size_t n = leaf_count; n > 1; n /= 2) h = hash_pair(h, h);
  return h;
}

static size_t next_pow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

MerkleHasher::MerkleHasher(uint32_t piece_bytes)
    : leaves_per_piece_(piece_bytes / kMerkleBlockBytes) {
  leaves_.reserve(leaves_per_piece_);
}

void MerkleHasher::flush_block() {
  leaves_.push_back(block_hash_.finish());
  block_hash_.reset();
  block_fill_ = 0;
  if (leaves_.size() == leaves_per_piece_) flush_piece();
}

void MerkleHasher::flush_piece() {
  pieces_.push_back(merkle_root(leaves_, leaves_per_piece_));
  leaves_.clear();
}

void MerkleHasher::update(std::span<const uint8_t> bytes) {
  total_ += bytes.size();
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), kMerkleBlockBytes - block_fill_);
    block_hash_.update(bytes.first(n));
    block_fill_ += n;
    bytes = bytes.subspan(n);
    if (block_fill_ == kMerkleBlockBytes) flush_block();
  }
}

FileHashes MerkleHasher::finish() {
  FileHashes out;
  if (total_ == 0) return out;
  if (block_fill_ > 0) {
    leaves_.push_back(block_hash_.finish());
    block_hash_.reset();
    block_fill_ = 0;
  }
  const uint64_t piece_bytes = uint64_t(leaves_per_piece_) * kMerkleBlockBytes;
  if (total_ <= piece_bytes) {
    // One piece or less: the tree is only as wide as the file needs.
    std::vector<Sha256Digest> all = pieces_.empty() ? leaves_ : pieces_;
    out.root = pieces_.empty() ? merkle_root(all, next_pow2(all.size())) : pieces_[0];
    pieces_.clear();
    return out;
  }
  if (!leaves_.empty()) flush_piece();
  out.root = merkle_root(pieces_, next_pow2(pieces_.size()), merkle_pad_hash(leaves_per_piece_));
  out.pieces = std::move(pieces_);
  return out;
}

Result<FileHashes> hash_fd(int fd, uint32_t piece_bytes, const std::string& what) {
  MerkleHasher h(piece_bytes);
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error(what + ": read: " + std::strerror(errno));
    }
    if (n == 0) break;
    h.update(std::span<const uint8_t>(buf.data(), size_t(n)));
  }
  return h.finish();
}

Result<FileHashes> hash_file(const std::string& path, uint32_t piece_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::io_error(path + ": open: " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Result<FileHashes> h = hash_fd(fd, piece_bytes, path);
  ::close(fd);
  return h;
}

}  // namespace bc
