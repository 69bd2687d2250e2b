// The narrow seam over the LMDB C API: one environment, a fixed set of named
// databases (tables), and read/write transactions that translate LMDB error
// codes into Status values. Nothing outside tracker/store/ sees an MDB_* type.
//
// Durability: the environment is opened with LMDB's default sync-on-commit,
// so a WriteTxn whose commit() returned OK survives a crash (kill -9, power
// loss on a disk that honours fsync).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::tracker {

// The named databases. Keep in sync with kTableNames in lmdb_env.cpp.
enum class Table {
  meta,          // "schema_version" -> decimal text
  layers,        // "name@version" (version zero-padded) -> layer record JSON
  layer_blobs,   // "name@version/manifest|sig|torrent" -> raw bytes
  branches,      // name -> branch JSON
  reflectors,    // node id (pubkey hex) -> reflector JSON
  endpoints,     // node id (pubkey hex) -> endpoint JSON
  enroll_tokens, // sha256(token) hex -> enrollment token JSON
  admin_tokens,  // sha256(token) hex -> admin token JSON
  assignments,   // "endpoint:<id>" | "group:<name>" | "branch:<name>" -> assignment JSON
  groups,        // name -> group JSON
  status,        // node id -> latest status report JSON
  audit,         // 8-byte big-endian sequence -> audit entry JSON (append-only)
  announce_keys, // per-node announce key (32 hex) -> {"node","role"}
  node_certs,    // "<node id>/<serial hex>" -> issued node certificate JSON (tracker/service/node_certs.hpp)
  revoked_serials, // serial hex -> {"node","not_after","reason","revoked_at"} until the cert expires
  revoked_nodes, // node id -> {"id","revoked_at","by"}: every route answers 403, forever
  count_         // number of tables; not a table
};
const char* table_name(Table t);

struct LmdbOptions {
  uint64_t map_size_bytes = uint64_t(1) << 30;  // maximum database size, bytes; default 1 GiB
  unsigned max_readers = 256;                    // concurrent read transactions; default 256
  Status validate() const;
};

class LmdbEnv;

// A transaction. Read-only or read-write; aborted on destruction unless
// committed. Thread affinity: used only by the thread that began it.
class Txn {
 public:
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // The value stored under key, nullopt when absent, or an error.
  Result<std::optional<std::string>> get(Table t, std::string_view key) const;
  // REQUIRES: a write transaction.
  Status put(Table t, std::string_view key, std::string_view value);
  // OK also when the key was absent.
  Status del(Table t, std::string_view key);
  // Calls fn(key, value) for every key starting with prefix, in key order,
  // until fn returns false. Views are valid only during the call.
  Status scan(Table t, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // Calls fn(key, value) for every key >= start, in key order, until fn
  // returns false.
  Status scan_from(Table t, std::string_view start,
                   const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // The last key of the table, nullopt when empty.
  Result<std::optional<std::string>> last_key(Table t) const;
  // Appends (key must sort after every existing key).
  Status append(Table t, std::string_view key, std::string_view value);

  bool writable() const { return writable_; }

 private:
  friend class LmdbEnv;
  Txn(LmdbEnv* env, void* txn, bool writable) : env_(env), txn_(txn), writable_(writable) {}
  Status commit();
  LmdbEnv* env_;
  void* txn_;  // MDB_txn*
  bool writable_;
};

class LmdbEnv {
 public:
  // Opens (creating if needed) the environment in directory `dir`, which must
  // exist, and every named table.
  static Result<std::unique_ptr<LmdbEnv>> open(const std::string& dir, const LmdbOptions& options);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  // Runs fn inside a read transaction. Thread-safe.
  Status read(const std::function<Status(const Txn&)>& fn) const;
  // Runs fn inside one write transaction and commits it when fn returns OK;
  // aborts (nothing written) otherwise. Writers are serialised by LMDB.
  // Thread-safe. Returns OK only after a durable commit.
  Status write(const std::function<Status(Txn&)>& fn);
  // Group commit: runs each fns[i] in its own nested transaction inside one
  // outer write transaction, so a failing fn rolls back only its own changes
  // (its Status goes to (*results)[i]); then commits the outer transaction
  // once. When that commit fails, every result that was OK becomes its error.
  // REQUIRES: results->size() == fns.size().
  Status write_batch(const std::vector<const std::function<Status(Txn&)>*>& fns,
                     std::vector<Status>* results);

 private:
  friend class Txn;
  LmdbEnv() = default;
  void* env_ = nullptr;  // MDB_env*
  unsigned dbi_[static_cast<int>(Table::count_)] = {};
};

// "lmdb: <op>: <mdb_strerror>" with the right Status code (MDB_MAP_FULL -> no_space).
Status lmdb_status(int rc, const char* op);

}  // namespace bc::tracker
