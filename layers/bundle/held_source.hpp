// Where an importer finds the bytes a bundle leaves out: the node's content
// index, or (bc-layer import) the parent layer directories given on the
// command line. Either way only a hint: every rebuilt byte is hashed again.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "layers/index/content_index.hpp"

namespace bc {

class HeldSource {
 public:
  virtual ~HeldSource() = default;
  // A held file with this merkle root (length = its size); nullopt if none.
  virtual Result<std::optional<HeldLocation>> find_file(const Sha256Digest& root) = 0;
  // A held piece with this v2 piece hash at this piece size; nullopt if none.
  virtual Result<std::optional<HeldLocation>> find_piece(const Sha256Digest& hash, uint32_t piece_bytes) = 0;
  // A content index over what this source holds, for prepare_payload to
  // build a bundle's `assembled` files; `scratch_dir` (created) may hold it
  // and is removed by the caller. not_found when the source cannot make one.
  virtual Result<ContentIndex*> assembly_index(const std::string& scratch_dir) = 0;
};

// The node's content index (layers/index/content_index.hpp).
class IndexSource : public HeldSource {
 public:
  explicit IndexSource(ContentIndex& index) : index_(index) {}
  Result<std::optional<HeldLocation>> find_file(const Sha256Digest& root) override {
    return index_.find_file(root);
  }
  Result<std::optional<HeldLocation>> find_piece(const Sha256Digest& hash, uint32_t piece_bytes) override {
    return index_.find_piece(hash, piece_bytes);
  }
  Result<ContentIndex*> assembly_index(const std::string&) override { return &index_; }

 private:
  ContentIndex& index_;
};

// Built layer directories (layers/model/layer_dir.hpp), read through their
// torrents: each file is taken to hold what its torrent says.
class LayerDirsSource : public HeldSource {
 public:
  // invalid_argument naming a directory that is not a built layer. With
  // `signer`, parents signed by it can also be indexed for assembly.
  static Result<LayerDirsSource> open(const std::vector<std::string>& dirs, const PublicKey* signer = nullptr);
  Result<std::optional<HeldLocation>> find_file(const Sha256Digest& root) override;
  Result<std::optional<HeldLocation>> find_piece(const Sha256Digest& hash, uint32_t piece_bytes) override;
  // An LMDB index in scratch_dir over the parents verified by the signer,
  // each seen through a directory of symlinks at their torrent paths (a
  // built layer keeps its bins apart, in DIR/pack).
  Result<ContentIndex*> assembly_index(const std::string& scratch_dir) override;
  const std::vector<LayerRef>& layers() const { return layers_; }

 private:
  struct Parent {
    TrustedManifest manifest;
    TorrentFacts facts;
    std::string payload_dir, bins_dir;
  };
  std::vector<LayerRef> layers_;
  std::vector<Parent> trusted_;
  std::shared_ptr<ContentIndex> index_;
  std::map<Sha256Digest, HeldLocation> files_;
  std::map<std::pair<uint32_t, Sha256Digest>, HeldLocation> pieces_;
};

}  // namespace bc
