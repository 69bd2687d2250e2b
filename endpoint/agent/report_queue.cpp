#include "endpoint/agent/report_queue.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "layers/crypto/sha256.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/hex.hpp"

namespace bc::endpoint {

namespace fs = std::filesystem;

Status ReportQueueOptions::validate() const {
  if (max_reports == 0) return Status::invalid_argument("report queue: max_reports must be > 0");
  if (max_report_bytes == 0) return Status::invalid_argument("report queue: max_report_bytes must be > 0");
  return Status();
}

static std::string key_tag(const std::string& key) {
  auto d = sha256({reinterpret_cast<const uint8_t*>(key.data()), key.size()});
  return to_hex(std::span<const uint8_t>(d.data(), 8));
}

// "00000000000000000042.ab12cd34ef56ab78.json" -> seq 42, tag "ab12..."
static bool parse_name(const std::string& name, uint64_t* seq, std::string* tag) {
  if (name.size() < 25 || name.compare(name.size() - 5, 5, ".json") != 0) return false;
  for (int i = 0; i < 20; ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  *seq = std::stoull(name.substr(0, 20));
  std::string mid = name.substr(20, name.size() - 25);
  if (mid.empty()) { tag->clear(); return true; }
  if (mid.size() != 17 || mid[0] != '.') return false;
  *tag = mid.substr(1);
  return true;
}

Result<ReportQueue> ReportQueue::open(const std::string& dir, const ReportQueueOptions& o) {
  BC_RETURN_IF_ERROR(o.validate());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error(dir + ": " + ec.message());
  ReportQueue q(dir, o);
  for (const auto& de : fs::directory_iterator(dir, ec)) {
    std::string name = de.path().filename().string();
    uint64_t seq;
    std::string tag;
    if (!parse_name(name, &seq, &tag)) {
      // Temporary files of a write interrupted by a crash: never acknowledged.
      if (name.find(".tmp.") != std::string::npos) fs::remove(de.path(), ec);
      continue;
    }
    q.files_[seq] = name;
    if (!tag.empty()) q.by_tag_[tag] = seq;
    q.next_seq_ = std::max(q.next_seq_, seq + 1);
  }
  if (ec) return Status::io_error(dir + ": " + ec.message());
  return q;
}

Result<size_t> ReportQueue::count_pending(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return size_t{0};
  size_t n = 0;
  for (const auto& de : fs::directory_iterator(dir, ec)) {
    uint64_t seq;
    std::string tag;
    if (parse_name(de.path().filename().string(), &seq, &tag)) ++n;
  }
  if (ec) return Status::io_error(dir + ": " + ec.message());
  return n;
}

Status ReportQueue::remove_file(const std::string& name) {
  if (::unlink((dir_ + "/" + name).c_str()) != 0 && errno != ENOENT)
    return Status::io_error(dir_ + "/" + name + ": unlink: " + std::strerror(errno));
  return Status();
}

Status ReportQueue::push(const std::string& body, const std::string& coalesce_key) {
  if (body.size() > options_.max_report_bytes)
    return Status::invalid_argument("report of " + std::to_string(body.size()) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(options_.max_report_bytes));
  std::string tag = coalesce_key.empty() ? "" : key_tag(coalesce_key);
  std::optional<uint64_t> replaces;
  if (!tag.empty())
    if (auto it = by_tag_.find(tag); it != by_tag_.end()) replaces = it->second;
  if (!replaces && files_.size() >= options_.max_reports)
    return Status::no_space("report queue holds " + std::to_string(files_.size()) +
                            " undelivered reports (the limit)");
  uint64_t seq = next_seq_++;
  char num[21];
  std::snprintf(num, sizeof num, "%020llu", static_cast<unsigned long long>(seq));
  std::string name = std::string(num) + (tag.empty() ? "" : "." + tag) + ".json";
  BC_RETURN_IF_ERROR(write_file_atomic(dir_ + "/" + name, body, 0600));
  files_[seq] = name;
  if (!tag.empty()) by_tag_[tag] = seq;
  if (replaces) {
    // The new report is durable first; only then does the old one go.
    BC_RETURN_IF_ERROR(remove_file(files_[*replaces]));
    files_.erase(*replaces);
    ++coalesced_;
  }
  return Status();
}

Result<std::optional<QueuedReport>> ReportQueue::front() {
  while (!files_.empty()) {
    auto it = files_.begin();
    auto body = read_small_file(dir_ + "/" + it->second, options_.max_report_bytes);
    if (body.ok()) return std::optional<QueuedReport>(QueuedReport{it->first, std::move(*body)});
    if (body.status().code() == Status::Code::io_error) return body.status();
    // Gone or oversize: not a report we can deliver; drop and count it.
    BC_RETURN_IF_ERROR(remove_file(it->second));
    ++dropped_unreadable_;
    BC_RETURN_IF_ERROR(pop(it->first));
  }
  return std::optional<QueuedReport>();
}

Status ReportQueue::pop(uint64_t seq) {
  auto it = files_.find(seq);
  if (it == files_.end()) return Status::not_found("report " + std::to_string(seq) + " is not queued");
  BC_RETURN_IF_ERROR(remove_file(it->second));
  for (auto t = by_tag_.begin(); t != by_tag_.end(); ++t)
    if (t->second == seq) { by_tag_.erase(t); break; }
  files_.erase(it);
  return fsync_dir(dir_);
}

}  // namespace bc::endpoint
