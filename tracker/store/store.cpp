#include "tracker/store/store.hpp"

#include <filesystem>

#include "layers/util/json.hpp"
#include "tracker/store/migrations.hpp"

namespace bc::tracker {

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, const LmdbOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error("cannot create " + dir + ": " + ec.message());
  std::unique_ptr<Store> store(new Store());
  BC_ASSIGN_OR_RETURN(store->env_, LmdbEnv::open(dir, options));
  BC_RETURN_IF_ERROR(migrate(*store->env_, migration_steps(), kSchemaVersion));
  return store;
}

struct Store::Pending {
  const std::function<Status(Txn&)>* fn;
  Status result;
  bool done = false;
};

// REQUIRES: lock held, leader_active_ set by the caller. Runs one batch with
// the lock released, then marks its writes done and wakes every waiter.
void Store::lead_batch(std::unique_lock<std::mutex>& lock) {
  std::vector<Pending*> batch;
  while (!queue_.empty() && batch.size() < kMaxBatch) {
    batch.push_back(queue_.front());
    queue_.pop_front();
  }
  lock.unlock();
  std::vector<const std::function<Status(Txn&)>*> fns;
  for (auto* p : batch) fns.push_back(p->fn);
  std::vector<Status> results(batch.size());
  Status commit = env_->write_batch(fns, &results);
  lock.lock();
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->result = commit.ok() ? results[i] : (results[i].ok() ? commit : results[i]);
    batch[i]->done = true;
  }
  if (commit.ok()) ++commits_;
  leader_active_ = false;
  batch_cv_.notify_all();
}

uint64_t Store::commits() const {
  std::lock_guard<std::mutex> lock(const_cast<std::mutex&>(batch_mu_));
  return commits_;
}

Status Store::write(const std::function<Status(Txn&)>& fn, Notify notify) {
  Pending mine{&fn, Status(), false};
  {
    std::unique_lock<std::mutex> lock(batch_mu_);
    queue_.push_back(&mine);
    while (!mine.done) {
      if (!leader_active_) {
        leader_active_ = true;
        lead_batch(lock);
      } else {
        batch_cv_.wait(lock);
      }
    }
  }
  BC_RETURN_IF_ERROR(mine.result);
  if (notify == Notify::no) return Status();
  std::vector<std::pair<uint64_t, std::function<void()>>> fire;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    fire.swap(watchers_);
  }
  for (auto& [id, fn2] : fire) fn2();
  return Status();
}

uint64_t Store::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

uint64_t Store::on_next_change(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_id_++;
  watchers_.emplace_back(id, std::move(fn));
  return id;
}

bool Store::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = watchers_.begin(); it != watchers_.end(); ++it) {
    if (it->first == id) {
      watchers_.erase(it);
      return true;
    }
  }
  return false;
}

size_t Store::watcher_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_.size();
}

std::string audit_key(uint64_t seq) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i) {
    k[i] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return k;
}

uint64_t audit_seq(std::string_view key) {
  if (key.size() != 8) return 0;
  uint64_t v = 0;
  for (char c : key) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

Result<uint64_t> append_audit(Txn& txn, nlohmann::json entry) {
  BC_ASSIGN_OR_RETURN(auto last, txn.last_key(Table::audit));
  uint64_t seq = last ? audit_seq(*last) + 1 : 1;
  if (seq == 1 && last) return Status::corruption("audit log key is malformed");
  entry["seq"] = seq;
  BC_RETURN_IF_ERROR(txn.append(Table::audit, audit_key(seq), entry.dump()));
  return seq;
}

Result<nlohmann::json> get_json(const Txn& txn, Table t, std::string_view key) {
  BC_ASSIGN_OR_RETURN(auto v, txn.get(t, key));
  if (!v) return nlohmann::json();
  // Stored by us: generous limits, but still never trusted to be well formed.
  auto j = parse_json(*v, JsonLimits{size_t(1) << 30, 64});
  if (!j.ok()) return Status::corruption(std::string(table_name(t)) + ": " + j.status().message());
  return std::move(j).value();
}

Status put_json(Txn& txn, Table t, std::string_view key, const nlohmann::json& value) {
  return txn.put(t, key, value.dump());
}

}  // namespace bc::tracker
