#include <doctest/doctest.h>

#include "tests/tracker/api/api_fixture.hpp"
#include "tests/tracker/support/layer_fixture.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "tracker/protocol/node_signature.hpp"
#include "tracker/service/records.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {
std::string enroll_token(test::ApiFixture& f, const json& body) {
  auto r = f.call("POST", "/api/v1/enrollment-tokens", body.dump());
  REQUIRE(r.status == 201);
  return f.body(r)["token"];
}
}  // namespace

TEST_CASE("an endpoint enrolls with a one-time token and lands in the branch whose subnet holds its address") {
  test::ApiFixture f;
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["10.0.0.0/8"]})").status == 200);
  REQUIRE(f.call("PUT", "/api/v1/branches/floor2", R"({"subnets": ["10.1.0.0/16"], "parent": "hq"})").status == 200);
  std::string token = enroll_token(f, {{"role", "endpoint"}});
  auto key = SecretKey::generate();
  std::string body = json{{"token", token}, {"facts", {{"vendor", "Dell Inc."}}}}.dump();
  auto r = f.node(key, "POST", "/api/v1/enroll", body, "10.1.2.3");
  REQUIRE(r.status == 201);
  CHECK(f.body(r)["branch"] == "floor2");  // longest prefix wins
  CHECK(f.body(r)["branch_source"] == "subnet");
  auto again = f.node(SecretKey::generate(), "POST", "/api/v1/enroll", body, "10.1.2.4");
  CHECK(again.status == 403);
  CHECK(f.body(again)["error"].get<std::string>().find("already used") != std::string::npos);
  std::string reusable = enroll_token(f, {{"reusable", true}});
  auto nowhere = f.node(SecretKey::generate(), "POST", "/api/v1/enroll",
                        json{{"token", reusable}}.dump(), "192.168.1.1");
  CHECK(nowhere.status == 400);
  CHECK(f.body(nowhere)["error"].get<std::string>().find("no branch's subnets contain") != std::string::npos);
  auto explicit_branch = f.node(SecretKey::generate(), "POST", "/api/v1/enroll",
                                json{{"token", reusable}, {"branch", "hq"}}.dump(), "192.168.1.1");
  CHECK(explicit_branch.status == 201);
}

TEST_CASE("node requests must be signed, fresh and not replayed") {
  test::ApiFixture f;
  HttpRequest unsigned_req;
  unsigned_req.method = "GET";
  unsigned_req.target = "/api/v1/desired";
  CHECK(f.app->handle(unsigned_req).status == 401);
  auto stranger = f.node(SecretKey::generate(), "GET", "/api/v1/desired");
  CHECK(stranger.status == 403);  // signed but not enrolled
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["10.0.0.0/8"]})").status == 200);
  auto key = SecretKey::generate();
  REQUIRE(f.node(key, "POST", "/api/v1/enroll", json{{"token", enroll_token(f, json::object())}}.dump()).status == 201);
  // Replay: the same signed request twice.
  HttpRequest req;
  req.method = "GET";
  req.target = "/api/v1/desired";
  auto h = sign_request(key, "GET", "/api/v1/desired", f.clock.unix_s(), "0123456789abcdef0123456789abcdef", "");
  req.headers = {{"x-bc-node", h.node}, {"x-bc-time", h.time}, {"x-bc-nonce", h.nonce}, {"x-bc-sig", h.sig}};
  HttpRequest copy = req;
  CHECK(f.app->handle(req).status == 200);
  auto replay = f.app->handle(copy);
  CHECK(replay.status == 401);
  CHECK(f.body(replay)["error"].get<std::string>().find("replayed") != std::string::npos);
  f.clock.advance_ms(301'000);
  CHECK(f.node(key, "GET", "/api/v1/desired").status == 200);  // fresh signature, fine
}

TEST_CASE("desired state follows assignments, answers 304 to a matching ETag and changes when an assignment does") {
  test::ApiFixture f;
  std::string base = test::make_layer_dir(f.tmp.path(), "base@3", {{"etc/motd", "hello\n"}, {"bin/tool", "x"}});
  std::string office = test::make_layer_dir(f.tmp.path(), "office@5", {{"opt/office/app", "app"}}, LayerKind::app);
  REQUIRE(f.call("POST", "/api/v1/layers/import", json{{"dir", base}}.dump()).status == 201);
  REQUIRE(f.call("POST", "/api/v1/layers/import", json{{"dir", office}}.dump()).status == 201);
  CHECK(f.call("POST", "/api/v1/layers/import", json{{"dir", base}}.dump()).status == 409);
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["10.0.0.0/8"]})").status == 200);
  REQUIRE(f.call("PUT", "/api/v1/assignments/branch/hq", R"({"stack": ["base@3"]})").status == 200);
  auto key = SecretKey::generate();
  REQUIRE(f.node(key, "POST", "/api/v1/enroll", json{{"token", enroll_token(f, json::object())}}.dump()).status == 201);
  auto first = f.node(key, "GET", "/api/v1/desired");
  REQUIRE(first.status == 200);
  json state = f.body(first);
  CHECK(state["source"] == "branch:hq");
  REQUIRE(state["stack"].size() == 1);
  CHECK(state["stack"][0]["ref"] == "base@3");
  std::string etag;
  for (auto& [k, v] : first.headers) if (k == "ETag") etag = v;
  REQUIRE_FALSE(etag.empty());
  auto same = f.node(key, "GET", "/api/v1/desired?wait=5", "", "10.1.2.3", etag);
  CHECK(same.status == 304);
  CHECK(same.long_poll_ms == 5000);
  CHECK(same.body.empty());
  std::string node_id = public_key_hex(key.public_key());
  REQUIRE(f.call("PUT", "/api/v1/assignments/endpoint/" + node_id, R"({"stack": ["base@3", "office@5"]})").status == 200);
  auto changed = f.node(key, "GET", "/api/v1/desired", "", "10.1.2.3", etag);
  REQUIRE(changed.status == 200);
  CHECK(f.body(changed)["source"] == "endpoint");
  CHECK(f.body(changed)["stack"].size() == 2);
  // Retiring a layer drops it from the stack with a reason.
  REQUIRE(f.call("POST", "/api/v1/layers/office@5/retire").status == 200);
  auto retired = f.body(f.node(key, "GET", "/api/v1/desired"));
  CHECK(retired["stack"].size() == 1);
  CHECK(retired["skipped"][0]["reason"] == "layer is retired");
  // A reflector of the branch gets the union of what its endpoints need.
  auto refl = SecretKey::generate();
  std::string rt = enroll_token(f, {{"role", "reflector"}, {"branch", "hq"}});
  REQUIRE(f.node(refl, "POST", "/api/v1/reflectors/register",
                 json{{"token", rt}, {"address", "10.0.0.2"}, {"free_bytes", 1000}}.dump()).status == 201);
  auto rs = f.body(f.node(refl, "GET", "/api/v1/desired"));
  CHECK(rs["role"] == "reflector");
  REQUIRE(rs["layers"].size() == 1);
  CHECK(rs["layers"][0]["ref"] == "base@3");
}

TEST_CASE("the imported manifest is signed by the tracker and the stored payload is the verified copy") {
  test::ApiFixture f;
  std::string dir = test::make_layer_dir(f.tmp.path(), "base@1", {{"a/b", "bytes"}});
  auto r = f.call("POST", "/api/v1/layers/import", json{{"dir", dir}}.dump());
  REQUIRE(r.status == 201);
  auto rec = f.body(r);
  auto man = f.call("GET", "/api/v1/layers/base@1/manifest");
  REQUIRE(man.status == 200);
  std::string sig_hex, signer_hex;
  for (auto& [k, v] : man.headers) {
    if (k == "X-BC-Signature") sig_hex = v;
    if (k == "X-BC-Signer") signer_hex = v;
  }
  auto tm = TrustedManifest::verify(man.body, *signature_from_hex(sig_hex), *public_key_from_hex(signer_hex));
  REQUIRE(tm.ok());
  CHECK(tm->manifest().info_hash == rec["info_hash"]);
  // A small file is packed: the origin store holds its bin, the torrent's layout.
  CHECK(test::read_file(rec["origin_dir"].get<std::string>() + "/.bc-pack/0") == "bytes");
  CHECK(f.call("GET", "/api/v1/layers/base@1/torrent").status == 200);
  // Tampered payload (a large file in the tree, or a bin in the layer's pack
  // directory): the import is refused and nothing is recorded.
  // (random and over 256 KiB: neither packed into a bin nor chunked, the file itself is in the tree)
  std::string bad = test::make_layer_dir(f.tmp.path(), "evil@1", {{"x", test::random_bytes(300'000, 1)}});
  test::write_file(f.tmp / "src-evil-1/x", test::random_bytes(300'000, 2));
  auto refused = f.call("POST", "/api/v1/layers/import", json{{"dir", bad}}.dump());
  CHECK(refused.status >= 400);
  CHECK(refused.status < 500);
  CHECK(f.call("GET", "/api/v1/layers/evil@1").status == 404);
  std::string bad_bin = test::make_layer_dir(f.tmp.path(), "evil@2", {{"x", "original"}});
  test::write_file(bad_bin + "/pack/0", "tampere");
  auto refused_bin = f.call("POST", "/api/v1/layers/import", json{{"dir", bad_bin}}.dump());
  CHECK(refused_bin.status >= 400);
  CHECK(refused_bin.status < 500);
  CHECK(f.body(refused_bin).dump().find(".bc-pack/0") != std::string::npos);
  CHECK(f.call("GET", "/api/v1/layers/evil@2").status == 404);
  CHECK(f.call("POST", "/api/v1/layers/import", R"({"dir": "relative/path"})").status == 400);
}

TEST_CASE("status reports are validated, stored per node and summed per branch; every admin action is audited") {
  test::ApiFixture f;
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["10.0.0.0/8"]})").status == 200);
  std::string token = enroll_token(f, {{"reusable", true}});
  auto a = SecretKey::generate(), b = SecretKey::generate();
  REQUIRE(f.node(a, "POST", "/api/v1/enroll", json{{"token", token}}.dump()).status == 201);
  REQUIRE(f.node(b, "POST", "/api/v1/enroll", json{{"token", token}}.dump()).status == 201);
  auto bad = f.node(a, "POST", "/api/v1/status", R"({"layers": [{"ref": "base@3", "state": "dancing"}]})");
  CHECK(bad.status == 400);
  CHECK(f.body(bad)["error"].get<std::string>().find("layers[0].state") != std::string::npos);
  CHECK(f.node(a, "POST", "/api/v1/status", R"({"bytes_by_source": {"origin": -1}})").status == 400);
  CHECK(f.node(a, "POST", "/api/v1/status", R"({"bytes_by_source": {"moon": 1}})").status == 400);
  json report = {{"layers", {{{"ref", "base@3"}, {"state", "applied"}, {"bytes_done", 10}, {"bytes_total", 10}}}},
                 {"bytes_by_source", {{"origin", 100}, {"reflector", 50}, {"peer", 25}}},
                 {"applied", {"base@3"}}};
  CHECK(f.node(a, "POST", "/api/v1/status", report.dump()).status == 200);
  report["last_error"] = "disk full";
  CHECK(f.node(b, "POST", "/api/v1/status", report.dump()).status == 200);
  auto summary = f.body(f.call("GET", "/api/v1/status/branches"));
  CHECK(summary["hq"]["nodes"] == 2);
  CHECK(summary["hq"]["bytes_by_source"]["origin"] == 200);
  CHECK(summary["hq"]["with_errors"] == 1);
  CHECK(summary["hq"]["layers"]["base@3"]["applied"] == 2);
  auto metrics = f.call("GET", "/metrics");
  CHECK(metrics.body.find(R"(bc_tracker_branch_bytes{branch="hq",source="reflector"} 100)") != std::string::npos);
  CHECK(metrics.body.find("bc_tracker_endpoints 2") != std::string::npos);
  auto audit = f.body(f.call("GET", "/api/v1/audit"));
  std::vector<std::string> actions;
  uint64_t last_seq = 0;
  for (const auto& e : audit["entries"]) {
    actions.push_back(e["action"]);
    CHECK(e["seq"].get<uint64_t>() == last_seq + 1);
    last_seq = e["seq"];
  }
  CHECK(actions == std::vector<std::string>{"branch.create", "enrollment_token.create", "endpoint.enroll",
                                            "endpoint.enroll"});
  CHECK(audit["entries"][0]["actor"] == "token:bootstrap");
  CHECK(audit["entries"][0]["remote"] == "192.0.2.1");
  auto page = f.body(f.call("GET", "/api/v1/audit?after=2&limit=1"));
  REQUIRE(page["entries"].size() == 1);
  CHECK(page["entries"][0]["seq"] == 3);
}

TEST_CASE("enrollment gives each node a stable announce key that resolves to it until it is decommissioned") {
  test::ApiFixture f;
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["10.0.0.0/8"]})").status == 200);
  std::string token = enroll_token(f, {{"reusable", true}});
  auto key = SecretKey::generate();
  auto first = f.node(key, "POST", "/api/v1/enroll", json{{"token", token}}.dump());
  REQUIRE(first.status == 201);
  std::string announce = f.body(first)["announce_key"];
  CHECK(announce.size() == 32);
  auto again = f.node(key, "POST", "/api/v1/enroll", json{{"token", token}}.dump());
  CHECK(f.body(again)["announce_key"] == announce);  // re-enrollment keeps the key
  CHECK(f.body(f.node(key, "GET", "/api/v1/desired"))["announce_key"] == announce);
  std::string id = public_key_hex(key.public_key());
  f.app->store().read([&](const Txn& t) {
    auto n = node_for_announce_key(t, announce);
    REQUIRE(n.ok());
    CHECK(n->id == id);
    CHECK(n->role == "endpoint");
    CHECK(n->branch == "hq");
    CHECK(node_for_announce_key(t, std::string(32, '0')).status().code() == Status::Code::not_found);
    return Status();
  });
  // A branch in use cannot be deleted; after decommissioning the node it can.
  auto busy = f.call("DELETE", "/api/v1/branches/hq");
  CHECK(busy.status == 409);
  CHECK(f.body(busy)["error"].get<std::string>().find("still used by endpoint") != std::string::npos);
  CHECK(f.call("DELETE", "/api/v1/endpoints/" + id).status == 200);
  f.app->store().read([&](const Txn& t) {
    CHECK_FALSE(node_for_announce_key(t, announce).ok());
    return Status();
  });
  CHECK(f.node(key, "GET", "/api/v1/desired").status == 403);
  CHECK(f.call("DELETE", "/api/v1/branches/hq").status == 200);
  CHECK(f.call("GET", "/api/v1/branches/hq").status == 404);
}

TEST_CASE("a node's flood of fresh nonces fills only its own share: it gets 429, another node's captured request stays refused") {
  test::ApiFixture f("", "replay_nonces_per_node = 16\n");
  REQUIRE(f.call("PUT", "/api/v1/branches/hq", R"({"subnets": ["10.0.0.0/8"]})").status == 200);
  auto victim = SecretKey::generate(), flooder = SecretKey::generate();
  // The victim's enrollment request, captured, cannot be replayed after it enrolled.
  HttpRequest er;
  er.method = "POST";
  er.target = "/api/v1/enroll";
  er.body = json{{"token", enroll_token(f, json{{"reusable", true}})}}.dump();
  er.remote_address = "10.1.2.3";
  er.headers = {{"content-type", "application/json"}};
  auto eh = sign_request(victim, "POST", "/api/v1/enroll", f.clock.unix_s(), std::string(32, 'e'), er.body);
  er.headers.insert({{"x-bc-node", eh.node}, {"x-bc-time", eh.time}, {"x-bc-nonce", eh.nonce}, {"x-bc-sig", eh.sig}});
  HttpRequest er_copy = er;
  REQUIRE(f.app->handle(er).status == 201);
  CHECK(f.app->handle(er_copy).status == 401);
  REQUIRE(f.node(flooder, "POST", "/api/v1/enroll", json{{"token", enroll_token(f, json::object())}}.dump()).status == 201);

  HttpRequest captured;
  captured.method = "GET";
  captured.target = "/api/v1/desired";
  captured.remote_address = "10.1.2.3";
  auto h = sign_request(victim, "GET", "/api/v1/desired", f.clock.unix_s(), std::string(32, 'c'), "");
  captured.headers = {{"x-bc-node", h.node}, {"x-bc-time", h.time}, {"x-bc-nonce", h.nonce}, {"x-bc-sig", h.sig}};
  HttpRequest replay = captured;
  REQUIRE(f.app->handle(captured).status == 200);

  int ok = 0, limited = 0;
  HttpResponse last;
  for (int i = 0; i < 40; ++i) {
    last = f.node(flooder, "GET", "/api/v1/desired");
    if (last.status == 200) ++ok;
    if (last.status == 429) ++limited;
  }
  CHECK(ok == 16);  // its enrollment request counted in the shared share of keys not yet enrolled
  CHECK(limited == 40 - ok);
  CHECK(last.status == 429);
  CHECK_MESSAGE(f.body(last)["error"].get<std::string>().find("sent 16 requests within the 600 s replay window; retry in") !=
                    std::string::npos, last.body);
  CHECK(f.app->handle(replay).status == 401);  // the victim's nonce was not evicted
  CHECK(f.node(victim, "GET", "/api/v1/desired").status == 200);  // and the victim is served
  f.clock.advance_ms(601'000);
  CHECK(f.node(flooder, "GET", "/api/v1/desired").status == 200);  // its share emptied by time
}
