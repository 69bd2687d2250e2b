#include "tracker/store/lmdb_env.hpp"

#include <lmdb.h>

namespace bc::tracker {

namespace {
constexpr const char* kTableNames[] = {
    "meta",         "layers",      "layer_blobs", "branches", "reflectors", "endpoints",
    "enroll_tokens", "admin_tokens", "assignments", "groups",  "status",     "audit",
    "announce_keys", "node_certs",  "revoked_serials", "revoked_nodes",
};
static_assert(sizeof(kTableNames) / sizeof(kTableNames[0]) == static_cast<size_t>(Table::count_));

// Closes a cursor however the scope is left (a callback may throw).
struct CursorGuard {
  MDB_cursor* c = nullptr;
  ~CursorGuard() {
    if (c) mdb_cursor_close(c);
  }
};

MDB_val to_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view to_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }
}  // namespace

const char* table_name(Table t) { return kTableNames[static_cast<int>(t)]; }

Status lmdb_status(int rc, const char* op) {
  if (rc == MDB_SUCCESS) return Status();
  std::string msg = std::string("lmdb: ") + op + ": " + mdb_strerror(rc);
  if (rc == MDB_MAP_FULL) return Status::no_space(msg + " (raise storage.map_size_mib)");
  if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID)
    return Status::corruption(msg);
  return Status::io_error(msg);
}

Status LmdbOptions::validate() const {
  if (map_size_bytes < (uint64_t(1) << 20))
    return Status::invalid_argument("lmdb map size must be at least 1 MiB");
  if (max_readers < 1) return Status::invalid_argument("lmdb max_readers must be at least 1");
  return Status();
}

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::open(const std::string& dir, const LmdbOptions& options) {
  BC_RETURN_IF_ERROR(options.validate());
  std::unique_ptr<LmdbEnv> env(new LmdbEnv());
  MDB_env* e = nullptr;
  BC_RETURN_IF_ERROR(lmdb_status(mdb_env_create(&e), "env_create"));
  env->env_ = e;
  BC_RETURN_IF_ERROR(lmdb_status(mdb_env_set_mapsize(e, options.map_size_bytes), "set_mapsize"));
  BC_RETURN_IF_ERROR(
      lmdb_status(mdb_env_set_maxdbs(e, static_cast<MDB_dbi>(Table::count_)), "set_maxdbs"));
  BC_RETURN_IF_ERROR(lmdb_status(mdb_env_set_maxreaders(e, options.max_readers), "set_maxreaders"));
  // MDB_NOTLS: read transactions are not tied to a thread (we use a pool).
  // No MDB_NOSYNC/MDB_NOMETASYNC: every commit is durable.
  BC_RETURN_IF_ERROR(
      lmdb_status(mdb_env_open(e, dir.c_str(), MDB_NOTLS, 0600), "env_open").with_context(dir));
  MDB_txn* txn = nullptr;
  BC_RETURN_IF_ERROR(lmdb_status(mdb_txn_begin(e, nullptr, 0, &txn), "txn_begin"));
  for (int i = 0; i < static_cast<int>(Table::count_); ++i) {
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn, kTableNames[i], MDB_CREATE, &dbi);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      return lmdb_status(rc, "dbi_open").with_context(kTableNames[i]);
    }
    env->dbi_[i] = dbi;
  }
  BC_RETURN_IF_ERROR(lmdb_status(mdb_txn_commit(txn), "txn_commit"));
  return env;
}

LmdbEnv::~LmdbEnv() {
  if (env_) mdb_env_close(static_cast<MDB_env*>(env_));
}

Status LmdbEnv::read(const std::function<Status(const Txn&)>& fn) const {
  MDB_txn* t = nullptr;
  BC_RETURN_IF_ERROR(lmdb_status(
      mdb_txn_begin(static_cast<MDB_env*>(env_), nullptr, MDB_RDONLY, &t), "txn_begin(read)"));
  Txn txn(const_cast<LmdbEnv*>(this), t, false);
  return fn(txn);
}

Status LmdbEnv::write(const std::function<Status(Txn&)>& fn) {
  MDB_txn* t = nullptr;
  BC_RETURN_IF_ERROR(
      lmdb_status(mdb_txn_begin(static_cast<MDB_env*>(env_), nullptr, 0, &t), "txn_begin(write)"));
  Txn txn(this, t, true);
  BC_RETURN_IF_ERROR(fn(txn));
  return txn.commit();
}

Status LmdbEnv::write_batch(const std::vector<const std::function<Status(Txn&)>*>& fns,
                            std::vector<Status>* results) {
  MDB_txn* outer = nullptr;
  BC_RETURN_IF_ERROR(lmdb_status(mdb_txn_begin(static_cast<MDB_env*>(env_), nullptr, 0, &outer),
                                 "txn_begin(batch)"));
  Txn parent(this, outer, true);
  for (size_t i = 0; i < fns.size(); ++i) {
    MDB_txn* inner = nullptr;
    Status s = lmdb_status(mdb_txn_begin(static_cast<MDB_env*>(env_), outer, 0, &inner), "txn_begin(nested)");
    if (s.ok()) {
      Txn child(this, inner, true);
      try {  // a throwing fn must not take the other writes of the batch down
        s = (*fns[i])(child);
      } catch (const std::exception& e) {
        s = Status::internal(std::string("write threw: ") + e.what());
      } catch (...) {
        s = Status::internal("write threw");
      }
      if (s.ok()) s = child.commit();
    }
    (*results)[i] = s;
  }
  Status c = parent.commit();
  if (!c.ok())
    for (auto& r : *results)
      if (r.ok()) r = c;
  return c;
}

Txn::~Txn() {
  if (txn_) mdb_txn_abort(static_cast<MDB_txn*>(txn_));
}

Status Txn::commit() {
  int rc = mdb_txn_commit(static_cast<MDB_txn*>(txn_));
  txn_ = nullptr;  // freed by commit whatever the outcome
  return lmdb_status(rc, "txn_commit");
}

Result<std::optional<std::string>> Txn::get(Table t, std::string_view key) const {
  MDB_val k = to_val(key), v;
  int rc = mdb_get(static_cast<MDB_txn*>(txn_), env_->dbi_[static_cast<int>(t)], &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  BC_RETURN_IF_ERROR(lmdb_status(rc, "get").with_context(table_name(t)));
  return std::optional<std::string>(std::string(to_view(v)));
}

Status Txn::put(Table t, std::string_view key, std::string_view value) {
  if (!writable_) return Status::internal("put in a read transaction");
  MDB_val k = to_val(key), v = to_val(value);
  return lmdb_status(mdb_put(static_cast<MDB_txn*>(txn_), env_->dbi_[static_cast<int>(t)], &k, &v, 0),
                     "put")
      .with_context(table_name(t));
}

Status Txn::append(Table t, std::string_view key, std::string_view value) {
  if (!writable_) return Status::internal("append in a read transaction");
  MDB_val k = to_val(key), v = to_val(value);
  return lmdb_status(
             mdb_put(static_cast<MDB_txn*>(txn_), env_->dbi_[static_cast<int>(t)], &k, &v, MDB_APPEND),
             "append")
      .with_context(table_name(t));
}

Status Txn::del(Table t, std::string_view key) {
  if (!writable_) return Status::internal("del in a read transaction");
  MDB_val k = to_val(key);
  int rc = mdb_del(static_cast<MDB_txn*>(txn_), env_->dbi_[static_cast<int>(t)], &k, nullptr);
  if (rc == MDB_NOTFOUND) return Status();
  return lmdb_status(rc, "del").with_context(table_name(t));
}

Status Txn::scan(Table t, std::string_view prefix,
                 const std::function<bool(std::string_view, std::string_view)>& fn) const {
  return scan_from(t, prefix, [&](std::string_view k, std::string_view v) {
    return k.substr(0, prefix.size()) == prefix && fn(k, v);
  });
}

Status Txn::scan_from(Table t, std::string_view start,
                      const std::function<bool(std::string_view, std::string_view)>& fn) const {
  CursorGuard g;
  BC_RETURN_IF_ERROR(lmdb_status(
      mdb_cursor_open(static_cast<MDB_txn*>(txn_), env_->dbi_[static_cast<int>(t)], &g.c), "cursor"));
  MDB_val k = to_val(start), v;
  int rc = mdb_cursor_get(g.c, &k, &v, start.empty() ? MDB_FIRST : MDB_SET_RANGE);
  while (rc == MDB_SUCCESS && fn(to_view(k), to_view(v))) rc = mdb_cursor_get(g.c, &k, &v, MDB_NEXT);
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return lmdb_status(rc, "cursor_get");
  return Status();
}

Result<std::optional<std::string>> Txn::last_key(Table t) const {
  CursorGuard g;
  BC_RETURN_IF_ERROR(lmdb_status(
      mdb_cursor_open(static_cast<MDB_txn*>(txn_), env_->dbi_[static_cast<int>(t)], &g.c), "cursor"));
  MDB_val k, v;
  int rc = mdb_cursor_get(g.c, &k, &v, MDB_LAST);
  std::optional<std::string> out;
  if (rc == MDB_SUCCESS) out = std::string(to_view(k));
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return lmdb_status(rc, "cursor_last");
  return out;
}

}  // namespace bc::tracker
