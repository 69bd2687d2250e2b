#include "endpoint/agent/facts_keeper.hpp"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "layers/util/fs.hpp"

namespace bc::endpoint {

using nlohmann::json;

std::string facts_path(const std::string& dir) { return dir + "/facts.json"; }

Result<HardwareFacts> load_sent_facts(const std::string& dir) {
  const std::string path = facts_path(dir);
  if (!std::filesystem::exists(path)) return HardwareFacts{};
  BC_ASSIGN_OR_RETURN(std::string text, read_small_file(path, 1 << 20));
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::corruption(path + ": not a JSON object of strings");
  HardwareFacts out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) return Status::corruption(path + ": fact '" + it.key() + "' is not a string");
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

Status save_sent_facts(const std::string& dir, const HardwareFacts& facts) {
  return write_file_atomic(facts_path(dir), json(facts).dump(2) + "\n", 0644);
}

void FactsKeeper::tick(int64_t now_ms) {
  if (now_ms >= next_collect_ms_) {
    next_collect_ms_ = now_ms + o_.refresh_ms;
    current_ = collect_hardware_facts(o_.collect);
    auto sent = load_sent_facts(dir_);
    if (!sent.ok()) log_.warn("hardware facts: {}; sending them again", sent.status().to_string());
    pending_ = !sent.ok() || *sent != current_;
    if (pending_) log_.info("hardware facts changed ({} facts); telling the tracker", current_.size());
  }
  if (!pending_ || now_ms < next_send_ms_) return;
  auto r = client_.put_facts(current_);
  if (!r.ok()) {
    log_.warn("hardware facts: {}; retrying in {} s", r.status().to_string(), o_.retry_ms / 1000);
    next_send_ms_ = now_ms + o_.retry_ms;
    return;
  }
  Status s = save_sent_facts(dir_, current_);
  if (!s.ok()) log_.warn("hardware facts: {}", s.to_string());
  pending_ = false;
}

}  // namespace bc::endpoint
