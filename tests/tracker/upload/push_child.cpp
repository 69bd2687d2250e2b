// A layer push as a process of its own, for the test that kills a client
// mid-upload: push_child PORT CA_FILE TOKEN DIR NAME VERSION CACHE_DIR CHUNK_BYTES.
#include <cstdio>
#include <string>

#include "ctl/push/layer_push.hpp"

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr, "usage: push_child PORT CA_FILE TOKEN DIR NAME VERSION CACHE_DIR CHUNK_BYTES\n");
    return 2;
  }
  bc::ctl::TrackerTarget t;
  t.http.port = static_cast<uint16_t>(std::stoi(argv[1]));
  t.http.tls = true;
  t.http.ca_file = argv[2];
  t.token = argv[3];
  bc::ctl::PushRequest r{argv[4], argv[5], argv[6], "base", ""};
  r.cache_dir = argv[7];
  r.chunk_bytes = std::stoull(argv[8]);
  auto res = bc::ctl::push_layer(t, r, nullptr);
  if (!res.ok()) {
    std::fprintf(stderr, "push_child: %s\n", res.status().to_string().c_str());
    return 1;
  }
  std::printf("pushed %s: sent %llu bytes\n", res->ref.c_str(), static_cast<unsigned long long>(res->sent_bytes));
  return 0;
}
