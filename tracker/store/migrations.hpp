// Schema versions of the tracker's LMDB state and the functions that move a
// database from version N to N+1. open_store() runs every step from the
// stored version up to kSchemaVersion, each step in its own transaction
// together with the new version number, so a crash mid-migration leaves the
// database at a consistent version.
#pragma once

#include <functional>
#include <vector>

#include "tracker/store/lmdb_env.hpp"

namespace bc::tracker {

inline constexpr int kSchemaVersion = 2;

// steps[i] migrates version i to i+1 (steps[0]: empty database -> v1).
using MigrationStep = std::function<Status(Txn&)>;
const std::vector<MigrationStep>& migration_steps();

// Reads the stored version (0 for a new database).
Result<int> read_schema_version(const Txn& txn);

// Brings the database to kSchemaVersion using `steps`; unsupported when the
// stored version is newer than this program knows.
Status migrate(LmdbEnv& env, const std::vector<MigrationStep>& steps, int target_version);

}  // namespace bc::tracker
