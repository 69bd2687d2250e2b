// bcctl's contexts and trust against the real bc-tracker over HTTPS: the CA
// pinned by fingerprint, by file or on first use; a tracker that is not the
// pinned one refused before the token goes out; wrong contexts, revoked
// tokens and a viewer's operator action refused with a precise message and
// the exit code of their class.
#include "tests/ctl/bcctl_fixture.hpp"
#include "tests/support/poll.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;

TEST_CASE("context add pins the tracker's CA, the config is 0600, ls never shows the token, use and rm work") {
  BcctlFixture f;
  f.add_context("prod", kAdminToken);
  CHECK(file_mode(f.bcctl.config()) == 0600);
  auto ls = f.bcctl.run({"context", "ls"});
  REQUIRE(ls.exit == 0);
  CHECK(contains(ls.out, "prod"));
  CHECK(contains(ls.out, f.tracker.proc.url()));
  CHECK_FALSE(contains(ls.out, kAdminToken));
  auto js = f.bcctl.run({"context", "ls", "-o", "json"});
  REQUIRE(js.exit == 0);
  CHECK_FALSE(contains(js.out, kAdminToken));
  json list = json::parse(js.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["current"] == true);
  CHECK(pki::colon_fingerprint(list[0]["ca_fingerprint"]) == f.ca_fingerprint());

  // Trust on first use: accepted, with the loud warning naming the fingerprint.
  auto tofu = f.bcctl.run({"context", "add", "tofu", "--tracker", f.tracker.proc.url(), "--token-file",
                           f.token_file("tofu", kAdminToken)});
  REQUIRE_MESSAGE(tofu.exit == 0, tofu.err);
  CHECK(contains(tofu.err, "ON FIRST USE"));
  CHECK(contains(tofu.err, f.ca_fingerprint()));
  // By file: no warning.
  auto byfile = f.bcctl.run({"context", "add", "file", "--tracker", f.tracker.proc.url(), "--ca",
                             f.tracker.proc.ca_file(), "--token-file", f.token_file("file", kAdminToken)});
  REQUIRE_MESSAGE(byfile.exit == 0, byfile.err);
  CHECK_FALSE(contains(byfile.err, "FIRST USE"));

  REQUIRE(f.bcctl.run({"context", "use", "tofu"}).exit == 0);
  CHECK(json::parse(f.bcctl.run({"context", "ls", "-o", "json"}).out)[2]["current"] == true);  // sorted: file, prod, tofu
  CHECK(f.bcctl.run({"--context", "prod", "layer", "ls"}).exit == 0);
  REQUIRE(f.bcctl.run({"context", "rm", "tofu"}).exit == 0);
  auto none = f.bcctl.run({"layer", "ls"});  // the current context is gone
  CHECK(none.exit == 1);
  CHECK(contains(none.err, "no current context"));

  auto wrong = f.bcctl.run({"--context", "staging", "layer", "ls"});
  CHECK(wrong.exit == 1);
  CHECK(contains(wrong.err, "context 'staging' does not exist (known: file, prod)"));

  REQUIRE(::chmod(f.bcctl.config().c_str(), 0644) == 0);
  auto open = f.bcctl.run({"--context", "prod", "layer", "ls"});
  CHECK(open.exit == 1);
  CHECK(contains(open.err, "chmod 600"));
}

TEST_CASE("a tracker whose CA is not the pinned one is refused before the token is sent, with exit 5") {
  BcctlFixture f;
  TmpDir other_dir;
  TrackerProcess other({other_dir.path(), "other-tracker-admin-token-0123", ""});
  other.start();
  const std::string other_url = other.url();

  auto by_fp = f.bcctl.run({"context", "add", "evil", "--tracker", other_url, "--ca-fingerprint", f.ca_fingerprint(),
                            "--token-file", f.token_file("evil", kAdminToken)});
  CHECK(by_fp.exit == 5);
  CHECK(contains(by_fp.err, "not the pinned " + f.ca_fingerprint()));
  auto by_file = f.bcctl.run({"context", "add", "evil", "--tracker", other_url, "--ca", f.tracker.proc.ca_file(),
                              "--token-file", f.token_file("evil", kAdminToken)});
  CHECK(by_file.exit == 5);
  CHECK(contains(by_file.err, "not issued by the pinned CA"));
  CHECK(contains(by_file.err, "context evil not saved"));
  CHECK_FALSE(contains(f.bcctl.run({"context", "ls"}).out, "evil"));

  // Re-adding an existing name against the wrong tracker (trust on first use,
  // the token refused there) leaves the pinned CA of the old context alone.
  f.add_context("prod", kAdminToken);
  const std::string prod_ca = f.home / "prod-ca.pem";
  auto before = read_small_file(prod_ca, 1 << 20);
  REQUIRE(before.ok());
  auto replaced = f.bcctl.run({"context", "add", "prod", "--tracker", other_url, "--token-file",
                               f.token_file("prod2", kAdminToken)});
  CHECK(replaced.exit == 3);
  CHECK(contains(replaced.err, "context prod not saved: tracker answered 401"));
  CHECK(*read_small_file(prod_ca, 1 << 20) == *before);
  CHECK(f.bcctl.run({"--context", "prod", "layer", "ls"}).exit == 0);

  // A context that was right stops working when its tracker goes away: unreachable, exit 5.
  auto tok = f.token_file("gone", "other-tracker-admin-token-0123");
  REQUIRE(f.bcctl.run({"context", "add", "gone", "--tracker", other_url, "--ca", other.ca_file(), "--token-file", tok})
              .exit == 0);
  other.stop();
  auto gone = f.bcctl.run({"--context", "gone", "layer", "ls"});
  CHECK(gone.exit == 5);
  CHECK_FALSE(gone.err.empty());
}

TEST_CASE("a viewer is refused an operator action, a revoked or wrong token everything, each with the API's message") {
  BcctlFixture f;
  f.add_context("admin", kAdminToken);
  std::string layer = make_layer_dir(f.tracker.tmp.path(), "base@1", {{"etc/motd", "hi\n"}});
  REQUIRE(f.tracker.admin.admin_json("POST", "/api/v1/layers/import", {{"dir", layer}}).ok());
  auto [viewer, viewer_id] = f.make_token("viewer");
  f.add_context("viewer", viewer);

  CHECK(f.bcctl.run({"--context", "viewer", "layer", "ls"}).exit == 0);
  auto refused = f.bcctl.run({"--context", "viewer", "layer", "retire", "base@1"});
  CHECK(refused.exit == 3);
  CHECK(contains(refused.err, "tracker answered 403: this needs role operator; token " + viewer_id + " has role viewer"));
  CHECK(json::parse(f.bcctl.run({"--context", "admin", "layer", "inspect", "base@1", "-o", "json"}).out)["retired"] == false);

  REQUIRE(f.tracker.admin.admin_json("DELETE", "/api/v1/tokens/" + viewer_id).ok());
  auto revoked = f.bcctl.run({"--context", "viewer", "layer", "ls"});
  CHECK(revoked.exit == 3);
  CHECK(contains(revoked.err, "tracker answered 401: unknown or revoked admin token"));

  auto bad = f.bcctl.run({"context", "add", "bad", "--tracker", f.tracker.proc.url(), "--ca-fingerprint",
                          f.ca_fingerprint(), "--token-file", f.token_file("bad", "not-a-real-token-000000")});
  CHECK(bad.exit == 3);
  CHECK(contains(bad.err, "context bad not saved"));
  // BCCTL_TOKEN overrides the context's token.
  auto env = f.bcctl.run({"--context", "admin", "layer", "ls"}, {{"BCCTL_TOKEN", "not-a-real-token-000000"}});
  CHECK(env.exit == 3);
  // The token never reaches output, even in errors.
  CHECK_FALSE(contains(refused.err + revoked.err + bad.err, viewer));

  // An expired token: refused with the reason, exit 3.
  auto made = f.bcctl.run({"--context", "admin", "token", "create", "admin", "--role", "viewer", "--expires-in", "1",
                           "-o", "json"});
  REQUIRE(made.exit == 0);
  const std::string short_lived = json::parse(made.out)["token"];
  BcctlRun expired;
  CHECK(eventually(
      [&] {
        expired = f.bcctl.run({"--context", "admin", "layer", "ls"}, {{"BCCTL_TOKEN", short_lived}});
        return expired.exit != 0;
      },
      15'000, 200));
  CHECK(expired.exit == 3);
  CHECK(contains(expired.err, "expired at unix time"));
  CHECK_FALSE(contains(expired.err, short_lived));
}
