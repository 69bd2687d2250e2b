// Each bcctl command's happy path against the real bc-tracker, as a table
// and as -o json, and the precise refusals of bad requests (exit codes per
// class); rollout status once and with --watch (lines when not a terminal,
// Ctrl-C exits 0).
#include <signal.h>

#include "layers/crypto/ed25519.hpp"
#include "tests/ctl/bcctl_fixture.hpp"
#include "tests/support/poll.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;

namespace {
void import(BcctlFixture& f, const std::string& ref, const std::map<std::string, std::string>& files) {
  std::string dir = make_layer_dir(f.tracker.tmp.path(), ref, files);
  auto r = f.tracker.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", dir}});
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
}
json run_json(BcctlFixture& f, std::vector<std::string> args) {
  args.push_back("-o");
  args.push_back("json");
  auto r = f.bcctl.run(args);
  REQUIRE_MESSAGE(r.exit == 0, r.err);
  return json::parse(r.out);
}
}  // namespace

TEST_CASE("layers: ls as a table and as JSON, inspect, diff with the bytes to move, retire, push") {
  BcctlFixture f;
  f.add_context("prod", kAdminToken);
  std::string big(300'000, 'a');
  import(f, "base@1", {{"etc/motd", "welcome\n"}, {"usr/big", big}});
  big[150'000] = 'b';
  import(f, "base@2", {{"etc/motd", "welcome v2\n"}, {"usr/big", big}, {"usr/new", "new file\n"}});

  auto ls = f.bcctl.run({"layer", "ls"});
  REQUIRE(ls.exit == 0);
  CHECK(ls.out.rfind("REF     KIND  SIZE", 0) == 0);  // aligned header
  CHECK(contains(ls.out, "base@1  base"));
  json list = run_json(f, {"layer", "ls"});
  REQUIRE(list.size() == 2);
  CHECK(list[1]["ref"] == "base@2");
  CHECK(run_json(f, {"layer", "inspect", "base@2"})["kind"] == "base");
  auto missing = f.bcctl.run({"layer", "inspect", "nope@1"});
  CHECK(missing.exit == 2);
  CHECK(contains(missing.err, "tracker answered 404"));

  json diff = run_json(f, {"layer", "diff", "base@1", "base@2"});
  CHECK(diff["added"] == json::array({"usr/new"}));
  REQUIRE(diff["changed"].size() == 2);
  CHECK(diff["bytes_to_move"].get<int64_t>() > 0);
  CHECK(diff["bytes_to_move"].get<int64_t>() < 300'000);  // only the changed piece of usr/big moves
  auto text = f.bcctl.run({"layer", "diff", "base@1", "base@2"});
  REQUIRE(text.exit == 0);
  CHECK(contains(text.out, "added"));
  CHECK(contains(text.out, "a branch holding base@1 moves"));

  REQUIRE(f.bcctl.run({"layer", "retire", "base@1"}).exit == 0);
  CHECK(run_json(f, {"layer", "inspect", "base@1"})["retired"] == true);

  // Push: captured here, uploaded over HTTPS, published; a second version
  // sends only what the tracker lacks.
  TmpDir src;
  REQUIRE(write_file_atomic(src / "hello.txt", "hello\n", 0644).ok());
  // Random: it does not compress, so its 300,000 bytes cross the upload (schema 3 would
  // chunk and compress a repetitive file to a few bytes).
  REQUIRE(write_file_atomic(src / "big.bin", random_bytes(300'000, 7), 0644).ok());
  auto push = f.bcctl.run({"layer", "push", src.path(), "--name", "pushed", "--version", "1", "--kind", "base", "-o", "json"});
  REQUIRE_MESSAGE(push.exit == 0, push.err);
  CHECK(json::parse(push.out)["ref"] == "pushed@1");
  CHECK(json::parse(push.out)["sent_bytes"].get<int64_t>() >= 300'000);
  CHECK(run_json(f, {"layer", "inspect", "pushed@1"})["ref"] == "pushed@1");
  REQUIRE(write_file_atomic(src / "hello.txt", "hello again\n", 0644).ok());
  auto v2 = f.bcctl.run({"layer", "push", src.path(), "--name", "pushed", "--version", "2", "--kind", "base",
                         "--parent", "pushed@1", "-o", "json"});
  REQUIRE_MESSAGE(v2.exit == 0, v2.err);
  CHECK(json::parse(v2.out)["sent_bytes"].get<int64_t>() < 300'000);  // big.bin is held already
  CHECK(json::parse(v2.out)["reused_bytes"].get<int64_t>() >= 300'000);
  // A tree holding something capture cannot read as a file (a FIFO): a
  // precise error, nothing published, no upload left open.
  TmpDir odd;
  REQUIRE(write_file_atomic(odd / "a.txt", "a\n", 0644).ok());
  REQUIRE(::mkfifo((odd / "pipe").c_str(), 0644) == 0);
  auto refused = f.bcctl.run({"layer", "push", odd.path(), "--name", "odd", "--version", "1", "--kind", "base"});
  CHECK(refused.exit != 0);
  CHECK(contains(refused.err, "pipe"));
  CHECK(f.bcctl.run({"layer", "inspect", "odd@1"}).exit == 2);
  CHECK(f.tracker.admin.admin_json("GET", "/api/v1/uploads")->dump().find("odd") == std::string::npos);
  auto bad_kind = f.bcctl.run({"layer", "push", src.path(), "--name", "x", "--version", "1", "--kind", "kernel"});
  CHECK(bad_kind.exit == 1);
  CHECK(contains(bad_kind.err, "--kind kernel is not a layer kind"));
}

TEST_CASE("branches, tokens, assignments, nodes and the audit log through bcctl") {
  BcctlFixture f;
  f.add_context("prod", kAdminToken);
  import(f, "base@1", {{"etc/motd", "welcome\n"}});

  auto created = f.bcctl.run({"branch", "create", "berlin", "--subnet", "127.0.0.0/8", "--cap", "2.5MB", "--window",
                              "mon-fri 08:00-18:00 256KiB"});
  REQUIRE_MESSAGE(created.exit == 0, created.err);
  auto again = f.bcctl.run({"branch", "create", "berlin"});
  CHECK(again.exit == 4);
  CHECK(contains(again.err, "branch 'berlin' already exists"));
  REQUIRE(f.bcctl.run({"branch", "set", "berlin", "--cap", "80%"}).exit == 0);
  json branches = run_json(f, {"branch", "ls"});
  REQUIRE(branches.size() == 1);
  CHECK(branches[0]["subnets"] == json::array({"127.0.0.0/8"}));
  CHECK(branches[0]["wan_policy"]["default"]["download"] == json{{"percent", 80}});
  CHECK(branches[0]["wan_policy"]["windows"][0]["download"] == json{{"bytes_per_s", 262144}});
  auto table = f.bcctl.run({"branch", "ls"});
  CHECK(contains(table.out, "berlin  -       127.0.0.0/8  80%"));
  auto bad_window = f.bcctl.run({"branch", "set", "berlin", "--window", "someday 08:00-18:00 1MB"});
  CHECK(bad_window.exit == 1);
  CHECK(contains(bad_window.err, "WAN policy: windows[1].days[0]"));
  auto below_floor = f.bcctl.run({"branch", "set", "berlin", "--cap", "1000"});
  CHECK(below_floor.exit == 1);
  CHECK(contains(below_floor.err, "floor_bytes_per_s"));
  CHECK(f.bcctl.run({"branch", "set", "nowhere", "--cap", "1MB"}).exit == 2);
  // An operator may change the WAN policy alone, not the subnets.
  REQUIRE(f.bcctl.run({"branch", "set", "berlin", "--fallback", "deny"}).exit == 0);
  CHECK(run_json(f, {"branch", "ls"})[0]["wan_fallback"] == false);
  CHECK(f.bcctl.run({"branch", "set", "berlin", "--fallback", "sometimes"}).exit == 1);
  auto [op_token, op_id] = f.make_token("operator");
  f.add_context("op", op_token);
  auto op_cap = f.bcctl.run({"--context", "op", "branch", "set", "berlin", "--cap", "3MB"});
  CHECK_MESSAGE(op_cap.exit == 0, op_cap.err);
  CHECK(run_json(f, {"--context", "prod", "branch", "ls"})[0]["subnets"] == json::array({"127.0.0.0/8"}));
  CHECK(run_json(f, {"--context", "prod", "branch", "ls"})[0]["wan_fallback"] == false);
  auto op_subnet = f.bcctl.run({"--context", "op", "branch", "set", "berlin", "--subnet", "10.0.0.0/8"});
  CHECK(op_subnet.exit == 3);
  CHECK(contains(op_subnet.err, "this needs role admin"));
  auto bad_subnet = f.bcctl.run({"branch", "create", "x", "--subnet", "10.0.0.1/8"});
  CHECK(bad_subnet.exit == 4);
  CHECK(contains(bad_subnet.err, "tracker answered 400"));

  const std::string out = f.home / "ci.token";
  auto tok = f.bcctl.run({"token", "create", "admin", "--role", "viewer", "--name", "ci", "--out", out});
  REQUIRE_MESSAGE(tok.exit == 0, tok.err);
  CHECK(file_mode(out) == 0600);
  auto saved = read_small_file(out, 4096);
  REQUIRE(saved.ok());
  CHECK_FALSE(contains(tok.out, trim(*saved)));
  json enroll = run_json(f, {"token", "create", "enrollment", "--branch", "berlin", "--reusable"});
  CHECK(enroll["role"] == "endpoint");
  CHECK(contains(f.bcctl.run({"token", "ls"}).out, "ci"));

  REQUIRE(f.bcctl.run({"assign", "--branch", "berlin", "base@1"}).exit == 0);
  CHECK(run_json(f, {"assignments"})[0]["stack"] == json::array({"base@1"}));
  auto unknown = f.bcctl.run({"assign", "--branch", "berlin", "nope@9"});
  CHECK(unknown.exit != 0);
  CHECK(contains(unknown.err, "nope@9"));
  CHECK(f.bcctl.run({"assign", "base@1"}).exit == 1);  // no target

  auto key = SecretKey::generate();
  tracker::TrackerClient node(f.tracker.client_options(), &key, "", f.tracker.clock);
  REQUIRE(node.enroll(enroll["token"], {}).ok());
  REQUIRE(node.report_status({{"layers", {{{"ref", "base@1"}, {"state", "applied"}, {"bytes_done", 8}, {"bytes_total", 8}}}},
                              {"applied", {"base@1"}}})
              .ok());
  const std::string id = public_key_hex(key.public_key());
  auto nodes = f.bcctl.run({"node", "ls"});
  CHECK(contains(nodes.out, id.substr(0, 12) + "  endpoint  berlin"));
  const std::string line = nodes.out.substr(nodes.out.find(id.substr(0, 12)));
  const std::string row = line.substr(0, line.find('\n'));
  CHECK(contains(row, "s ago "));           // reported
  CHECK(row.ends_with(" base@1   -"));      // applied, no error
  CHECK(run_json(f, {"node", "ls"})["endpoints"][0]["id"] == id);
  auto show = f.bcctl.run({"node", "show", id.substr(0, 10)});
  REQUIRE(show.exit == 0);
  CHECK(contains(show.out, "applied:   base@1"));
  CHECK(f.bcctl.run({"node", "show", "ffffffffffff"}).exit == 2);
  REQUIRE(f.bcctl.run({"node", "revoke", id.substr(0, 10)}).exit == 0);
  CHECK(node.report_status({}).status().code() == Status::Code::permission_denied);

  json audit = run_json(f, {"audit", "--action", "branch"});
  REQUIRE(audit["entries"].size() == 4);  // branch.create, branch.wan_policy (admin), branch.update (fallback), branch.wan_policy (operator)
  for (const auto& e : audit["entries"]) CHECK(e["action"].get<std::string>().rfind("branch.", 0) == 0);
  CHECK(run_json(f, {"audit", "--actor", "token:bootstrap", "--limit", "3"})["entries"].size() == 3);
  CHECK(contains(f.bcctl.run({"audit", "--action", "node.revoke"}).out, "node.revoke"));
  REQUIRE(f.bcctl.run({"unassign", "--branch", "berlin"}).exit == 0);
  CHECK(run_json(f, {"assignments"}).empty());
}

TEST_CASE("rollout status: per-branch progress as a table and JSON, --watch appends lines off a tty and Ctrl-C exits 0") {
  BcctlFixture f("[status]\nsample_interval_s = 1\n");
  f.add_context("prod", kAdminToken);
  import(f, "base@1", {{"etc/motd", "welcome\n"}});
  REQUIRE(f.bcctl.run({"branch", "create", "berlin", "--subnet", "127.0.0.0/8", "--cap", "2.5MB"}).exit == 0);
  REQUIRE(f.bcctl.run({"assign", "--branch", "berlin", "base@1"}).exit == 0);
  auto k1 = SecretKey::generate(), k2 = SecretKey::generate();
  tracker::TrackerClient n1(f.tracker.client_options(), &k1, "", f.tracker.clock),
      n2(f.tracker.client_options(), &k2, "", f.tracker.clock);
  f.tracker.enroll_endpoint(n1);
  f.tracker.enroll_endpoint(n2);
  auto report = [](tracker::TrackerClient& n, const std::string& state, int64_t done) {
    REQUIRE(n.report_status({{"layers", {{{"ref", "base@1"}, {"state", state}, {"bytes_done", done}, {"bytes_total", 8}}}},
                             {"bytes_by_source", {{"origin", done}}}})
                .ok());
  };
  report(n1, "applied", 8);
  report(n2, "downloading", 2);

  json s = run_json(f, {"rollout", "status"});
  REQUIRE(s["branches"].size() == 1);
  const json& b = s["branches"][0];
  CHECK(b["cap_bytes_per_s"] == 2'500'000);
  CHECK(b["wan"]["bytes"] == 10);
  CHECK(b["layers"][0]["done"] == 1);
  CHECK(b["layers"][0]["total"] == 2);
  auto text = f.bcctl.run({"rollout", "status"});
  REQUIRE(text.exit == 0);
  CHECK(contains(text.out, "branch berlin"));
  CHECK(contains(text.out, "of 2.4 MiB/s cap"));
  CHECK(contains(text.out, "base@1  1/2"));
  CHECK(f.bcctl.run({"rollout", "status", "--branch", "nowhere"}).exit == 2);

  pid_t watch = f.bcctl.spawn({"rollout", "status", "--watch", "--interval", "0.2"}, "watch");
  CHECK(eventually([&] { return contains(f.bcctl.output_of("watch"), "berlin base@1 1/2 done"); }, 20'000));
  report(n2, "applied", 8);
  CHECK(eventually([&] { return contains(f.bcctl.output_of("watch"), "berlin base@1 2/2 done"); }, 20'000));
  // The sampler (every second) sees the WAN bytes grow: a rate appears.
  REQUIRE(::kill(watch, SIGINT) == 0);
  CHECK(Bcctl::wait_exit(watch, 10'000) == 0);
  CHECK(eventually([&] {
    auto h = f.tracker.admin.admin_json("GET", "/api/v1/status/history?branch=berlin");
    return h.ok() && (*h)["samples"].size() >= 2;
  }, 10'000, 100));
}
