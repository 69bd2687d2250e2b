// bc-endpoint end to end: the real bc-tracker process with its origin seed and
// the real bc-endpoint binary (enroll, run, status, rollback). The endpoint's
// branch has no reflector, so the tracker hands it the origin (WAN fallback):
// it learns its peers from the tracker alone.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>


#include <chrono>
#include <cstdlib>

#include <csignal>
#include <fstream>
#include <functional>
#include <thread>

#include "endpoint/agent/endpoint_config.hpp"
#include "layers/swarm/swarm_node.hpp"
#include "node/layer_fetch.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/integration/support/tracker_ca_cert.hpp"
#include "tests/integration/support/tracker_process.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {
const std::string kAdmin = "endpoint-integration-admin-token-0123";

// Runs a shell command with stdout+stderr into `log`; returns its exit code.
int sh(const std::string& cmd, const std::string& log) {
  int rc = std::system((cmd + " > '" + log + "' 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string endpoint_bin() { return BC_ENDPOINT_BIN; }

// A child process (sh -c "exec CMD", output into `log`), SIGTERMed and reaped
// when it goes out of scope.
struct Child {
  pid_t pid = -1;
  Child(const std::string& cmd, const std::string& log) {
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::string full = "exec " + cmd + " > '" + log + "' 2>&1";
      ::execl("/bin/sh", "sh", "-c", full.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
  }
};

// Polls `done` every 100 ms for up to `seconds`.
bool wait_for(int seconds, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

std::string file_or_empty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json status_json(const std::string& dir, const std::string& log) {
  REQUIRE(sh(endpoint_bin() + " status --json --dir " + dir, log) == 0);
  std::string text = test::read_file(log);
  return json::parse(text.substr(text.find('{')));
}

struct World {
  test::TmpDir tmp;
  // A fixed port: a restarted tracker comes back where the endpoint looks.
  test::TrackerProcess proc{{tmp.path(), kAdmin,
                             "\n[origin]\nenabled = true\nlisten = \"127.0.0.1:0\"\n"
                             "announce_key = \"endpoint-test-origin-key-0123\"\n",
                             test::free_tcp_port()}};
  uint16_t port = proc.start();
  SystemClock clock;
  TrackerClient admin{test::local_client(port, proc.ca_file()), nullptr, kAdmin, clock};
  std::string layer_dir, token;
  std::string dir = tmp.path() + "/ep", root = tmp.path() + "/root";

  World() {
    layer_dir = test::make_layer_dir(tmp.path(), "base@1",
                                     {{"etc/motd", "welcome\n"}, {"usr/share/blob", test::random_bytes(300'000, 7)}});
    REQUIRE(admin.admin_json("POST", "/api/v1/layers/import", {{"dir", layer_dir}}).ok());
    REQUIRE(admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
    REQUIRE(admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@1"}}}).ok());
    auto tok = admin.admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "endpoint"}});
    REQUIRE(tok.ok());
    token = (*tok)["token"].get<std::string>();
    test::write_file(root + "/home/user/notes.txt", "mine\n");
  }
  std::string url() const { return proc.url(); }
  // Enrolls and runs the endpoint until base@1 is applied.
  void enroll_and_converge() {
    REQUIRE_MESSAGE(enroll() == 0, test::read_file(tmp.path() + "/enroll.log"));
    std::string log = tmp.path() + "/converge.log";
    REQUIRE_MESSAGE(sh(endpoint_bin() + " run --dir " + dir + " --exit-when-applied --max-run-ms 90000", log) == 0,
                    test::read_file(log));
  }
  int enroll(const std::string& extra = "") {
    return sh(endpoint_bin() + " enroll --tracker " + url() + " --token " + token + " --dir " + dir + " --root " +
                  root + " --listen 127.0.0.1:0 --poll-interval-ms 200 " + extra,
              tmp.path() + "/enroll.log");
  }
};
}  // namespace

TEST_CASE("bc-endpoint: enroll then run applies a published layer over a user file and reports to the tracker") {
  World w;
  REQUIRE_MESSAGE(w.enroll() == 0, test::read_file(w.tmp.path() + "/enroll.log"));
  struct stat st{};
  REQUIRE(::stat((w.dir + "/node.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto cfg = endpoint::load_config(w.dir);
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().to_string());
  CHECK(cfg->branch == "hq");
  CHECK(cfg->announce_key.size() == 32);

  std::string run = endpoint_bin() + " run --dir " + w.dir + " --exit-when-applied --max-run-ms 90000";
  std::string log = w.tmp.path() + "/run.log";
  REQUIRE_MESSAGE(sh(run, log) == 0, test::read_file(log));
  CHECK(test::read_file(w.root + "/etc/motd") == "welcome\n");
  CHECK(test::read_file(w.root + "/home/user/notes.txt") == "mine\n");

  auto st_node = w.admin.admin_json("GET", "/api/v1/status/nodes/" + cfg->node_id);
  REQUIRE_MESSAGE(st_node.ok(), st_node.status().to_string());
  CHECK(st_node->dump().find("base@1") != std::string::npos);
  json mine = status_json(w.dir, w.tmp.path() + "/status.log");
  CHECK(mine["applied"] == json::array({"base@1"}));
  CHECK(mine["queued_reports"] == 0);

  // Tracker stopped: a rollback's report waits on disk and is delivered after the restart.
  {
    CHECK(w.proc.stop() == 0);
    REQUIRE(sh(endpoint_bin() + " rollback --dir " + w.dir, w.tmp.path() + "/rollback.log") == 0);
    CHECK_FALSE(std::filesystem::exists(w.root + "/etc/motd"));
    CHECK(test::read_file(w.root + "/home/user/notes.txt") == "mine\n");
    json down = status_json(w.dir, w.tmp.path() + "/status2.log");
    CHECK(down["queued_reports"].get<int>() >= 1);
    CHECK(down["applied"] == json::array());

    // The tracker comes back on a new ephemeral port (a harness limitation):
    // point the endpoint at it.
    uint16_t port = w.proc.start();
    cfg->tracker_url = "https://127.0.0.1:" + std::to_string(port);
    REQUIRE(endpoint::save_config(w.dir, *cfg).ok());
    REQUIRE_MESSAGE(sh(run, log) == 0, test::read_file(log));
    json up = status_json(w.dir, w.tmp.path() + "/status3.log");
    CHECK(up["queued_reports"] == 0);
    CHECK(up["applied"] == json::array({"base@1"}));
    CHECK(test::read_file(w.root + "/etc/motd") == "welcome\n");
    TrackerClient admin2(test::local_client(port, w.proc.ca_file()), nullptr, kAdmin, w.clock);
    auto after = admin2.admin_json("GET", "/api/v1/status/nodes/" + cfg->node_id);
    REQUIRE(after.ok());
    CHECK(after->dump().find("base@1") != std::string::npos);
  }
}

TEST_CASE("bc-endpoint: a manifest that does not verify against the pinned tracker key applies nothing") {
  World w;
  REQUIRE_MESSAGE(w.enroll() == 0, test::read_file(w.tmp.path() + "/enroll.log"));
  auto cfg = endpoint::load_config(w.dir);
  REQUIRE(cfg.ok());
  cfg->tracker_public_key = public_key_hex(SecretKey::generate().public_key());  // not the tracker's key
  REQUIRE(endpoint::save_config(w.dir, *cfg).ok());
  std::string log = w.tmp.path() + "/run.log";
  CHECK(sh(endpoint_bin() + " run --dir " + w.dir + " --exit-when-applied --max-run-ms 3000", log) == 1);
  std::string out = test::read_file(log);
  CHECK_MESSAGE(out.find("does not verify against the pinned tracker key") != std::string::npos, out);
  CHECK_FALSE(std::filesystem::exists(w.root + "/etc/motd"));
  CHECK(test::read_file(w.root + "/home/user/notes.txt") == "mine\n");
}

TEST_CASE("bc-endpoint: enroll refuses a tracker whose key differs from the pinned key file") {
  World w;
  std::string pk_file = w.tmp.path() + "/pinned.pub";
  test::write_file(pk_file, public_key_hex(SecretKey::generate().public_key()) + "\n");
  CHECK(w.enroll("--tracker-pubkey " + pk_file) == 1);
  CHECK(test::read_file(w.tmp.path() + "/enroll.log").find("not the pinned key") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(w.dir + "/endpoint.toml"));
}

TEST_CASE("bc-endpoint: restarted while the tracker is down it carries on from its saved state (applies, serves a peer) and polls again once the tracker is back") {
  World w;
  w.enroll_and_converge();
  std::string log = w.tmp.path() + "/run.log";
  REQUIRE(std::filesystem::exists(w.dir + "/desired.json"));
  std::string layer2 = test::make_layer_dir(w.tmp.path(), "base@2", {{"etc/motd", "welcome back\n"}});
  REQUIRE(w.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", layer2}}).ok());
  REQUIRE(w.proc.stop() == 0);

  // Restarted with the tracker down, onto a fresh target and a known port.
  auto cfg = endpoint::load_config(w.dir);
  REQUIRE(cfg.ok());
  const std::string root2 = w.tmp.path() + "/root2";
  const uint16_t swarm_port = test::free_tcp_port();
  cfg->root = root2;
  std::filesystem::create_directories(root2);
  cfg->listen_interfaces = "127.0.0.1:" + std::to_string(swarm_port);
  REQUIRE(endpoint::save_config(w.dir, *cfg).ok());
  std::string log2 = w.tmp.path() + "/offline.log";
  Child ep(endpoint_bin() + " run --dir " + w.dir, log2);
  REQUIRE_MESSAGE(wait_for(60, [&] { return file_or_empty(root2 + "/etc/motd") == "welcome\n"; }),
                  file_or_empty(log2));
  CHECK(file_or_empty(log2).find("carrying on from the desired state saved") != std::string::npos);

  // It serves a peer from what it holds.
  node::LayerFetchOptions fo;
  fo.tracker_key = *public_key_from_hex(cfg->tracker_public_key);
  auto held = node::load_layer(LayerRef{"base", 1}, w.dir + "/layers/base@1", fo);
  REQUIRE_MESSAGE(held.ok(), held.status().to_string());
  SwarmNodeOptions so;
  so.data_dir = w.tmp.path() + "/peer";
  so.node_name = "peer";
  so.listen_interfaces = "127.0.0.1:0";
  so.outgoing_utp = false;
  auto peer = SwarmNode::start(so);
  REQUIRE(peer.ok());
  // The layer is an SSL torrent of the tracker's CA: the peer presents a
  // certificate that CA signed (the endpoint, restarted offline, presents the
  // one it saved).
  test::certify_with_tracker_ca(**peer, w.tmp.path() + "/data", {"base-v1"});
  const std::string peer_dir = w.tmp.path() + "/peer-payload";
  REQUIRE((*peer)->add_layer(held->manifest, held->torrent, peer_dir, LayerMode::download).ok());
  REQUIRE((*peer)->add_peer(LayerRef{"base", 1}, "127.0.0.1", swarm_port).ok());
  bool complete = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!complete && std::chrono::steady_clock::now() < deadline)
    for (auto& ev : (*peer)->poll_events(100))
      if (std::holds_alternative<LayerComplete>(ev)) complete = true;
  REQUIRE_MESSAGE(complete, file_or_empty(log2));
  CHECK(test::read_file(peer_dir + "/usr/share/blob") == test::random_bytes(300'000, 7));  // small files sit in bins

  // The tracker is back on its port: the next poll takes over.
  REQUIRE(w.proc.start() == w.port);
  REQUIRE(w.admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@2"}}}).ok());
  CHECK_MESSAGE(wait_for(90, [&] { return file_or_empty(root2 + "/etc/motd") == "welcome back\n"; }),
                file_or_empty(log2));
}

TEST_CASE("bc-endpoint: restarted while the tracker is down it refuses a held manifest altered on disk and applies nothing") {
  World w;
  w.enroll_and_converge();
  std::string log = w.tmp.path() + "/run.log";
  REQUIRE(w.proc.stop() == 0);
  const std::string manifest = w.dir + "/layers/base@1/manifest.json";
  std::string bytes = test::read_file(manifest);
  bytes[bytes.size() / 2] ^= 0x01;
  std::filesystem::remove(manifest);
  test::write_file(manifest, bytes);
  auto cfg = endpoint::load_config(w.dir);
  REQUIRE(cfg.ok());
  cfg->root = w.tmp.path() + "/root2";
  std::filesystem::create_directories(cfg->root);
  REQUIRE(endpoint::save_config(w.dir, *cfg).ok());
  CHECK(sh(endpoint_bin() + " run --dir " + w.dir + " --exit-when-applied --max-run-ms 5000", log) == 1);
  std::string out = test::read_file(log);
  CHECK_MESSAGE(out.find("does not verify against the pinned tracker key") != std::string::npos, out);
  CHECK_FALSE(std::filesystem::exists(w.tmp.path() + "/root2/etc/motd"));
}

// Issue #17: no waiting on ourselves. The endpoint polls every 10 s, yet a
// new assignment reaches it at once (the desired-state long poll), and its
// log carries the layer's timeline (seen -> metadata -> ... -> applied).
TEST_CASE("bc-endpoint: a new assignment reaches a running endpoint within 1 s though it polls every 10 s") {
  World w;
  REQUIRE_MESSAGE(w.enroll() == 0, test::read_file(w.tmp.path() + "/enroll.log"));
  auto cfg = endpoint::load_config(w.dir);
  REQUIRE(cfg.ok());
  cfg->poll_interval_ms = 10'000;
  REQUIRE(endpoint::save_config(w.dir, *cfg).ok());
  std::string v2 = test::make_layer_dir(w.tmp.path(), "base@2",
                                        {{"etc/motd", "welcome v2\n"}, {"usr/share/blob", test::random_bytes(300'000, 7)}});
  REQUIRE(w.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", v2}}).ok());
  std::string log = w.tmp.path() + "/run.log";
  Child run(endpoint_bin() + " run --dir " + w.dir + " --max-run-ms 120000", log);
  REQUIRE_MESSAGE(wait_for(60, [&] { return file_or_empty(log).find("applied generation") != std::string::npos; }),
                  file_or_empty(log));
  auto held = [&] {
    auto m = w.admin.http().request("GET", "/metrics", "", {});
    return m.ok() && m->body.find("\nbc_tracker_http_long_polls 1") != std::string::npos;
  };
  REQUIRE(wait_for(20, held));  // parked at the tracker: what follows measures the push, not a poll
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(w.admin.admin_json("PUT", "/api/v1/assignments/branch/hq", {{"stack", {"base@2"}}}).ok());
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(15)) {
    seen = file_or_empty(log).find("desired stack [base@2]") != std::string::npos;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE_MESSAGE(seen, file_or_empty(log));
  MESSAGE("assignment stored -> endpoint took it: " << s * 1000 << " ms");
  CHECK(s < 1.0);
  REQUIRE_MESSAGE(wait_for(60, [&] { return file_or_empty(log).find("base@2: timeline:") != std::string::npos; }),
                  file_or_empty(log));
  std::string out = file_or_empty(log);
  size_t at = out.find("base@2: timeline:");
  MESSAGE(out.substr(at, out.find('\n', at) - at));
  CHECK(test::read_file(w.root + "/etc/motd") == "welcome v2\n");
}
