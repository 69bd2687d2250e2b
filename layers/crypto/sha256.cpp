#include "layers/crypto/sha256.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bc {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) { reset(); }
Sha256::~Sha256() = default;

void Sha256::reset() { EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr); }

void Sha256::update(std::span<const uint8_t> bytes) {
  EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest d;
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, d.data(), &n);
  return d;
}

Sha256Digest sha256(std::span<const uint8_t> bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
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

Sha256Digest merkle_root(std::span<const Sha256Digest> leaves, size_t width,
                         const Sha256Digest& pad) {
  if (width == 0) return Sha256Digest{};
  std::vector<Sha256Digest> level(leaves.begin(), leaves.end());
  level.resize(width, pad);
  Sha256Digest pad_at_level = pad;
  while (level.size() > 1) {
    std::vector<Sha256Digest> up(level.size() / 2);
    for (size_t i = 0; i < up.size(); ++i) up[i] = hash_pair(level[2 * i], level[2 * i + 1]);
    level.swap(up);
    pad_at_level = hash_pair(pad_at_level, pad_at_level);
  }
  return level[0];
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

Result<FileHashes> hash_file(const std::string& path, uint32_t piece_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::io_error(path + ": open: " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  MerkleHasher h(piece_bytes);
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Status::io_error(path + ": read: " + std::strerror(e));
    }
    if (n == 0) break;
    h.update(std::span<const uint8_t>(buf.data(), size_t(n)));
  }
  ::close(fd);
  return h.finish();
}

}  // namespace bc
