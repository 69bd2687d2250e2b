#include "endpoint/agent/report_sender.hpp"

namespace bc::endpoint {

using nlohmann::json;

void ReportSender::push(const json& report, const std::string& coalesce_key) {
  Status s = queue_.push(report.dump(), coalesce_key);
  if (s.ok()) return;
  log_.warn("report not queued: {}", s.to_string());
  flush();  // the older reports first
  if (queue_.size() == 0 && !client_.report_status(report).ok()) log_.warn("unqueued report not delivered either");
}

size_t ReportSender::flush() {
  for (size_t n = 0; n < 64; ++n) {  // bounded per loop turn
    auto front = queue_.front();
    if (!front.ok() || !*front) break;
    json body = json::parse((*front)->body, nullptr, false);
    if (body.is_discarded()) {
      (void)queue_.pop((*front)->seq);
      continue;
    }
    auto r = client_.report_status(body);
    if (!r.ok()) {
      if (!tracker_down_)
        log_.warn("tracker unreachable, {} report(s) queued: {}", queue_.size(), r.status().to_string());
      tracker_down_ = true;
      break;
    }
    tracker_down_ = false;
    (void)queue_.pop((*front)->seq);
  }
  return queue_.size();
}

}  // namespace bc::endpoint
