#include "layers/index/content_index.hpp"

#include <lmdb.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "layers/util/fs.hpp"

namespace bc {

namespace {

// What a file looked like when it was recorded; a mismatch means stale.
struct FileStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t ino = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

Result<FileStamp> stamp_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0)
    return Status::io_error("cannot stat '" + printable(path) + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::io_error("'" + printable(path) + "' is not a regular file");
  return FileStamp{uint64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                   uint64_t(st.st_ino)};
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(char((v >> (8 * i)) & 0xff));
}
uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

// Value of a files/pieces entry: offset, length, stamp (size, mtime, ino), path.
constexpr size_t kValueHeader = 5 * 8;
std::string encode_value(const HeldLocation& loc, const FileStamp& s) {
  std::string v;
  put_u64(v, loc.offset);
  put_u64(v, loc.length);
  put_u64(v, s.size);
  put_u64(v, uint64_t(s.mtime_ns));
  put_u64(v, s.ino);
  v += loc.path;
  // A path never holds NUL: what follows one marks a compressed bin (and an
  // index written before schema 3 never has it).
  if (loc.frame_raw_size) v += '\0' + std::to_string(loc.frame_raw_size);
  return v;
}
bool decode_value(std::string_view v, HeldLocation* loc, FileStamp* s) {
  if (v.size() <= kValueHeader) return false;
  loc->offset = get_u64(v.data());
  loc->length = get_u64(v.data() + 8);
  s->size = get_u64(v.data() + 16);
  s->mtime_ns = int64_t(get_u64(v.data() + 24));
  s->ino = get_u64(v.data() + 32);
  loc->path.assign(v.substr(kValueHeader));
  loc->frame_raw_size = 0;
  if (size_t nul = loc->path.find('\0'); nul != std::string::npos) {
    loc->frame_raw_size = std::strtoull(loc->path.c_str() + nul + 1, nullptr, 10);
    loc->path.resize(nul);
    if (loc->frame_raw_size == 0) return false;
  }
  return true;
}

std::string digest_key(const Sha256Digest& d) { return std::string(reinterpret_cast<const char*>(d.data()), 32); }
std::string piece_prefix(const Sha256Digest& h, uint32_t piece_size) {
  std::string k;
  for (int i = 3; i >= 0; --i) k.push_back(char((piece_size >> (8 * i)) & 0xff));
  return k + digest_key(h);
}

MDB_val as_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view as_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

Status lmdb_error(int rc, const std::string& what) {
  if (rc == MDB_MAP_FULL) return Status::no_space("content index is full (map size) while " + what);
  return Status::io_error("content index: " + what + ": " + mdb_strerror(rc));
}

// Layer record: payload dir, then the keys it owns as [db byte][u16 len][key].
enum : char { kFilesDb = 'f', kPiecesDb = 'p' };

// Aborts an uncommitted transaction when it goes out of scope.
struct Txn {
  MDB_txn* txn = nullptr;
  ~Txn() { if (txn) mdb_txn_abort(txn); }
  int commit() { int rc = mdb_txn_commit(txn); txn = nullptr; return rc; }
};

}  // namespace

struct ContentIndex::Impl {
  ContentIndexOptions options;
  MDB_env* env = nullptr;
  MDB_dbi layers = 0, files = 0, pieces = 0;
  uint64_t stale_dropped = 0;

  ~Impl() { if (env) mdb_env_close(env); }

  Status begin(Txn* t, bool write) {
    int rc = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &t->txn);
    return rc ? lmdb_error(rc, "begin transaction") : Status();
  }

  // Deletes every key the layer recorded (and its record) inside `txn`.
  Status drop_layer(MDB_txn* txn, const std::string& layer_key) {
    MDB_val k = as_val(layer_key), v;
    int rc = mdb_get(txn, layers, &k, &v);
    if (rc == MDB_NOTFOUND) return Status();
    if (rc) return lmdb_error(rc, "read layer record");
    std::string rec(as_view(v));
    if (rec.size() < 4) return Status::corruption("content index: short layer record");
    size_t dir_len = 0;
    for (int i = 0; i < 4; ++i) dir_len = (dir_len << 8) | uint8_t(rec[size_t(i)]);
    size_t pos = 4 + dir_len;
    while (pos + 3 <= rec.size()) {
      char db = rec[pos];
      size_t len = (size_t(uint8_t(rec[pos + 1])) << 8) | uint8_t(rec[pos + 2]);
      pos += 3;
      if (pos + len > rec.size()) return Status::corruption("content index: truncated layer record");
      MDB_val key = as_val(std::string_view(rec).substr(pos, len));
      pos += len;
      rc = mdb_del(txn, db == kFilesDb ? files : pieces, &key, nullptr);
      if (rc && rc != MDB_NOTFOUND) return lmdb_error(rc, "delete entry");
    }
    rc = mdb_del(txn, layers, &k, nullptr);
    return rc ? lmdb_error(rc, "delete layer record") : Status();
  }

  Result<std::optional<HeldLocation>> find(MDB_dbi dbi, const std::string& prefix);
};

Status ContentIndexOptions::validate() const {
  if (dir.empty()) return Status::invalid_argument("content index: no directory");
  if (map_size_bytes < (1u << 20)) return Status::invalid_argument("content index: map size below 1 MiB");
  if (max_candidates == 0) return Status::invalid_argument("content index: max_candidates must be > 0");
  return Status();
}

ContentIndex::ContentIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ContentIndex::~ContentIndex() = default;

Result<std::unique_ptr<ContentIndex>> ContentIndex::open(const ContentIndexOptions& options) {
  BC_RETURN_IF_ERROR(options.validate());
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::io_error("content index: cannot create '" + printable(options.dir) + "': " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  int rc = mdb_env_create(&impl->env);
  if (rc) return lmdb_error(rc, "create environment");
  mdb_env_set_maxdbs(impl->env, 4);
  rc = mdb_env_set_mapsize(impl->env, size_t(options.map_size_bytes));
  if (rc) return lmdb_error(rc, "set map size");
  rc = mdb_env_open(impl->env, options.dir.c_str(), MDB_NOTLS, 0644);
  if (rc) return lmdb_error(rc, "open '" + printable(options.dir) + "'");
  Txn t;
  BC_RETURN_IF_ERROR(impl->begin(&t, true));
  if ((rc = mdb_dbi_open(t.txn, "layers", MDB_CREATE, &impl->layers)) ||
      (rc = mdb_dbi_open(t.txn, "files", MDB_CREATE, &impl->files)) ||
      (rc = mdb_dbi_open(t.txn, "pieces", MDB_CREATE, &impl->pieces)))
    return lmdb_error(rc, "open databases");
  if ((rc = t.commit())) return lmdb_error(rc, "commit");
  return std::unique_ptr<ContentIndex>(new ContentIndex(std::move(impl)));
}

Status ContentIndex::record_layer(const TrustedManifest& layer, const std::string& payload_dir,
                                  const TorrentFacts& facts) {
  const Manifest& m = layer.manifest();
  const std::string layer_key = m.ref().to_string();
  std::string dir = std::filesystem::absolute(payload_dir).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string rec(4, '\0');
  for (int i = 0; i < 4; ++i) rec[size_t(i)] = char((dir.size() >> (8 * (3 - i))) & 0xff);
  rec += dir;

  Txn t;
  BC_RETURN_IF_ERROR(impl_->begin(&t, true));
  BC_RETURN_IF_ERROR(impl_->drop_layer(t.txn, layer_key));
  auto put = [&](MDB_dbi dbi, char db, const std::string& key, const std::string& value) -> Status {
    MDB_val k = as_val(key), v = as_val(value);
    int rc = mdb_put(t.txn, dbi, &k, &v, 0);
    if (rc) return lmdb_error(rc, "record " + layer_key);
    rec.push_back(db);
    rec.push_back(char(key.size() >> 8));
    rec.push_back(char(key.size() & 0xff));
    rec += key;
    return Status();
  };
  // Bins of packed files are recorded like files (by their root): an
  // unchanged bin is found again whatever layer or version holds it.
  for (const PayloadFile& e : m.payload_files()) {
    if (e.size == 0) continue;
    auto tf = facts.files.find(e.path);
    if (tf == facts.files.end()) return Status::invalid_argument("torrent facts lack '" + e.path + "'");
    const std::string path = dir + "/" + e.path;
    BC_ASSIGN_OR_RETURN(FileStamp s, stamp_of(path));
    if (s.size != e.size) return Status::io_error("'" + printable(path) + "' does not have its manifest size");
    BC_RETURN_IF_ERROR(put(impl_->files, kFilesDb, digest_key(e.root) + layer_key,
                           encode_value({path, 0, e.size}, s)));
    const auto& pieces = tf->second.pieces;
    for (size_t p = 0; p < pieces.size(); ++p) {
      uint64_t off = uint64_t(p) * facts.piece_size;
      uint64_t len = std::min<uint64_t>(facts.piece_size, e.size - off);
      // The same hash may occur twice in one file (e.g. zero pieces): keep the first.
      std::string key = piece_prefix(pieces[p], facts.piece_size) + layer_key;
      MDB_val k = as_val(key), existing;
      if (mdb_get(t.txn, impl_->pieces, &k, &existing) == 0) continue;
      BC_RETURN_IF_ERROR(put(impl_->pieces, kPiecesDb, key, encode_value({path, off, len}, s)));
    }
  }
  // Packed files by their own (raw) roots, at their offsets in raw bins, so a
  // bin of another layer whose members are all held can be assembled
  // (prepare_payload) instead of fetched.
  std::map<uint32_t, FileStamp> bin_stamps;
  for (const Entry& e : m.entries) {
    // A chunked file is held as its chunks' bins (recorded above by their
    // wire roots); a member of a compressed bin is marked so (frame_raw_size).
    if (!e.packed() || e.chunked()) continue;
    const uint64_t frame = m.bins[e.bin].codec == BinCodec::zstd ? m.bins[e.bin].raw_size : 0;
    const std::string path = dir + "/" + pack_bin_path(e.bin);
    auto st = bin_stamps.find(e.bin);
    if (st == bin_stamps.end()) {
      BC_ASSIGN_OR_RETURN(FileStamp s, stamp_of(path));
      st = bin_stamps.emplace(e.bin, s).first;
    }
    BC_RETURN_IF_ERROR(put(impl_->files, kFilesDb, digest_key(e.root) + layer_key,
                           encode_value({path, e.offset, e.size, frame}, st->second)));
  }
  MDB_val k = as_val(layer_key), v = as_val(rec);
  int rc = mdb_put(t.txn, impl_->layers, &k, &v, 0);
  if (rc) return lmdb_error(rc, "record " + layer_key);
  if ((rc = t.commit())) return lmdb_error(rc, "commit " + layer_key);
  return Status();
}

Status ContentIndex::forget_layer(const LayerRef& ref) {
  Txn t;
  BC_RETURN_IF_ERROR(impl_->begin(&t, true));
  BC_RETURN_IF_ERROR(impl_->drop_layer(t.txn, ref.to_string()));
  int rc = t.commit();
  return rc ? lmdb_error(rc, "commit forget " + ref.to_string()) : Status();
}

Result<std::optional<HeldLocation>> ContentIndex::Impl::find(MDB_dbi dbi, const std::string& prefix) {
  std::vector<std::string> stale;
  std::optional<HeldLocation> found;
  {
    Txn t;
    BC_RETURN_IF_ERROR(begin(&t, false));
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(t.txn, dbi, &cur);
    if (rc) return lmdb_error(rc, "open cursor");
    MDB_val k = as_val(prefix), v;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (uint32_t n = 0; rc == 0 && n < options.max_candidates && !found; ++n) {
      std::string_view key = as_view(k);
      if (key.substr(0, prefix.size()) != prefix) break;
      HeldLocation loc;
      FileStamp recorded;
      auto now = decode_value(as_view(v), &loc, &recorded) ? stamp_of(loc.path) : Result<FileStamp>(Status::corruption("bad entry"));
      if (now.ok() && *now == recorded) found = std::move(loc);
      else stale.emplace_back(key);
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND) return lmdb_error(rc, "scan");
  }
  if (!stale.empty()) {
    Txn t;
    BC_RETURN_IF_ERROR(begin(&t, true));
    for (const auto& key : stale) {
      MDB_val k = as_val(key);
      int rc = mdb_del(t.txn, dbi, &k, nullptr);
      if (rc && rc != MDB_NOTFOUND) return lmdb_error(rc, "drop stale entry");
    }
    int rc = t.commit();
    if (rc) return lmdb_error(rc, "commit stale drop");
    stale_dropped += stale.size();
  }
  return found;
}

Result<std::optional<HeldLocation>> ContentIndex::find_file(const Sha256Digest& root) {
  return impl_->find(impl_->files, digest_key(root));
}

Result<std::optional<HeldLocation>> ContentIndex::find_piece(const Sha256Digest& piece_hash,
                                                             uint32_t piece_size) {
  return impl_->find(impl_->pieces, piece_prefix(piece_hash, piece_size));
}

Result<ContentIndexStats> ContentIndex::stats() {
  Txn t;
  BC_RETURN_IF_ERROR(impl_->begin(&t, false));
  ContentIndexStats s;
  MDB_stat st;
  if (mdb_stat(t.txn, impl_->layers, &st) == 0) s.layers = st.ms_entries;
  if (mdb_stat(t.txn, impl_->files, &st) == 0) s.files = st.ms_entries;
  if (mdb_stat(t.txn, impl_->pieces, &st) == 0) s.pieces = st.ms_entries;
  s.stale_dropped = impl_->stale_dropped;
  return s;
}

}  // namespace bc
