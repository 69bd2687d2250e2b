// Connects the origin seed to the tracker's layer records: which published
// layers to seed, and the TrustedManifest of each (re-verified with the
// tracker's public key from the stored manifest bytes and signature).
// Compiled into bc_tracker_app (it reads the store; the seeder does not).
#pragma once

#include <string>

#include "layers/crypto/ed25519.hpp"
#include "tracker/origin/origin_seeder.hpp"
#include "tracker/store/store.hpp"

namespace bc::tracker {

// Queues every published, non-retired layer with files for seeding from
// origin_root/<info_hash>. Records that fail to load are logged and skipped.
// Returns how many were queued; errors only for the store itself.
Result<size_t> seed_published_layers(const Store& store, const PublicKey& tracker_key,
                                     const std::string& origin_root, OriginSeeder& seeder);

}  // namespace bc::tracker
