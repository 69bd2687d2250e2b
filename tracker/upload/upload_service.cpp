#include "tracker/upload/upload_service.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <random>

#include "layers/util/fs.hpp"
#include "layers/util/human_bytes.hpp"
#include "tracker/service/records.hpp"
#include "tracker/upload/staged_io.hpp"

namespace bc::tracker {

namespace fs = std::filesystem;

namespace {
void remove_dir(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

int64_t mtime_s(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? int64_t(st.st_mtime) : 0;
}
}  // namespace

UploadService::UploadService(UploadOptions options, std::string data_dir, const Store& store, const Clock& clock)
    : options_(options), data_dir_(std::move(data_dir)), store_(store), clock_(clock) {}

std::string UploadService::new_id() {
  std::random_device rd;
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id += kHex[rd() & 15];
  return id;
}

Status UploadService::open() {
  std::error_code ec;
  fs::create_directories(staging_root(), ec);
  if (ec) return Status::io_error(staging_root() + ": " + ec.message());
  for (const auto& d : fs::directory_iterator(staging_root(), ec)) {
    const std::string dir = d.path().string();
    auto info = read_small_file(dir + "/session.json", 1 << 16);
    auto j = info.ok() ? nlohmann::json::parse(*info, nullptr, false) : nlohmann::json();
    auto bytes = read_small_file(dir + "/manifest.json", kMaxManifestBytes);
    auto m = bytes.ok() ? Manifest::decode(*bytes) : Result<Manifest>(bytes.status());
    if (!m.ok() || !j.is_object()) {
      remove_dir(dir);  // never fully started
      continue;
    }
    BC_ASSIGN_OR_RETURN(HeldContent held, HeldContent::load(store_, HeldWanted::from(*m)));
    auto s = UploadSession::load(dir, held);
    if (!s.ok()) {
      remove_dir(dir);
      continue;
    }
    (*s)->last_active_s = std::max(mtime_s(dir + "/received"), mtime_s(dir + "/session.json"));
    std::shared_ptr<UploadSession> sp = std::move(*s);
    by_ref_[sp->info().ref] = sp->info().id;
    sessions_[sp->info().id] = std::move(sp);
  }
  sweep();
  return Status();
}

std::shared_ptr<UploadSession> UploadService::find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

static Status unknown(const std::string& id) {
  return Status::not_found("upload " + id + " does not exist (it was committed, cancelled or swept as stale)");
}

// REQUIRES: mu_ held and `ref` in by_ref_.
Result<UploadService::Started> UploadService::resume_or_refuse(const std::string& actor, const std::string& ref,
                                                              const std::string& manifest) {
  const std::string& id = by_ref_.at(ref);
  auto it = sessions_.find(id);
  if (it == sessions_.end())
    return Status::aborted("layer " + ref + " is being uploaded: upload " + id + " is starting");
  auto& s = *it->second;
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.manifest_bytes() != manifest || s.info().actor != actor)
    return Status::aborted("layer " + ref + " is being uploaded by " + s.info().actor + " as upload " + id +
                           " (started " + now_rfc3339(s.info().started_s) + "); wait for it, or cancel it with " +
                           "DELETE /api/v1/uploads/" + id);
  s.last_active_s = clock_.unix_s();
  return Started{s.describe(), true};
}

Status UploadService::check_space(const UploadSession& s) const {
  BC_ASSIGN_OR_RETURN(uint64_t avail, free_bytes(data_dir_));
  // The staged copy, then the importer's copy into the origin store.
  uint64_t want = 2 * s.manifest().total_file_bytes() + options_.reserve_free_bytes;
  if (avail < want)
    return Status::no_space("layer " + s.info().ref + " needs " + human_bytes(want) + " free in " + data_dir_ +
                            " (two copies of its " + human_bytes(s.manifest().total_file_bytes()) +
                            " and [upload] reserve_free_bytes); " + human_bytes(avail) + " are free");
  return Status();
}

Result<UploadService::Started> UploadService::start(const std::string& actor, uint64_t claimed_bytes,
                                                    std::string manifest_bytes, std::string torrent) {
  if (claimed_bytes > options_.max_layer_bytes)
    return Status::invalid_argument("layer of " + human_bytes(claimed_bytes) + " refused: this tracker accepts " +
                                    "layers up to " + human_bytes(options_.max_layer_bytes) +
                                    " ([upload] max_layer_bytes)");
  auto m = Manifest::decode(manifest_bytes);
  if (!m.ok()) return m.status().with_context("manifest");
  if (m->total_file_bytes() != claimed_bytes)
    return Status::invalid_argument("content_bytes " + std::to_string(claimed_bytes) +
                                    " does not match the manifest's " + std::to_string(m->total_file_bytes()));
  const std::string ref = m->ref().to_string();
  bool published = false;
  BC_RETURN_IF_ERROR(store_.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(auto rec, t.get(Table::layers, layer_key(m->ref())));
    published = rec.has_value();
    return Status();
  }));
  if (published) return Status::already_exists("layer " + ref + " is already published");
  const std::string id = new_id();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (by_ref_.count(ref)) return resume_or_refuse(actor, ref, manifest_bytes);
    if (by_ref_.size() >= options_.max_concurrent)
      return Status::unavailable(std::to_string(by_ref_.size()) + " uploads are in progress, the limit " +
                                 "([upload] max_concurrent); finish or cancel one (GET /api/v1/uploads)");
    by_ref_[ref] = id;  // reserved: a concurrent start of the same ref is refused
  }
  const std::string dir = staging_root() + "/" + id;
  auto made = [&]() -> Result<std::shared_ptr<UploadSession>> {
    BC_ASSIGN_OR_RETURN(HeldContent held, HeldContent::load(store_, HeldWanted::from(*m)));
    BC_ASSIGN_OR_RETURN(auto s, UploadSession::make({id, ref, actor, clock_.unix_s()}, std::move(manifest_bytes),
                                                    std::move(torrent), held));
    BC_RETURN_IF_ERROR(check_space(*s));
    BC_RETURN_IF_ERROR(s->save(dir));
    s->last_active_s = clock_.unix_s();
    return std::shared_ptr<UploadSession>(std::move(s));
  }();
  std::lock_guard<std::mutex> lock(mu_);
  if (!made.ok()) {
    by_ref_.erase(ref);
    remove_dir(dir);
    return made.status();
  }
  sessions_[id] = *made;
  std::lock_guard<std::mutex> slock((*made)->mu);
  return Started{(*made)->describe(), false};
}

Result<nlohmann::json> UploadService::status(const std::string& id) {
  auto s = find(id);
  if (!s) return unknown(id);
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->gone) return unknown(id);
  if (!s->committing) s->last_active_s = clock_.unix_s();
  return s->describe();
}

Result<nlohmann::json> UploadService::list() {
  std::vector<std::shared_ptr<UploadSession>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, s] : sessions_) all.push_back(s);
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& s : all) {
    std::lock_guard<std::mutex> lock(s->mu);
    if (!s->gone) out.push_back(s->describe(false));
  }
  return out;
}

Result<nlohmann::json> UploadService::with_receiving(
    const std::string& id, std::string_view body, const char* what,
    const std::function<Result<nlohmann::json>(UploadSession&)>& fn) {
  if (body.size() > options_.max_chunk_bytes)
    return Status::invalid_argument(std::string(what) + " of " + std::to_string(body.size()) + " bytes is larger than " +
                                    std::to_string(options_.max_chunk_bytes) + " ([upload] max_chunk_bytes)");
  auto s = find(id);
  if (!s) return unknown(id);
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->gone) return unknown(id);
  if (s->committing) return Status::aborted("upload " + id + " is being committed: it takes no more chunks");
  s->last_active_s = clock_.unix_s();
  return fn(*s);
}

Result<nlohmann::json> UploadService::put_chunk(const std::string& id, uint32_t file, uint32_t piece,
                                                std::string_view body) {
  return with_receiving(id, body, "chunk", [&](UploadSession& s) -> Result<nlohmann::json> {
    BC_ASSIGN_OR_RETURN(uint32_t kept, s.put_chunk(file, piece, body));
    return nlohmann::json{{"pieces", kept}, {"need_bytes", s.need_bytes()}};
  });
}

}  // namespace bc::tracker

namespace bc::tracker {

Result<nlohmann::json> UploadService::put_batch(const std::string& id, std::string_view body) {
  return with_receiving(id, body, "batch", [&](UploadSession& s) -> Result<nlohmann::json> {
    BC_ASSIGN_OR_RETURN(nlohmann::json out, s.put_batch(body, kMaxBatchUnits));
    out["need_bytes"] = s.need_bytes();
    return out;
  });
}

}  // namespace bc::tracker
