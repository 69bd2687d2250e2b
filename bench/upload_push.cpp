// The push client as a program for bench/upload_bench.sh: pushes DIR as
// NAME@VERSION to a tracker over HTTPS and prints one JSON line with the
// result and the seconds spent in each phase (capture, upload, commit).
//   bc-upload-push PORT CA_FILE TOKEN_FILE DIR NAME VERSION PARENT CACHE_DIR
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "ctl/push/layer_push.hpp"

namespace {
class PhaseClock : public bc::ctl::PushProgress {
 public:
  void phase(std::string_view what) override {
    auto now = std::chrono::steady_clock::now();
    if (!current_.empty()) seconds[current_] += std::chrono::duration<double>(now - since_).count();
    current_ = std::string(what);
    since_ = now;
  }
  std::map<std::string, double> seconds;

 private:
  std::string current_;
  std::chrono::steady_clock::time_point since_;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr, "usage: bc-upload-push PORT CA_FILE TOKEN_FILE DIR NAME VERSION PARENT|- CACHE_DIR\n");
    return 2;
  }
  bc::ctl::TrackerTarget t;
  t.http.port = static_cast<uint16_t>(std::stoi(argv[1]));
  t.http.tls = true;
  t.http.ca_file = argv[2];
  std::ifstream(argv[3]) >> t.token;
  bc::ctl::PushRequest r{argv[4], argv[5], argv[6], "base", std::string(argv[7]) == "-" ? "" : argv[7]};
  r.cache_dir = argv[8];
  PhaseClock clock;
  auto t0 = std::chrono::steady_clock::now();
  auto res = bc::ctl::push_layer(t, r, &clock);
  clock.phase("done");
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!res.ok()) {
    std::fprintf(stderr, "bc-upload-push: %s\n", res.status().to_string().c_str());
    return 1;
  }
  nlohmann::json out = {{"ref", res->ref}, {"content_bytes", res->content_bytes}, {"sent_bytes", res->sent_bytes},
                        {"reused_bytes", res->reused_bytes}, {"seconds", total}, {"phases", clock.seconds}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
