// An in-process tracker (TrackerApp without sockets) on a temp directory,
// with helpers to send admin and signed node requests through the full
// request pipeline (target parsing, routing, auth, handlers, LMDB).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "layers/crypto/ed25519.hpp"
#include "layers/util/clock.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/app/tracker_app.hpp"

namespace bc::test {

struct ApiFixture {
  TmpDir tmp;
  ManualClock clock{0, 1'800'000'000};
  std::string admin_token = "bootstrap-admin-token-0123456789";
  std::unique_ptr<tracker::TrackerApp> app;

  // `extra_toml` is appended to the fixture's config (e.g. an [origin] section);
  // `auth_toml` lines go into its [auth] section.
  explicit ApiFixture(const std::string& extra_toml = "", const std::string& auth_toml = "");
  tracker::HttpResponse call(const std::string& method, const std::string& target,
                             const std::string& body = "", const std::string& token = "");
  tracker::HttpResponse node(const SecretKey& key, const std::string& method,
                             const std::string& target, const std::string& body = "",
                             const std::string& remote = "10.1.2.3",
                             const std::string& if_none_match = "");
  // Builds layer `ref` holding `files` (path -> content) and imports it
  // through the API; throws unless the tracker answers 201. Returns the
  // 20-byte swarm key of the imported (SSL) torrent, as announces carry it.
  std::string import_layer(const std::string& ref, const std::map<std::string, std::string>& files);
  // A token of `role` created through the API.
  std::string make_token(const std::string& role);
  // Enrolls an endpoint (role "endpoint") or registers a reflector in
  // `branch` with a fresh enrollment token; throws unless the tracker
  // answers 2xx. Returns the node's announce key.
  std::string join(const SecretKey& key, const std::string& role, const std::string& branch);
  nlohmann::json body(const tracker::HttpResponse& r) const;
};

}  // namespace bc::test
