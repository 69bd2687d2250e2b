// The tracker's state: an LMDB environment at its current schema version,
// plus a change generation that long-polling readers wait on. Every
// acknowledged write is exactly one committed (durable) LMDB transaction.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tracker/store/change_feed.hpp"
#include "tracker/store/lmdb_env.hpp"

namespace bc::tracker {

class Store final : public ChangeFeed {
 public:
  // Opens or creates the database in `dir` (created if missing) and migrates it.
  static Result<std::unique_ptr<Store>> open(const std::string& dir, const LmdbOptions& options);

  Status read(const std::function<Status(const Txn&)>& fn) const { return env_->read(fn); }
  // Whether a write can change what nodes are told to do (desired state).
  // Status reports and heartbeats pass no, so they do not wake long polls.
  enum class Notify { yes, no };
  // Runs fn atomically (its own nested transaction) and returns only after
  // the transaction holding it committed durably. Concurrent writers are
  // group-committed: one thread (the leader) runs up to kMaxBatch queued
  // writes, in arrival order, in one outer transaction with one fsync. On OK
  // (and notify yes) the generation advances and watchers are called
  // (outside any lock, on the writing thread).
  static constexpr size_t kMaxBatch = 64;
  Status write(const std::function<Status(Txn&)>& fn, Notify notify = Notify::yes);
  // Outer transactions committed. It moves on every write, non-notifying ones
  // included, before the writer returns: a version of all the data
  // (StoreBtDirectory keys its reflector-heartbeat summary on it).
  uint64_t commits() const;

  // Increases after every committed write. Thread-safe.
  uint64_t generation() const override;
  // Registers fn to be called once after the next committed write. Returns an
  // id for cancel(). Bounded by the caller (see Limits::max_long_polls).
  uint64_t on_next_change(std::function<void()> fn) override;
  // Forgets a watcher that has not fired; false when it already fired.
  bool cancel(uint64_t id) override;
  size_t watcher_count() const;

 private:
  Store() = default;
  std::unique_ptr<LmdbEnv> env_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;
  uint64_t next_id_ = 1;
  std::vector<std::pair<uint64_t, std::function<void()>>> watchers_;

  struct Pending;
  void lead_batch(std::unique_lock<std::mutex>& lock);
  std::mutex batch_mu_;
  std::condition_variable batch_cv_;
  std::deque<Pending*> queue_;
  bool leader_active_ = false;
  uint64_t commits_ = 0;  // guarded by batch_mu_
};

// Audit log helpers: entries are keyed by a big-endian 8-byte sequence that
// starts at 1 and grows by one per entry; never rewritten.
std::string audit_key(uint64_t seq);
uint64_t audit_seq(std::string_view key);  // 0 when malformed
// Appends `entry` (its "seq" field is set) inside the caller's transaction.
Result<uint64_t> append_audit(Txn& txn, nlohmann::json entry);

// JSON helpers over a transaction: get_json returns null when absent.
Result<nlohmann::json> get_json(const Txn& txn, Table t, std::string_view key);
Status put_json(Txn& txn, Table t, std::string_view key, const nlohmann::json& value);

}  // namespace bc::tracker
