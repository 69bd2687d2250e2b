#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "layers/capture/verify.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"
#include "tests/support/layer_fixture.hpp"
#include "tests/support/tmp_dir.hpp"

extern char** environ;

using namespace bc;
using test::is;

namespace {

constexpr uint32_t kPiece = 256 * 1024;
constexpr uint64_t kBig = 32u << 20;

// The child process downloading at a limited rate; SIGKILLed by the test.
struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  std::string buffered;
  ~Child() {
    if (pid > 0) { ::kill(pid, SIGKILL); ::waitpid(pid, nullptr, 0); }
    if (out_fd >= 0) ::close(out_fd);
  }
  // Next stdout line, or "" after timeout_ms.
  std::string next_line(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (auto nl = buffered.find('\n'); nl != std::string::npos) {
        std::string line = buffered.substr(0, nl);
        buffered.erase(0, nl + 1);
        return line;
      }
      int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return "";
      pollfd p{out_fd, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(out_fd, buf, sizeof buf);
      if (n <= 0) return "";
      buffered.append(buf, size_t(n));
    }
  }
};

void spawn(Child& c, std::vector<std::string> args) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  REQUIRE(posix_spawn(&c.pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  c.out_fd = fds[0];
}

}  // namespace

TEST_CASE("after kill -9 mid-download, a restart rechecks the disk and fetches only the pieces not yet verified") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/big.img", test::random_bytes(kBig, 11));
  test::write_file(tmp / "src/etc/conf", "conf\n");
  auto layer = test::capture_test_layer(tmp / "src", {"base", 1}, kPiece);
  const uint64_t total = layer.manifest().total_file_bytes();
  REQUIRE(write_layer_dir(tmp / "layer", layer.trusted.bytes(), layer.torrent, layer.source_dir).ok());
  REQUIRE(write_layer_signature(tmp / "layer", layer.trusted.signature()).ok());
  auto seed = test::start_plain_node(tmp / "seed", "127.0.0.2");
  REQUIRE(seed->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());

  // 1. A child downloads at 8 MiB/s and is killed past half way.
  uint64_t reported_done = 0;
  {
    Child child;
    spawn(child, {BC_SWARM_TEST_CHILD, tmp / "dl", tmp / "layer", public_key_hex(layer.signer), tmp / "payload",
                  "127.0.0.3", "127.0.0.2", std::to_string(seed->listen_port()), std::to_string(8 << 20)});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (reported_done < total / 2 && std::chrono::steady_clock::now() < deadline) {
      seed->poll_events(0);
      std::string line = child.next_line(200);
      REQUIRE_MESSAGE(line.rfind("error", 0) != 0, line);
      REQUIRE_MESSAGE(line != "complete", "the child finished before it could be killed");
      std::istringstream in(line);
      std::string word;
      uint64_t done = 0;
      if (in >> word >> done && word == "progress") reported_done = done;
    }
    REQUIRE_MESSAGE(reported_done >= total / 2, "child did not reach half way in 15 s");
    REQUIRE(::kill(child.pid, SIGKILL) == 0);
    ::waitpid(child.pid, nullptr, 0);
    child.pid = -1;
  }
  MESSAGE("child killed with " << reported_done << " of " << total << " bytes reported verified");
  CHECK(std::filesystem::exists(tmp / "dl/running"));

  // 2. Restart in this process: the unclean shutdown is noticed and the disk rechecked.
  auto dl = test::start_plain_node(tmp / "dl", "127.0.0.3");
  CHECK(dl->recovered_from_unclean_shutdown());
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "payload", LayerMode::download).ok());
  std::vector<SwarmEvent> seen;
  REQUIRE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerChecked>, 15'000));
  const auto checked = std::get<LayerChecked>(seen.back());
  MESSAGE("recheck of " << total << " bytes took "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s; "
          << checked.done_bytes << " bytes verified on disk");
  CHECK(checked.done_bytes >= reported_done);
  CHECK(checked.done_bytes < total);

  REQUIRE(dl->add_peer(layer.ref(), "127.0.0.2", seed->listen_port()).ok());
  REQUIRE(test::poll_until({seed.get(), dl.get()}, dl.get(), &seen, is<LayerComplete>, 15'000));
  const auto downloaded = dl->layer_status(layer.ref())->downloaded.total();
  MESSAGE("after restart downloaded " << downloaded << " bytes; missing were " << total - checked.done_bytes);
  CHECK(downloaded >= total - checked.done_bytes);
  CHECK(downloaded <= total - checked.done_bytes + kPiece);
  VerifyOptions vo;
  vo.check_modes = false;
  CHECK(verify_payload(layer.trusted, layer.torrent, tmp / "payload", vo).ok());

  // 3. A clean shutdown saves resume data: the next start trusts it and fetches nothing.
  dl.reset();
  CHECK_FALSE(std::filesystem::exists(tmp / "dl/running"));
  CHECK(std::filesystem::exists(tmp / ("dl/resume/" + layer.facts.info_hash + ".resume")));
  dl = test::start_plain_node(tmp / "dl", "127.0.0.3");
  CHECK_FALSE(dl->recovered_from_unclean_shutdown());
  REQUIRE(dl->add_layer(layer.trusted, layer.torrent, tmp / "payload", LayerMode::download).ok());
  seen.clear();
  REQUIRE(test::poll_until({dl.get()}, dl.get(), &seen, is<LayerChecked>, 10'000));
  CHECK(std::get<LayerChecked>(seen.back()).done_bytes == total);
  CHECK(dl->layer_status(layer.ref())->downloaded.total() == 0);
}

TEST_CASE("after an unclean stop the sole source of a corrupt piece is banned and reported; a clean stop forgets suspects") {
  test::TmpDir tmp;
  test::write_file(tmp / "src/etc/conf", "conf\n");
  auto layer = test::capture_test_layer(tmp / "src", {"base", 1}, kPiece);
  // The state a crash leaves: the running marker, and a suspect (plus a torn line).
  test::write_file(tmp / "n/running", "12345\n");
  test::write_file(tmp / "n/suspect-peers", "127.0.0.77\n127.0.\n");
  auto n = test::start_plain_node(tmp / "n", "127.0.0.3");
  CHECK(n->recovered_from_unclean_shutdown());
  CHECK_FALSE(std::filesystem::exists(tmp / "n/suspect-peers"));
  CHECK(test::read_file(tmp / "n/banned-peers").find("127.0.0.77") != std::string::npos);
  REQUIRE(n->add_layer(layer.trusted, layer.torrent, layer.source_dir, LayerMode::seed).ok());
  std::vector<SwarmEvent> seen;
  auto banned = [](const SwarmEvent& e) {
    auto* b = std::get_if<PeerBanned>(&e);
    return b && b->peer_ip == "127.0.0.77" && b->reason.find("uncleanly") != std::string::npos;
  };
  CHECK(test::poll_until({n.get()}, n.get(), &seen, banned, 5'000));
  // A clean stop: no marker; a suspect file written since is removed too.
  test::write_file(tmp / "n/suspect-peers", "127.0.0.88\n");
  n.reset();
  CHECK_FALSE(std::filesystem::exists(tmp / "n/running"));
  CHECK_FALSE(std::filesystem::exists(tmp / "n/suspect-peers"));
}
