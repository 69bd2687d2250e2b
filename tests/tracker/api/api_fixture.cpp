#include "tests/tracker/api/api_fixture.hpp"

#include <sodium.h>

#include <stdexcept>

#include "layers/util/hex.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "tracker/bt/info_hash.hpp"
#include "tracker/protocol/node_signature.hpp"

namespace bc::test {

using namespace bc::tracker;

ApiFixture::ApiFixture(const std::string& extra_toml, const std::string& auth_toml) {
  auto key = SecretKey::generate();
  if (!key.save(tmp / "tracker.key").ok()) throw std::runtime_error("save key");
  write_file(tmp / "admin.token", admin_token + "\n");
  auto config = parse_config(R"(
[storage]
data_dir = "data"
[auth]
signing_key = "tracker.key"
admin_token_file = "admin.token"
)" + auth_toml + R"(
[limits]
max_list_items = 100
max_long_poll_s = 30
)" + extra_toml, tmp.path());
  if (!config.ok()) throw std::runtime_error(config.status().to_string());
  auto a = TrackerApp::create(*config, clock);
  if (!a.ok()) throw std::runtime_error(a.status().to_string());
  app = std::move(a).value();
}

std::string ApiFixture::import_layer(const std::string& ref, const std::map<std::string, std::string>& files) {
  std::string dir = make_layer_dir(tmp.path(), ref, files);
  auto r = call("POST", "/api/v1/layers/import", nlohmann::json{{"dir", dir}}.dump());
  if (r.status != 201) throw std::runtime_error("import " + ref + ": " + std::to_string(r.status) + " " + r.body);
  auto h = bt::InfoHash::from_v2_hex(body(r)["info_hash"].get<std::string>());
  if (!h) throw std::runtime_error("import " + ref + ": no v2 info hash in " + r.body);
  return std::string(h->raw());
}

HttpResponse ApiFixture::call(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& token) {
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.remote_address = "192.0.2.1";
  std::string t = token.empty() ? admin_token : token;
  if (t != "-") req.headers["authorization"] = "Bearer " + t;
  if (!body.empty()) req.headers["content-type"] = "application/json";
  return app->handle(req);
}

HttpResponse ApiFixture::node(const SecretKey& key, const std::string& method, const std::string& target,
                              const std::string& body, const std::string& remote,
                              const std::string& if_none_match) {
  uint8_t nonce[16];
  randombytes_buf(nonce, sizeof nonce);
  auto h = sign_request(key, method, target, clock.unix_s(), to_hex(nonce), body);
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.remote_address = remote;
  req.headers = {{"x-bc-node", h.node}, {"x-bc-time", h.time}, {"x-bc-nonce", h.nonce}, {"x-bc-sig", h.sig}};
  if (!if_none_match.empty()) req.headers["if-none-match"] = if_none_match;
  if (!body.empty()) req.headers["content-type"] = "application/json";
  return app->handle(req);
}

std::string ApiFixture::join(const SecretKey& key, const std::string& role, const std::string& branch) {
  auto tok = call("POST", "/api/v1/enrollment-tokens", nlohmann::json{{"role", role}, {"branch", branch}}.dump());
  if (tok.status != 201) throw std::runtime_error("enrollment token: " + tok.body);
  const std::string token = body(tok)["token"];
  auto r = role == "endpoint"
               ? node(key, "POST", "/api/v1/enroll", nlohmann::json{{"token", token}, {"branch", branch}}.dump())
               : node(key, "POST", "/api/v1/reflectors/register",
                      nlohmann::json{{"token", token}, {"address", "10.9.0.2"}}.dump());
  if (r.status / 100 != 2) throw std::runtime_error(role + " join: " + r.body);
  return body(r)["announce_key"];
}

std::string ApiFixture::make_token(const std::string& role) {
  auto r = call("POST", "/api/v1/tokens", nlohmann::json{{"role", role}}.dump());
  if (r.status != 201) throw std::runtime_error("make_token: " + r.body);
  return body(r)["token"];
}

nlohmann::json ApiFixture::body(const HttpResponse& r) const {
  return nlohmann::json::parse(r.body, nullptr, false);
}

}  // namespace bc::test
