#include "layers/bundle/bundle_open.hpp"

#include <set>

#include "layers/util/fs.hpp"

namespace bc {

namespace {

Status read_header(OpenedBundle& b, const PublicKey& signer) {
  BundleReader& r = b.reader;
  const std::string& p = r.path();
  std::string buf;
  BC_RETURN_IF_ERROR(r.read(kBundleMagic.size(), &buf));
  if (buf != kBundleMagic) return Status::corruption(p + ": not a branchcast bundle (bad magic)");
  BC_ASSIGN_OR_RETURN(uint32_t version, r.u32());
  if (version != kBundleFormatVersion)
    return Status::unsupported(p + ": bundle format " + std::to_string(version) + ", this build reads " +
                               std::to_string(kBundleFormatVersion));
  BC_RETURN_IF_ERROR(r.u32().status());  // flags: none defined
  BC_RETURN_IF_ERROR(r.read_sized(kMaxBundleMetaBytes, "meta", &buf));
  auto meta = decode_bundle_meta(buf);
  if (!meta.ok()) return meta.status().with_context(p);
  b.meta = std::move(*meta);
  std::string manifest, sig_bytes;
  BC_RETURN_IF_ERROR(r.read_sized(kMaxManifestBytes, "manifest", &manifest));
  BC_RETURN_IF_ERROR(r.read(sizeof(Signature), &sig_bytes));
  Signature sig{};
  std::copy(sig_bytes.begin(), sig_bytes.end(), reinterpret_cast<char*>(sig.data()));
  // The signature before anything else is believed: the header's claims,
  // the torrent and the table are only checked against a trusted manifest.
  auto tm = TrustedManifest::verify(std::move(manifest), sig, signer);
  if (!tm.ok())
    return Status::corruption(p + ": the manifest does not verify against the pinned tracker key (" +
                              tm.status().message() + "): refused, nothing written");
  b.trusted = std::move(*tm);
  const LayerRef ref = b.manifest().manifest().ref();
  if (!(ref == b.meta.layer))
    return Status::corruption(p + ": the header claims " + b.meta.layer.to_string() +
                              " but the signed manifest is " + ref.to_string());
  BC_RETURN_IF_ERROR(r.read_sized(kMaxTorrentBytes, "torrent", &b.torrent));
  auto facts = read_layer_torrent(b.torrent);
  if (!facts.ok()) return Status::corruption(p + ": torrent: " + facts.status().message());
  Status match = check_torrent_matches(b.manifest().manifest(), *facts);
  if (!match.ok()) return Status::corruption(p + ": the torrent does not match the signed manifest: " + match.message());
  if (facts->info_hash != b.meta.info_hash)
    return Status::corruption(p + ": the header claims info-hash " + b.meta.info_hash + ", the torrent's is " +
                              facts->info_hash);
  b.facts = std::move(*facts);
  return Status();
}

Result<BundleEntry> read_entry(BundleReader& r, const TorrentFacts& facts) {
  const std::string& p = r.path();
  BundleEntry e;
  BC_ASSIGN_OR_RETURN(uint32_t n, r.u32());
  if (n > kMaxPathBytes) return Status::corruption(p + ": table entry with a " + std::to_string(n) + "-byte path");
  BC_RETURN_IF_ERROR(r.read(n, &e.path));
  auto f = facts.files.find(e.path);
  if (f == facts.files.end())
    return Status::corruption(p + ": table entry \"" + printable(e.path) +
                              "\" is not a file of the layer (points outside it): refused");
  BC_ASSIGN_OR_RETURN(uint8_t kind, r.u8());
  if (kind > uint8_t(BundleKind::assembled))
    return Status::corruption(p + ": table entry " + printable(e.path) + ": unknown kind " + std::to_string(kind));
  e.kind = BundleKind(kind);
  BC_ASSIGN_OR_RETURN(e.size, r.u64());
  BC_ASSIGN_OR_RETURN(e.data_bytes, r.u64());
  if (e.size != f->second.size)
    return Status::corruption(p + ": table entry " + printable(e.path) + " claims " + std::to_string(e.size) +
                              " bytes, the signed torrent says " + std::to_string(f->second.size));
  uint64_t want = e.kind == BundleKind::whole ? e.size : 0;
  if (e.kind == BundleKind::pieces) {
    BC_ASSIGN_OR_RETURN(uint32_t k, r.u32());
    if (k > f->second.pieces.size())
      return Status::corruption(p + ": table entry " + printable(e.path) + " lists " + std::to_string(k) +
                                " pieces, the file has " + std::to_string(f->second.pieces.size()));
    for (uint32_t j = 0; j < k; ++j) {
      BC_ASSIGN_OR_RETURN(uint32_t i, r.u32());
      if (i >= f->second.pieces.size() || (!e.pieces.empty() && i <= e.pieces.back()))
        return Status::corruption(p + ": table entry " + printable(e.path) + ": piece " + std::to_string(i) +
                                  " out of range or out of order");
      e.pieces.push_back(i);
      want += piece_length(e.size, facts.piece_size, i);
    }
  }
  if (e.data_bytes != want)
    return Status::corruption(p + ": table entry " + printable(e.path) + " claims " + std::to_string(e.data_bytes) +
                              " data bytes, its kind and pieces make " + std::to_string(want));
  return e;
}

Status read_table(OpenedBundle& b) {
  BundleReader& r = b.reader;
  BC_ASSIGN_OR_RETURN(uint64_t count, r.u64());
  if (count != b.facts.files.size())
    return Status::corruption(r.path() + ": the table has " + std::to_string(count) + " entries, the layer " +
                              std::to_string(b.facts.files.size()) + " files");
  std::set<std::string> seen;
  for (uint64_t i = 0; i < count; ++i) {
    BC_ASSIGN_OR_RETURN(BundleEntry e, read_entry(r, b.facts));
    if (!seen.insert(e.path).second)
      return Status::corruption(r.path() + ": table names " + printable(e.path) + " twice");
    b.data_bytes += e.data_bytes;
    b.table.push_back(std::move(e));
  }
  // Sizes known: a truncated (or padded) file is refused before a byte is written.
  const uint64_t want = r.position() + b.data_bytes + kBundleTrailerBytes;
  if (r.file_bytes() < want)
    return Status::corruption(r.path() + ": truncated: the table needs " + std::to_string(want) +
                              " bytes, the file has " + std::to_string(r.file_bytes()));
  if (r.file_bytes() > want)
    return Status::corruption(r.path() + ": " + std::to_string(r.file_bytes() - want) +
                              " unexpected bytes after the data");
  return Status();
}

}  // namespace

Result<OpenedBundle> open_bundle(const std::string& path, const PublicKey& signer) {
  BC_ASSIGN_OR_RETURN(BundleReader reader, BundleReader::open(path));
  OpenedBundle b(std::move(reader));
  BC_RETURN_IF_ERROR(read_header(b, signer));
  BC_RETURN_IF_ERROR(read_table(b));
  return b;
}

}  // namespace bc
