#include "tracker/origin/origin_catalog.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace bc::tracker {

namespace {

struct Candidate {
  std::string key, ref, info_hash, signature;
};

Result<TrustedManifest> load_trusted(const Txn& t, const Candidate& c, const PublicKey& tracker_key,
                                     std::string* torrent) {
  BC_ASSIGN_OR_RETURN(auto manifest, t.get(Table::layer_blobs, c.key + "/manifest"));
  BC_ASSIGN_OR_RETURN(auto tor, t.get(Table::layer_blobs, c.key + "/torrent"));
  if (!manifest || !tor) return Status::not_found("manifest or torrent blob missing");
  BC_ASSIGN_OR_RETURN(Signature sig, signature_from_hex(c.signature));
  *torrent = std::move(*tor);
  return TrustedManifest::verify(std::move(*manifest), sig, tracker_key);
}

}  // namespace

Result<size_t> seed_published_layers(const Store& store, const PublicKey& tracker_key,
                                     const std::string& origin_root, OriginSeeder& seeder) {
  size_t queued = 0;
  BC_RETURN_IF_ERROR(store.read([&](const Txn& t) -> Status {
    std::vector<Candidate> todo;
    BC_RETURN_IF_ERROR(t.scan(Table::layers, "", [&](std::string_view k, std::string_view v) {
      auto rec = nlohmann::json::parse(v, nullptr, false);
      if (!rec.is_object() || rec.value("retired", false)) return true;
      std::string ih = rec.value("info_hash", "");
      if (ih.empty()) return true;  // a layer without files has nothing to seed
      todo.push_back({std::string(k), rec.value("ref", ""), ih, rec.value("signature", "")});
      return true;
    }));
    for (const Candidate& c : todo) {
      std::string torrent;
      auto tm = load_trusted(t, c, tracker_key, &torrent);
      if (!tm.ok()) {
        spdlog::error("origin: cannot seed {}: {}", c.ref, tm.status().to_string());
        continue;
      }
      Status s = seeder.publish(*tm, std::move(torrent), origin_root + "/" + c.info_hash);
      if (!s.ok()) return s;
      ++queued;
    }
    return Status();
  }));
  return queued;
}

}  // namespace bc::tracker
