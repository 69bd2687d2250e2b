// The tracker's side of layer upload (docs/api.md "Upload"): staged uploads
// by id, with their limits ([upload]), resumption, and the sweep of stale
// staging directories. The API (tracker/api/upload_api.cpp) adds what needs
// the ApiContext: authorization, audit, and publishing with the importer.
// Thread-safe: sessions are found under one mutex and used under their own.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "layers/util/clock.hpp"
#include "tracker/store/store.hpp"
#include "tracker/upload/upload_options.hpp"
#include "tracker/upload/upload_session.hpp"

namespace bc::tracker {

class UploadService {
 public:
  // Staging lives in DATA/uploads. `store` and `clock` must outlive it.
  UploadService(UploadOptions options, std::string data_dir, const Store& store, const Clock& clock);

  // Loads the staged uploads a previous run left (a broken one is removed),
  // then sweeps. Call once before serving.
  Status open();

  struct Started {
    nlohmann::json status;  // describe() with needs
    bool resumed = false;   // an earlier upload of the same bytes by the same actor
  };
  // Starts (or resumes) an upload. `claimed_bytes` (the client's statement of
  // the layer's size) is checked against max_layer_bytes before anything is
  // decoded, then against the manifest. Errors: invalid_argument (limits, bad
  // manifest or torrent), already_exists (published), aborted (another upload
  // of the ref: it is named), unavailable (max_concurrent), no_space.
  Result<Started> start(const std::string& actor, uint64_t claimed_bytes, std::string manifest_bytes,
                        std::string torrent);
  Result<nlohmann::json> status(const std::string& id);
  Result<nlohmann::json> list();
  // Keeps a chunk (UploadSession::put_chunk); 404 for an unknown id, 409 while committing.
  Result<nlohmann::json> put_chunk(const std::string& id, uint32_t file, uint32_t piece, std::string_view body);
  // Many small chunks at once (UploadSession::put_batch); same errors.
  Result<nlohmann::json> put_batch(const std::string& id, std::string_view body);
  static constexpr size_t kMaxBatchUnits = 4096;

  // Commit, in two steps around the importer: assemble the layer directory
  // (the session is then "committing": chunks and cancel are refused), then
  // finish (removes the staging dir) or abort_commit (back to receiving).
  struct Assembled {
    std::string layer_dir;
    UploadInfo info;
    nlohmann::json totals;  // describe(false)
    uint64_t sent_bytes = 0;
  };
  Result<Assembled> begin_commit(const std::string& id);
  void finish_commit(const std::string& id);
  void abort_commit(const std::string& id);

  // Removes an upload and its staging dir; its info for the audit log.
  Result<UploadInfo> cancel(const std::string& id);
  // Removes uploads idle longer than stale_after_s (not while committing).
  // Returns how many it removed.
  size_t sweep();

  const UploadOptions& options() const { return options_; }
  std::string staging_root() const { return data_dir_ + "/uploads"; }

 private:
  std::shared_ptr<UploadSession> find(const std::string& id);
  // Runs `fn` on upload `id` under its lock after the checks every chunk
  // request shares: a body within max_chunk_bytes, the upload known, not
  // cancelled, not committing; `what` names the body in the size error.
  Result<nlohmann::json> with_receiving(const std::string& id, std::string_view body, const char* what,
                                        const std::function<Result<nlohmann::json>(UploadSession&)>& fn);
  Result<Started> resume_or_refuse(const std::string& actor, const std::string& ref, const std::string& manifest);
  Status check_space(const UploadSession& s) const;
  static std::string new_id();

  UploadOptions options_;
  std::string data_dir_;
  const Store& store_;
  const Clock& clock_;
  std::mutex mu_;  // guards sessions_ and starting_
  std::map<std::string, std::shared_ptr<UploadSession>> sessions_;
  std::map<std::string, std::string> by_ref_;  // ref -> id
};

}  // namespace bc::tracker
