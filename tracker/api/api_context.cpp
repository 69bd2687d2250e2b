#include "tracker/api/api_context.hpp"

namespace bc::tracker {

Status audit(Txn& txn, const ApiContext& ctx, const Principal& who, const HttpRequest& req,
             const std::string& action, const std::string& target, const nlohmann::json& details) {
  nlohmann::json e = {
      {"time", ctx.clock.unix_s()},
      {"actor", who.actor()},
      {"role", who.kind == Principal::Kind::admin ? to_string(who.role) : who.node_role.c_str()},
      {"action", action},
      {"target", target},
      {"remote", req.remote_address},
      {"request_id", req.request_id},
      {"details", details},
  };
  return append_audit(txn, std::move(e)).status();
}

HttpResponse json_or_error(const Result<nlohmann::json>& r, int ok_status) {
  if (!r.ok()) return HttpResponse::from_status(r.status());
  return HttpResponse::json(ok_status, *r);
}

}  // namespace bc::tracker
