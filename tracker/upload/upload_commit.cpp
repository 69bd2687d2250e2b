// UploadService: commit, cancel and the sweep of stale uploads.
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "tracker/upload/upload_service.hpp"

namespace bc::tracker {

namespace fs = std::filesystem;

Result<UploadService::Assembled> UploadService::begin_commit(const std::string& id) {
  auto s = find(id);
  if (!s) return Status::not_found("upload " + id + " does not exist (it was committed, cancelled or swept as stale)");
  {
    std::lock_guard<std::mutex> lock(s->mu);
    if (s->gone) return Status::not_found("upload " + id + " does not exist (cancelled)");
    if (s->committing) return Status::aborted("upload " + id + " is already being committed");
    if (uint64_t n = s->missing_pieces())
      return Status::aborted("upload " + id + " still lacks " + std::to_string(n) + " pieces (" +
                             std::to_string(s->need_bytes()) + " bytes): send them (GET /api/v1/uploads/" + id +
                             " lists them), then commit");
    s->committing = true;
  }
  // Without the lock: chunks, cancel and the sweep leave a committing upload alone.
  auto layer = s->assemble();
  if (!layer.ok()) {
    abort_commit(id);
    return layer.status().with_context("upload " + id + ": assemble");
  }
  std::lock_guard<std::mutex> lock(s->mu);
  return Assembled{*layer, s->info(), s->describe(false), s->sent_bytes()};
}

void UploadService::abort_commit(const std::string& id) {
  if (auto s = find(id)) {
    std::lock_guard<std::mutex> lock(s->mu);
    s->committing = false;
    s->last_active_s = clock_.unix_s();
  }
}

void UploadService::finish_commit(const std::string& id) {
  std::shared_ptr<UploadSession> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    s = it->second;
    sessions_.erase(it);
    by_ref_.erase(s->info().ref);
  }
  std::lock_guard<std::mutex> lock(s->mu);
  s->gone = true;
  std::error_code ec;
  fs::remove_all(s->dir(), ec);
}

Result<UploadInfo> UploadService::cancel(const std::string& id) {
  std::shared_ptr<UploadSession> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end())
      return Status::not_found("upload " + id + " does not exist (it was committed, cancelled or swept as stale)");
    s = it->second;
    std::lock_guard<std::mutex> slock(s->mu);
    if (s->committing) return Status::aborted("upload " + id + " is being committed; it can no longer be cancelled");
    s->gone = true;  // a chunk waiting for the session's lock finds it gone
    sessions_.erase(it);
    by_ref_.erase(s->info().ref);
  }
  std::lock_guard<std::mutex> slock(s->mu);
  std::error_code ec;
  fs::remove_all(s->dir(), ec);
  return s->info();
}

size_t UploadService::sweep() {
  const int64_t now = clock_.unix_s();
  std::vector<std::shared_ptr<UploadSession>> stale;
  std::set<std::string> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      auto& s = it->second;
      std::unique_lock<std::mutex> slock(s->mu, std::try_to_lock);
      bool idle = slock.owns_lock() && !s->committing && now - s->last_active_s > options_.stale_after_s;
      if (!idle) {
        live.insert(it->first);
        ++it;
        continue;
      }
      s->gone = true;
      by_ref_.erase(s->info().ref);
      stale.push_back(s);
      it = sessions_.erase(it);
    }
    for (const auto& [ref, id] : by_ref_) live.insert(id);  // starting: not a session yet
  }
  for (auto& s : stale) {
    std::lock_guard<std::mutex> slock(s->mu);
    std::error_code ec;
    fs::remove_all(s->dir(), ec);
  }
  // Directories no session owns (a start that crashed half-way), once as
  // stale as an idle upload (a start running now may have just made one).
  std::error_code ec;
  size_t orphans = 0;
  for (const auto& d : fs::directory_iterator(staging_root(), ec)) {
    if (live.count(d.path().filename().string())) continue;
    struct stat st {};
    if (::stat(d.path().c_str(), &st) == 0 && now - int64_t(st.st_mtime) <= options_.stale_after_s) continue;
    std::error_code rm;
    fs::remove_all(d.path(), rm);
    ++orphans;
  }
  return stale.size() + orphans;
}

}  // namespace bc::tracker
