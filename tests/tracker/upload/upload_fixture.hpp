// Shared by the upload suites: a real bc-tracker over HTTPS, layer trees on
// disk, and raw calls to the upload API.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "ctl/push/layer_push.hpp"
#include "ctl/push/push_capture.hpp"
#include "layers/util/hex.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

inline constexpr uint64_t kPiece = 64 * 1024;  // capture's default piece size

struct UploadWorld {
  explicit UploadWorld(const std::string& extra_toml = "") : rt(extra_toml) {}

  ctl::TrackerTarget target(const std::string& token = kAdminToken) const {
    return {rt.client_options(), token};
  }
  ctl::PushRequest request(const std::string& dir, const std::string& name, const std::string& version,
                           const std::string& parent = "") const {
    ctl::PushRequest r{dir, name, version, "base", parent};
    r.cache_dir = work / "cache";
    return r;
  }
  // A tree: one large random file (`big` bytes), a few small files, a
  // directory and a symlink.
  std::string make_tree(const std::string& name, size_t big, uint64_t seed) const {
    std::string root = work / name;
    write_file(root + "/disk.img", random_bytes(big, seed));
    write_file(root + "/etc/motd", "hello " + name + "\n");
    write_file(root + "/etc/hosts", random_bytes(3000, seed + 1));
    std::filesystem::create_symlink("motd", root + "/etc/motd.link");
    return root;
  }
  // An admin token of `role` (viewer, operator, admin).
  std::string token(const std::string& role) {
    auto t = rt.admin.admin_json("POST", "/api/v1/tokens", {{"role", role}, {"name", role + "-test"}});
    REQUIRE_MESSAGE(t.ok(), t.status().to_string());
    return (*t)["token"];
  }
  // One raw call: the status and the parsed body (null when not JSON).
  std::pair<int, nlohmann::json> call(const std::string& method, const std::string& target, const std::string& body,
                                      const std::string& token = kAdminToken,
                                      const std::string& type = "application/json") {
    auto r = http.request(method, target, body, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
    REQUIRE_MESSAGE(r.ok(), r.status().to_string());
    return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
  }
  // The start request for a captured layer.
  static std::string start_body(const ctl::PushCapture& c) {
    return nlohmann::json{{"content_bytes", c.manifest.total_file_bytes()},
                          {"manifest", c.manifest_bytes},
                          {"torrent", to_hex({reinterpret_cast<const uint8_t*>(c.torrent.data()), c.torrent.size()})}}
        .dump();
  }
  ctl::PushCapture capture(const std::string& dir, const std::string& name, const std::string& version) {
    auto c = ctl::capture_for_push(request(dir, name, version), "", nullptr);
    REQUIRE_MESSAGE(c.ok(), c.status().to_string());
    return std::move(*c);
  }
  bool staged(const std::string& id) const {
    return std::filesystem::exists(rt.tmp.path() + "/data/uploads/" + id);
  }

  TmpDir work;
  RunningTracker rt;
  tracker::HttpClient http{rt.client_options()};
};

// The index of `path` among the manifest's payload files.
inline uint32_t payload_index(const Manifest& m, const std::string& path) {
  auto files = m.payload_files();
  for (uint32_t i = 0; i < files.size(); ++i)
    if (files[i].path == path) return i;
  FAIL("no payload file " << path);
  return 0;
}

}  // namespace bc::test
