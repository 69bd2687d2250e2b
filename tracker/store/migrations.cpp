#include "tracker/store/migrations.hpp"

#include <charconv>

namespace bc::tracker {

namespace {
constexpr const char* kVersionKey = "schema_version";

// v0 -> v1: the tables exist already (LmdbEnv opens them); v1 has no data to
// transform. Later versions add steps here, never edit old ones.
Status to_v1(Txn&) { return Status(); }
// v1 -> v2: node_certs, revoked_serials and revoked_nodes (SSL torrents and
// revocation, docs/security.md); LmdbEnv creates them empty.
Status to_v2(Txn&) { return Status(); }
}  // namespace

const std::vector<MigrationStep>& migration_steps() {
  static const std::vector<MigrationStep> steps = {to_v1, to_v2};
  return steps;
}

Result<int> read_schema_version(const Txn& txn) {
  BC_ASSIGN_OR_RETURN(auto v, txn.get(Table::meta, kVersionKey));
  if (!v) return 0;
  int out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < 0)
    return Status::corruption("meta.schema_version is not a number: '" + *v + "'");
  return out;
}

Status migrate(LmdbEnv& env, const std::vector<MigrationStep>& steps, int target_version) {
  if (target_version > static_cast<int>(steps.size()))
    return Status::internal("no migration step to version " + std::to_string(target_version));
  for (;;) {
    bool done = false;
    Status s = env.write([&](Txn& txn) -> Status {
      BC_ASSIGN_OR_RETURN(int v, read_schema_version(txn));
      if (v > target_version)
        return Status::unsupported("database schema version " + std::to_string(v) +
                                   " is newer than this program's " +
                                   std::to_string(target_version));
      if (v == target_version) {
        done = true;
        return Status();
      }
      BC_RETURN_IF_ERROR(steps[v](txn).with_context("migration to v" + std::to_string(v + 1)));
      return txn.put(Table::meta, kVersionKey, std::to_string(v + 1));
    });
    BC_RETURN_IF_ERROR(s);
    if (done) return Status();
  }
}

}  // namespace bc::tracker
