// A downloading swarm node in its own process, for tests that kill it with
// SIGKILL mid-download. Prints one line per event on stdout:
//   checked DONE TOTAL | progress DONE TOTAL | complete | error TEXT
// Usage: swarm_test_child DATA_DIR LAYER_DIR PUBKEY_HEX PAYLOAD_DIR IP SEED_IP SEED_PORT WAN_LIMIT
#include <cstdio>
#include <cstdlib>
#include <string>

#include "layers/model/layer_dir.hpp"
#include "layers/swarm/swarm_node.hpp"

using namespace bc;

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr, "usage: see source\n");
    return 2;
  }
  auto fail = [](const Status& s) {
    std::printf("error %s\n", s.to_string().c_str());
    std::fflush(stdout);
    return 1;
  };
  auto dir = load_layer_dir(argv[2]);
  if (!dir.ok()) return fail(dir.status());
  auto pk = public_key_from_hex(argv[3]);
  if (!pk.ok()) return fail(pk.status());
  auto trusted = dir->trust(*pk);
  if (!trusted.ok()) return fail(trusted.status());
  SwarmNodeOptions o;
  o.data_dir = argv[1];
  o.listen_interfaces = std::string(argv[5]) + ":0";
  o.outgoing_interfaces = argv[5];
  o.progress_interval_ms = 100;
  o.insecure_plain_peers = true;  // the test is about crash recovery, not TLS
  o.resume_interval_ms = 500;
  o.resume_every_pieces = 8;
  o.wan_download_bytes_per_s = std::atoll(argv[8]);
  auto node = SwarmNode::start(o);
  if (!node.ok()) return fail(node.status());
  Status s = (*node)->add_layer(*trusted, dir->torrent, argv[4], LayerMode::download);
  if (!s.ok()) return fail(s);
  s = (*node)->add_peer(trusted->manifest().ref(), argv[6], uint16_t(std::atoi(argv[7])));
  if (!s.ok()) return fail(s);
  for (;;) {
    for (const auto& e : (*node)->poll_events(100)) {
      if (auto* c = std::get_if<LayerChecked>(&e)) std::printf("checked %llu %llu\n", (unsigned long long)c->done_bytes, (unsigned long long)c->total_bytes);
      if (auto* p = std::get_if<LayerProgress>(&e)) std::printf("progress %llu %llu\n", (unsigned long long)p->done_bytes, (unsigned long long)p->total_bytes);
      if (std::holds_alternative<LayerComplete>(e)) std::printf("complete\n");
      if (auto* le = std::get_if<LayerError>(&e)) std::printf("error %s\n", le->reason.c_str());
    }
    std::fflush(stdout);
  }
}
