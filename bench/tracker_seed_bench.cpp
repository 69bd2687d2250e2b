// Seeds a bc-tracker data directory for the announce benchmark
// (bench/tracker_announce_bench.sh): BRANCHES branches (10.B.0.0/16), ENDPOINTS
// endpoints spread round-robin over them, each with a random announce key, and
// a branch assignment of LAYER on every branch, all in one LMDB write through
// the tracker's own Store and record helpers (the same code enrollment runs,
// minus the HTTP round trip and the signature check). The layer itself is
// imported afterwards through the admin API. Into WORK_DIR it writes:
//   tracker.key   the tracker's signing key
//   layer/        a built layer LAYER (one 1 MiB file) to import
//   data/db       the seeded store
//   keys.txt      the announce keys, one per line
//   info_hash.hex the layer's v2 info-hash (64 hex)
//
//   bench_tracker_seed WORK_DIR [ENDPOINTS=10000] [BRANCHES=100]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "layers/capture/capture.hpp"
#include "layers/capture/pack_bins.hpp"
#include "layers/crypto/ed25519.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/util/fs.hpp"
#include "tracker/service/records.hpp"
#include "tracker/store/store.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s WORK_DIR [ENDPOINTS] [BRANCHES]\n", argv[0]);
    return 2;
  }
  std::string work = argv[1], data = work + "/data", keys_file = work + "/keys.txt";
  int endpoints = argc > 2 ? std::stoi(argv[2]) : 10000;
  int branches = argc > 3 ? std::stoi(argv[3]) : 100;
  std::string layer = "bench@1";
  if (branches < 1 || branches > 250 || endpoints < 1) {
    std::fprintf(stderr, "need 1..250 branches and at least one endpoint\n");
    return 2;
  }
  if (Status k = SecretKey::generate().save(work + "/tracker.key"); !k.ok()) {
    std::fprintf(stderr, "%s\n", k.to_string().c_str());
    return 1;
  }
  std::string payload(1u << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char((i * 2654435761u) >> 13);
  std::filesystem::create_directories(work + "/src/var");
  std::filesystem::create_directories(data);
  CaptureOptions co;
  co.source_dir = work + "/src";
  co.ref = LayerRef{"bench", 1};
  co.threads = 1;
  Status w = write_file_atomic(work + "/src/var/blob", payload, 0644);
  auto captured = w.ok() ? capture_layer(co) : Result<CapturedLayer>(w);
  if (captured.ok()) w = write_built_layer(work + "/layer", captured->manifest, captured->manifest.encode(), captured->torrent, co.source_dir);
  if (captured.ok() && w.ok()) w = write_file_atomic(work + "/info_hash.hex", captured->manifest.info_hash + "\n", 0644);
  if (!captured.ok() || !w.ok()) {
    std::fprintf(stderr, "layer: %s %s\n", captured.status().to_string().c_str(), w.to_string().c_str());
    return 1;
  }
  auto store = Store::open(data + "/db", LmdbOptions{});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().to_string().c_str());
    return 1;
  }
  std::ofstream keys(keys_file);
  Status s = (*store)->write([&](Txn& t) -> Status {
    for (int b = 0; b < branches; ++b) {
      std::string name = "b" + std::to_string(b);
      json rec = {{"name", name}, {"subnets", {"10." + std::to_string(b) + ".0.0/16"}}, {"parent", json()},
                  {"wan_policy", json::object()}};
      BC_RETURN_IF_ERROR(put_json(t, Table::branches, name, rec));
      json a = {{"kind", "branch"}, {"target", name}, {"stack", {layer}}, {"updated_at", 0},
                {"updated_by", "bench"}};
      BC_RETURN_IF_ERROR(put_json(t, Table::assignments, assignment_key("branch", name), a));
    }
    for (int i = 0; i < endpoints; ++i) {
      int b = i % branches;
      char id[65];
      std::snprintf(id, sizeof id, "%064x", i + 1);
      std::string addr = "10." + std::to_string(b) + "." + std::to_string(i / branches / 250) + "." +
                         std::to_string(i / branches % 250 + 1);
      json rec = {{"id", id}, {"branch", "b" + std::to_string(b)}, {"branch_source", "subnet"},
                  {"facts", json::object()}, {"address", addr}, {"enrolled_at", 0}, {"token_id", "bench"}};
      BC_ASSIGN_OR_RETURN(std::string key, ensure_announce_key(t, rec, "endpoint"));
      BC_RETURN_IF_ERROR(put_json(t, Table::endpoints, id, rec));
      keys << key << "\n";
    }
    return Status();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.to_string().c_str());
    return 1;
  }
  std::printf("seeded %d endpoints in %d branches\n", endpoints, branches);
  return 0;
}
