// State directories at rest, with the real programs: bc-tracker, bc-endpoint
// and bc-reflector each refuse to start on a state directory others can
// enter (0755), exiting non-zero with a message that names the path, its
// mode and the fix; a directory they create themselves is 0700.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

namespace {

// Runs `cmd` with its output in `log`; the exit status (-1 when killed).
int run(const std::string& cmd, const std::string& log) {
  int rc = std::system((cmd + " > '" + log + "' 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string open_dir(test::TmpDir& tmp, const std::string& name) {
  std::string d = tmp.path() + "/" + name;
  REQUIRE(::mkdir(d.c_str(), 0755) == 0);
  REQUIRE(::chmod(d.c_str(), 0755) == 0);  // whatever the umask
  return d;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("bc-tracker refuses a data_dir others can enter, and creates a missing one 0700") {
  test::TmpDir tmp;
  REQUIRE(SecretKey::generate().save(tmp / "tracker.key").ok());
  std::string data = open_dir(tmp, "data");
  // 192.0.2.1 (TEST-NET) is no local address: a tracker that gets as far as
  // listening exits there, after it opened its state.
  auto config = [&](const std::string& dir) {
    test::write_file(tmp / "tracker.toml", "[server]\nlisten = \"192.0.2.1\"\nport = 0\n[storage]\ndata_dir = \"" +
                                               dir + "\"\n[auth]\nsigning_key = \"tracker.key\"\n");
  };
  config(data);
  std::string log = tmp / "tracker.log";
  CHECK(run(std::string(BC_TRACKER_BIN) + " serve --config " + tmp / "tracker.toml", log) == 1);
  std::string text = test::read_file(log);
  CHECK_MESSAGE(text.find("state directory '" + data + "' has mode 0755") != std::string::npos, text);
  CHECK(text.find("chmod 700 " + data) != std::string::npos);

  // A missing data dir is created private, then the tracker fails only to listen.
  config(tmp / "fresh");
  CHECK(run(std::string(BC_TRACKER_BIN) + " serve --config " + tmp / "tracker.toml", tmp / "fresh.log") == 1);
  CHECK_MESSAGE(test::read_file(tmp / "fresh.log").find("state directory") == std::string::npos,
                test::read_file(tmp / "fresh.log"));
  CHECK(mode_of(tmp / "fresh") == 0700);
}

TEST_CASE("bc-endpoint refuses to run or enroll with a state dir others can enter") {
  test::TmpDir tmp;
  std::string dir = open_dir(tmp, "ep");
  std::string log = tmp / "ep.log";
  CHECK(run(std::string(BC_ENDPOINT_BIN) + " run --dir " + dir, log) != 0);
  std::string text = test::read_file(log);
  CHECK_MESSAGE(text.find("state directory '" + dir + "' has mode 0755: it must be private to its owner (chmod 700 " +
                          dir + ")") != std::string::npos,
                text);
  CHECK(run(std::string(BC_ENDPOINT_BIN) + " enroll --tracker http://127.0.0.1:9 --token t --dir " + dir +
                " --root " + tmp / "root",
            log) != 0);
  CHECK(test::read_file(log).find("chmod 700 " + dir) != std::string::npos);
}

TEST_CASE("bc-reflector refuses to run with a cache dir others can enter") {
  test::TmpDir tmp;
  std::string cache = open_dir(tmp, "cache");
  // The config `init` would write (init now dials the tracker to pin its CA;
  // this test is about the cache directory, checked before any dialling).
  test::write_file(tmp / "r.toml", "tracker_url = \"http://127.0.0.1:9\"\ninsecure_plain_http = true\n"
                                   "tracker_public_key = \"" + std::string(64, 'a') + "\"\n"
                                   "identity_key_file = \"" + tmp / "r.key" + "\"\n"
                                   "cache_dir = \"" + cache + "\"\nquota_bytes = 1048576\n");
  std::string log = tmp / "run.log";
  CHECK(run(std::string(BC_REFLECTOR_BIN) + " run --config " + tmp / "r.toml", log) != 0);
  std::string text = test::read_file(log);
  CHECK_MESSAGE(text.find("state directory '" + cache + "' has mode 0755") != std::string::npos, text);
  CHECK(text.find("chmod 700 " + cache) != std::string::npos);
}
