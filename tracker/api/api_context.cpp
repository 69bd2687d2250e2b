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

Result<nlohmann::json> list_records(const ApiContext& ctx, Table table) {
  nlohmann::json out = nlohmann::json::array();
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) {
    return t.scan(table, "", [&](std::string_view, std::string_view v) {
      out.push_back(nlohmann::json::parse(v, nullptr, false));
      return true;
    });
  }));
  return out;
}

Result<nlohmann::json> get_record(const ApiContext& ctx, Table table, const std::string& key,
                                  const std::string& what) {
  nlohmann::json rec;
  BC_RETURN_IF_ERROR(ctx.store.read([&](const Txn& t) -> Status {
    BC_ASSIGN_OR_RETURN(rec, get_json(t, table, key));
    return Status();
  }));
  if (rec.is_null()) return Status::not_found(what + " '" + key + "' does not exist");
  return rec;
}

}  // namespace bc::tracker
