// A real bc-tracker (HTTPS, its own CA) and the real bcctl with a config of
// its own: what every bcctl suite starts from.
#pragma once

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <string>

#include "layers/pki/pki.hpp"
#include "layers/util/fs.hpp"
#include "tests/ctl/bcctl_runner.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tests/tracker/support/layer_fixture.hpp"

namespace bc::test {

struct BcctlFixture {
  explicit BcctlFixture(const std::string& extra_toml = "") : tracker(extra_toml), bcctl(home.path()) {}

  // A file holding `token`, 0600.
  std::string token_file(const std::string& name, const std::string& token) {
    const std::string path = home / (name + ".token");
    REQUIRE(write_file_atomic(path, token + "\n", 0600).ok());
    return path;
  }
  // The SHA-256 of the tracker's CA, as bc-tracker logs it.
  std::string ca_fingerprint() const {
    auto pem = read_small_file(tracker.proc.ca_file(), 1 << 20);
    REQUIRE(pem.ok());
    auto info = pki::inspect(*pem);
    REQUIRE(info.ok());
    return pki::colon_fingerprint(info->fingerprint_sha256);
  }
  // `bcctl context add NAME` pinned by fingerprint, with `token`; must succeed.
  void add_context(const std::string& name, const std::string& token) {
    auto r = bcctl.run({"context", "add", name, "--tracker", tracker.proc.url(), "--ca-fingerprint", ca_fingerprint(),
                        "--token-file", token_file(name, token)});
    REQUIRE_MESSAGE(r.exit == 0, r.err);
  }
  // A token of `role` made through the API; its secret and id.
  std::pair<std::string, std::string> make_token(const std::string& role) {
    auto t = tracker.admin.admin_json("POST", "/api/v1/tokens", {{"role", role}, {"name", role + "-test"}});
    REQUIRE_MESSAGE(t.ok(), t.status().to_string());
    return {(*t)["token"], (*t)["id"]};
  }

  TmpDir home;  // bcctl's HOME and config directory
  RunningTracker tracker;
  Bcctl bcctl;
};

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline unsigned file_mode(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace bc::test
