#include "tracker/service/bt_directory_cache.hpp"

namespace bc::tracker {

void BtDirectoryCache::sync_generation(uint64_t generation) {
  if (generation_ == generation) return;
  if (generation_) ++stats_.flushes;
  generation_ = generation;
  layers.reset();
  view.reset();
  endpoints_by_branch.reset();
  by_key_.clear();
  entitled_.clear();
}

void BtDirectoryCache::sync_commits(uint64_t commits, int64_t now_s) {
  if (commits_ == commits) return;
  if (latest_heartbeat && now_s < heartbeat_read_s + 1) return;  // at most one re-read a second
  commits_ = commits;
  latest_heartbeat.reset();
}

const CachedNode* BtDirectoryCache::find_node(const std::string& key) {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &it->second;
}

void BtDirectoryCache::put_node(const std::string& key, CachedNode node) {
  if (by_key_.size() >= max_entries_) {
    by_key_.clear();
    ++stats_.evictions;
  }
  by_key_.insert_or_assign(key, std::move(node));
}

const EntitledSet* BtDirectoryCache::find_entitled(const std::string& who) {
  auto it = entitled_.find(who);
  return it == entitled_.end() ? nullptr : &it->second;
}

void BtDirectoryCache::put_entitled(const std::string& who, EntitledSet set) {
  if (entitled_.size() >= max_entries_) {
    entitled_.clear();
    ++stats_.evictions;
  }
  entitled_.insert_or_assign(who, std::move(set));
}

}  // namespace bc::tracker
