// The control plane over TLS with real processes (docs/security.md, "Control
// plane"): bc-tracker serves HTTPS by default with its own CA's certificate;
// bc-endpoint and bc-reflector pin that CA at enrollment and refuse a tracker
// that does not match it, with an error that says so, before any secret is
// sent.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "endpoint/agent/endpoint_config.hpp"
#include "layers/pki/pki.hpp"
#include "reflector/agent/reflector_config.hpp"
#include "tests/integration/support/running_tracker.hpp"
#include "tests/support/tmp_dir.hpp"
#include "tracker/client/tracker_client.hpp"

using namespace bc;
using namespace bc::tracker;
using nlohmann::json;

namespace {
namespace fs = std::filesystem;
const std::string& kAdmin = test::kAdminToken;

// Runs a shell command with stdout+stderr into `log`; returns its exit code.
int sh(const std::string& cmd, const std::string& log) {
  int rc = std::system((cmd + " > '" + log + "' 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string fingerprint_of(const std::string& ca_file) {
  auto info = pki::inspect(test::read_file(ca_file));
  REQUIRE(info.ok());
  return info->fingerprint_sha256;
}

// A one-time endpoint token (and the branch 127/8 enrolls into).
std::string endpoint_token(TrackerClient& admin) {
  REQUIRE(admin.admin_json("PUT", "/api/v1/branches/hq", {{"subnets", {"127.0.0.0/8"}}}).ok());
  auto tok = admin.admin_json("POST", "/api/v1/enrollment-tokens", {{"role", "endpoint"}});
  REQUIRE_MESSAGE(tok.ok(), tok.status().to_string());
  return (*tok)["token"].get<std::string>();
}

// `bc-endpoint enroll` against `url` into `dir`; the exit code (output in `log`).
int enroll(const std::string& url, const std::string& token, const std::string& dir, const std::string& log,
           const std::string& extra = "") {
  fs::create_directories(dir + "-root");
  return sh(std::string(BC_ENDPOINT_BIN) + " enroll --tracker " + url + " --token " + token + " --dir " + dir +
                " --root " + dir + "-root --listen 127.0.0.1:0 " + extra,
            log);
}
}  // namespace

TEST_CASE("bc-tracker answers HTTPS by default with its CA's certificate, logs the CA fingerprint, serves the CA "
          "at /api/v1/tracker and answers plain HTTP on the same port with a 400 only") {
  test::RunningTracker t;
  REQUIRE(t.proc.url().rfind("https://", 0) == 0);
  auto info = t.admin.admin_json("GET", "/api/v1/tracker");  // checked against DATA/pki/ca.pem
  REQUIRE_MESSAGE(info.ok(), info.status().to_string());
  const std::string fp = fingerprint_of(t.proc.ca_file());
  CHECK((*info)["ca_cert"] == test::read_file(t.proc.ca_file()));
  CHECK((*info)["ca_fingerprint"] == fp);
  const std::string log = test::read_file(t.proc.log_path());
  CHECK_MESSAGE(log.find("CA fingerprint SHA256 " + pki::colon_fingerprint(fp)) != std::string::npos, log);
  CHECK(log.find("listening on https://127.0.0.1:" + std::to_string(t.port)) != std::string::npos);
  CHECK(log.find("INSECURE") == std::string::npos);

  std::string plain = test::raw_exchange(t.port, "GET /api/v1/tracker HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(test::status_of(plain) == 400);
  CHECK_MESSAGE(plain.find("speaks HTTPS only") != std::string::npos, plain);
  CHECK(plain.find("public_key") == std::string::npos);
}

TEST_CASE("bc-tracker serve --insecure-plain-http serves plain HTTP and says loudly that it does") {
  test::TmpDir tmp;
  test::TrackerProcess proc({tmp.path(), kAdmin, "", 0, 0, false, "127.0.0.1", {"--insecure-plain-http"}});
  const uint16_t port = proc.start();
  SystemClock clock;
  TrackerClient admin(test::local_client(port, ""), nullptr, kAdmin, clock);
  auto info = admin.admin_json("GET", "/api/v1/tracker");
  REQUIRE_MESSAGE(info.ok(), info.status().to_string());
  CHECK((*info)["ca_fingerprint"].get<std::string>().size() == 64);  // the CA exists for the swarm all the same
  const std::string log = test::read_file(proc.log_path());
  CHECK_MESSAGE(log.find("INSECURE: bc-tracker serves PLAIN HTTP") != std::string::npos, log);
  CHECK(log.find("listening on http://") != std::string::npos);
  // A node pinned to an https tracker cannot be fooled into plain HTTP: TLS to
  // this port fails, and says the tracker does not speak TLS.
  TrackerClient tls(test::local_client(port, proc.ca_file()), nullptr, kAdmin, clock);
  auto r = tls.admin_json("GET", "/api/v1/tracker");
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(r.status().message().find("does not speak TLS") != std::string::npos, r.status().to_string());
}

TEST_CASE("enroll trusts the CA on first use loudly, saves it, and the node then refuses a tracker of another "
          "CA with the pinned fingerprint in the error") {
  test::RunningTracker a;
  test::RunningTracker b;
  const std::string dir = a.tmp / "ep";
  REQUIRE_MESSAGE(enroll(a.proc.url(), endpoint_token(a.admin), dir, a.tmp / "enroll.log") == 0,
                  test::read_file(a.tmp / "enroll.log"));
  const std::string out = test::read_file(a.tmp / "enroll.log");
  const std::string fp_a = pki::colon_fingerprint(fingerprint_of(a.proc.ca_file()));
  CHECK_MESSAGE(out.find("TRUST ON FIRST USE") != std::string::npos, out);
  CHECK(out.find(fp_a) != std::string::npos);
  CHECK(test::read_file(dir + "/tracker-ca.pem") == test::read_file(a.proc.ca_file()));
  auto cfg = endpoint::load_config(dir);
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().to_string());
  CHECK(cfg->tracker_ca_file == dir + "/tracker-ca.pem");
  CHECK(cfg->tracker_url == a.proc.url());

  // The same node pointed at tracker b (another CA): every call is refused.
  HttpClient http(test::local_client(b.port, cfg->tracker_ca_file));
  auto r = http.request("GET", "/api/v1/tracker", "", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::permission_denied);
  const std::string want = "tracker at 127.0.0.1:" + std::to_string(b.port) +
                           " presents a certificate not issued by the pinned CA (SHA256 " + fp_a;
  CHECK_MESSAGE(r.status().message().find(want) != std::string::npos, r.status().to_string());
  // Enrolling again (into the same directory, no flags) keeps the pinned CA,
  // as it keeps the node key: tracker b is refused, not trusted anew.
  CHECK(enroll(b.proc.url(), endpoint_token(b.admin), dir, a.tmp / "again.log") == 1);
  CHECK_MESSAGE(test::read_file(a.tmp / "again.log").find(want) != std::string::npos,
                test::read_file(a.tmp / "again.log"));
  CHECK(test::read_file(dir + "/tracker-ca.pem") == test::read_file(a.proc.ca_file()));
  cfg->tracker_url = b.proc.url();
  REQUIRE(endpoint::save_config(dir, *cfg).ok());
  const std::string run_log = a.tmp / "run.log";
  sh(std::string(BC_ENDPOINT_BIN) + " run --dir " + dir + " --max-run-ms 3000", run_log);
  CHECK_MESSAGE(test::read_file(run_log).find("not issued by the pinned CA") != std::string::npos,
                test::read_file(run_log));
  CHECK(test::read_file(b.proc.log_path()).find("/api/v1/desired") == std::string::npos);
}

TEST_CASE("enroll with a wrong --tracker-ca-fingerprint fails before the token is sent; the right one (colon "
          "form) or --tracker-ca pins without a warning") {
  test::RunningTracker a;
  test::RunningTracker b;
  const std::string token = endpoint_token(a.admin);  // one use only
  const std::string wrong = fingerprint_of(b.proc.ca_file());
  const std::string dir = a.tmp / "ep";
  CHECK(enroll(a.proc.url(), token, dir, a.tmp / "wrong.log", "--tracker-ca-fingerprint " + wrong) == 1);
  const std::string out = test::read_file(a.tmp / "wrong.log");
  CHECK_MESSAGE(out.find("not the pinned " + pki::colon_fingerprint(wrong)) != std::string::npos, out);
  CHECK(out.find("the token was not sent") != std::string::npos);
  CHECK_FALSE(fs::exists(dir + "/endpoint.toml"));
  CHECK_FALSE(fs::exists(dir + "/tracker-ca.pem"));
  CHECK(test::read_file(a.proc.log_path()).find("/api/v1/enroll ") == std::string::npos);

  // The CA file of another tracker fails at the handshake, naming that CA.
  CHECK(enroll(a.proc.url(), token, dir, a.tmp / "other.log", "--tracker-ca " + b.proc.ca_file()) == 1);
  CHECK_MESSAGE(test::read_file(a.tmp / "other.log").find("not issued by the pinned CA") != std::string::npos,
                test::read_file(a.tmp / "other.log"));
  CHECK(test::read_file(a.proc.log_path()).find("/api/v1/enroll ") == std::string::npos);

  // The one-time token is still unused: the right fingerprint enrolls with it.
  const std::string right = pki::colon_fingerprint(fingerprint_of(a.proc.ca_file()));
  REQUIRE_MESSAGE(enroll(a.proc.url(), token, dir, a.tmp / "right.log", "--tracker-ca-fingerprint " + right) == 0,
                  test::read_file(a.tmp / "right.log"));
  CHECK(test::read_file(a.tmp / "right.log").find("TRUST ON FIRST USE") == std::string::npos);
  CHECK(test::read_file(dir + "/tracker-ca.pem") == test::read_file(a.proc.ca_file()));
  const std::string dir2 = a.tmp / "ep2";
  REQUIRE_MESSAGE(enroll(a.proc.url(), endpoint_token(a.admin), dir2, a.tmp / "file.log",
                         "--tracker-ca " + a.proc.ca_file()) == 0,
                  test::read_file(a.tmp / "file.log"));
}

TEST_CASE("a tracker certificate that does not name the host dialled is refused, naming both; tls_names fixes it") {
  test::TmpDir tmp;
  test::TrackerProcess proc({tmp.path(), kAdmin, "", 0, 0, false, "0.0.0.0", {}});
  uint16_t port = proc.start();
  SystemClock clock;
  auto o = test::local_client(port, proc.ca_file());
  o.host = "127.0.0.2";  // reaches the 0.0.0.0 listener; not among the local addresses the certificate names
  HttpClient http(o);
  auto r = http.request("GET", "/api/v1/tracker", "", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::permission_denied);
  CHECK_MESSAGE(r.status().message().find("which does not name 127.0.0.2") != std::string::npos,
                r.status().to_string());
  CHECK(r.status().message().find("127.0.0.1") != std::string::npos);  // what it does name
  const std::string url = "https://127.0.0.2:" + std::to_string(port);
  CHECK(enroll(url, "unused-token", tmp / "ep", tmp / "enroll.log", "--tracker-ca " + proc.ca_file()) == 1);
  CHECK(test::read_file(tmp / "enroll.log").find("does not name 127.0.0.2") != std::string::npos);

  CHECK(proc.stop() == 0);
  std::string conf = test::read_file(tmp / "tracker.toml");
  conf.replace(conf.find("port_file"), 0, "tls_names = [\"127.0.0.2\"]\n");
  test::write_file(tmp / "tracker.toml", conf);
  port = proc.start();
  o.port = port;
  HttpClient again(o);
  auto ok = again.request("GET", "/api/v1/tracker", "", {});
  REQUIRE_MESSAGE(ok.ok(), ok.status().to_string());
  CHECK(ok->status == 200);
}

TEST_CASE("bc-reflector init pins the CA by fingerprint and refuses a wrong one without writing anything") {
  test::RunningTracker a;
  auto info = a.admin.admin_json("GET", "/api/v1/tracker");
  REQUIRE(info.ok());
  const std::string pk = (*info)["public_key"];
  auto init = [&](const std::string& name, const std::string& fp) {
    return sh(std::string(BC_REFLECTOR_BIN) + " init --config " + a.tmp / (name + ".toml") + " --tracker-url " +
                  a.proc.url() + " --tracker-ca-fingerprint " + fp + " --tracker-public-key " + pk + " --key " +
                  a.tmp / (name + ".key") + " --cache-dir " + a.tmp / name + " --quota-bytes 1000000",
              a.tmp / (name + ".log"));
  };
  CHECK(init("bad", std::string(64, 'a')) == 1);
  CHECK(test::read_file(a.tmp / "bad.log").find("not the pinned") != std::string::npos);
  CHECK_FALSE(fs::exists(a.tmp / "bad.toml"));
  CHECK_FALSE(fs::exists(a.tmp / "bad.key"));
  REQUIRE_MESSAGE(init("good", fingerprint_of(a.proc.ca_file())) == 0, test::read_file(a.tmp / "good.log"));
  auto c = reflector::load_reflector_config(a.tmp / "good.toml");
  REQUIRE_MESSAGE(c.ok(), c.status().to_string());
  CHECK(c->tracker_ca_file == a.tmp / "good/tracker-ca.pem");
  CHECK(test::read_file(c->tracker_ca_file) == test::read_file(a.proc.ca_file()));
}
