#include <doctest/doctest.h>

#include "tracker/config/config.hpp"

using namespace bc::tracker;

namespace {
const char* kMinimal = R"(
[storage]
data_dir = "data"
[auth]
signing_key = "/etc/bc/tracker.key"
)";

std::string error_of(const std::string& text) {
  auto c = parse_config(text, "/base");
  return c.ok() ? "" : c.status().message();
}
}  // namespace

TEST_CASE("a minimal config gets defaults and relative paths resolve against the config's directory") {
  auto c = parse_config(kMinimal, "/base");
  REQUIRE(c.ok());
  CHECK(c->data_dir == "/base/data");
  CHECK(c->signing_key_file == "/etc/bc/tracker.key");
  CHECK(c->server.listen_address == "127.0.0.1");
  CHECK(c->server.port == 0);
  CHECK(c->server.max_body_bytes == (1u << 20));
  CHECK(c->api.max_clock_skew_s == 300);
  CHECK_FALSE(c->server.tls());
}

TEST_CASE("a full config sets every section's values") {
  auto c = parse_config(std::string(kMinimal) + R"(
[server]
listen = "::1"
port = 8443
port_file = "run/port"
tls_cert = "cert.pem"
tls_key = "key.pem"
worker_threads = 8
[limits]
max_body_bytes = 4096
max_list_items = 10
max_long_poll_s = 5
[log]
level = "debug"
)", "/base");
  REQUIRE(c.ok());
  CHECK(c->server.port == 8443);
  CHECK(c->port_file == "/base/run/port");
  CHECK(c->server.tls_cert_file == "/base/cert.pem");
  CHECK(c->server.worker_threads == 8);
  CHECK(c->server.max_body_bytes == 4096);
  CHECK(c->api.max_list_items == 10);
  CHECK(c->api.max_long_poll_s == 5);
  CHECK(c->log_level == "debug");
}

TEST_CASE("config errors name the key: unknown keys, wrong types, ranges, missing and paired fields") {
  CHECK(error_of(std::string(kMinimal) + "[server]\nprot = 1\n").find("unknown key server.prot") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[bogus]\n").find("unknown section [bogus]") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[server]\nport = \"80\"\n").find("server.port must be an integer") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[server]\nport = 70000\n").find("server.port = 70000 is outside") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[server]\nlisten = \"localhost\"\n").find("not an IP address") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[server]\ntls_cert = \"c.pem\"\n").find("tls_cert and server.tls_key") != std::string::npos);
  CHECK(error_of("[auth]\nsigning_key = \"k\"\n").find("storage.data_dir is required") != std::string::npos);
  CHECK(error_of("[storage]\ndata_dir = \"d\"\n").find("auth.signing_key is required") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[log]\nlevel = \"loud\"\n").find("log.level") != std::string::npos);
  CHECK(error_of("[storage\n").find("TOML syntax error at line 1") != std::string::npos);
}

TEST_CASE("the origin section sets the origin seed and bad origin values name the key") {
  auto c = parse_config(std::string(kMinimal) + R"(
[origin]
enabled = true
listen = "127.0.0.1:0"
upload_limit_bytes_per_s = 4194304
announce_key = "origin-key-0123456789"
web_seeds = ["http://cdn.example/origin", "https://cdn2.example/o/"]
)", "/base");
  REQUIRE_MESSAGE(c.ok(), c.status().to_string());
  CHECK(c->origin.enabled);
  CHECK(c->origin.listen == "127.0.0.1:0");
  CHECK(c->origin.upload_limit_bytes_per_s == 4194304);
  CHECK(c->origin.announce_key == "origin-key-0123456789");
  CHECK(c->origin.web_seeds.size() == 2);
  CHECK(c->origin.state_dir == "/base/data/origin-swarm");

  auto off = parse_config(kMinimal, "/base");
  REQUIRE(off.ok());
  CHECK_FALSE(off->origin.enabled);

  CHECK(error_of(std::string(kMinimal) + "[origin]\nenabled = 1\n").find("origin.enabled") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[origin]\nupload_limit_bytes_per_s = -5\n")
            .find("origin.upload_limit_bytes_per_s") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[origin]\nweb_seeds = \"http://x\"\n").find("origin.web_seeds") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[origin]\nweb_seeds = [\"ftp://x\"]\n").find("web_seeds") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[origin]\nenabled = true\nlisten = \"6881\"\n").find("listen") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[origin]\nbogus = 1\n").find("unknown key origin.bogus") !=
        std::string::npos);
}

TEST_CASE("the announce section sets the intervals told to clients and the peer timeout follows the interval") {
  auto d = parse_config(kMinimal, "/base");
  REQUIRE(d.ok());
  CHECK(d->bt.interval_s == 1800);
  CHECK(d->bt.min_interval_s == 60);
  CHECK(d->bt.registry.peer_timeout_s == 3900);
  CHECK(d->bt.registry.swarm.handout_interval_s == 1800);
  auto c = parse_config(std::string(kMinimal) + R"(
[announce]
interval_s = 600
min_interval_s = 30
default_numwant = 20
max_numwant = 100
)", "/base");
  REQUIRE_MESSAGE(c.ok(), c.status().to_string());
  CHECK(c->bt.interval_s == 600);
  CHECK(c->bt.min_interval_s == 30);
  CHECK(c->bt.default_numwant == 20);
  CHECK(c->bt.max_numwant == 100);
  CHECK(c->bt.registry.peer_timeout_s == 2 * 600 + 300);
  CHECK(c->bt.registry.swarm.handout_interval_s == 600);
  auto t = parse_config(std::string(kMinimal) + "[announce]\ninterval_s = 600\npeer_timeout_s = 700\n", "/base");
  REQUIRE(t.ok());
  CHECK(t->bt.registry.peer_timeout_s == 700);
}

TEST_CASE("bad announce values are refused naming the key") {
  auto with = [](const std::string& body) { return error_of(std::string(kMinimal) + "[announce]\n" + body); };
  CHECK(with("interval_s = 5\n").find("announce.interval_s = 5 is outside") != std::string::npos);
  CHECK(with("interval_s = \"1800\"\n").find("announce.interval_s must be an integer") != std::string::npos);
  CHECK(with("interval_s = 600\nmin_interval_s = 900\n").find("min_interval_s must not exceed interval_s") !=
        std::string::npos);
  CHECK(with("interval_s = 600\npeer_timeout_s = 600\n").find("peer_timeout_s must exceed interval_s") !=
        std::string::npos);
  CHECK(with("default_numwant = 300\nmax_numwant = 200\n").find("default_numwant <= max_numwant") != std::string::npos);
  CHECK(with("intervall_s = 600\n").find("unknown key announce.intervall_s") != std::string::npos);
}

TEST_CASE("the pki section bounds the node certificate lifetime and names the key when it is out of range") {
  auto d = parse_config(kMinimal, "/base");
  REQUIRE(d.ok());
  CHECK(d->pki.node_cert_lifetime_s == 3600);
  CHECK_FALSE(d->pki.insecure_plain_torrents);
  auto c = parse_config(std::string(kMinimal) + "[pki]\nnode_cert_lifetime_s = 300\ninsecure_plain_torrents = true\n", "/base");
  REQUIRE(c.ok());
  CHECK(c->pki.node_cert_lifetime_s == 300);
  CHECK(c->pki.insecure_plain_torrents);
  CHECK(error_of(std::string(kMinimal) + "[pki]\nnode_cert_lifetime_s = 299\n").find("pki.node_cert_lifetime_s") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[pki]\nnode_cert_lifetime_s = 604801\n").find("outside") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[pki]\ninsecure_plain_torrents = 1\n").find("must be a boolean") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[pki]\nlifetime = 1\n").find("unknown key pki.lifetime") != std::string::npos);
}

TEST_CASE("HTTPS is the default; tls_names add certificate names; insecure_plain_http is explicit and exclusive") {
  auto c = parse_config(kMinimal, "/base");
  REQUIRE(c.ok());
  CHECK_FALSE(c->insecure_plain_http);  // no tls_cert: TrackerApp serves its CA's certificate
  CHECK(c->tls_names.empty());
  auto named = parse_config(std::string("[server]\ntls_names = [\"tracker.corp\", \"10.1.2.3\"]\n") + kMinimal, "/b");
  REQUIRE_MESSAGE(named.ok(), named.status().to_string());
  CHECK(named->tls_names == std::vector<std::string>{"tracker.corp", "10.1.2.3"});
  auto plain = parse_config(std::string("[server]\ninsecure_plain_http = true\n") + kMinimal, "/b");
  REQUIRE(plain.ok());
  CHECK(plain->insecure_plain_http);
  CHECK(error_of(std::string("[server]\ninsecure_plain_http = 1\n") + kMinimal).find("insecure_plain_http") !=
        std::string::npos);
  CHECK(error_of(std::string("[server]\ntls_names = \"x\"\n") + kMinimal).find("tls_names") != std::string::npos);
  CHECK(error_of(std::string("[server]\ntls_names = [\"a b\"]\n") + kMinimal).find("tls_names") != std::string::npos);
  std::string both = std::string("[server]\ninsecure_plain_http = true\ntls_cert = \"c\"\ntls_key = \"k\"\n") + kMinimal;
  CHECK(error_of(both).find("contradicts") != std::string::npos);
}
