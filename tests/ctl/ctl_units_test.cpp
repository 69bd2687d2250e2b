// bcctl's pure parts: WAN flags to a policy document, the config file,
// tables and the rollout views.
#include <doctest/doctest.h>

#include <sstream>
#include <sys/stat.h>

#include "ctl/cli/ctl_config.hpp"
#include "ctl/cli/rollout_view.hpp"
#include "ctl/cli/table.hpp"
#include "ctl/cli/wan_flags.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::ctl;
using nlohmann::json;

TEST_CASE("rates parse as bytes per second, shares or none, and anything else names the flag") {
  CHECK(*parse_rate("2500000", "--cap") == json{{"bytes_per_s", 2500000}});
  CHECK(*parse_rate("2.5MB", "--cap") == json{{"bytes_per_s", 2500000}});
  CHECK(*parse_rate("512KiB", "--cap") == json{{"bytes_per_s", 524288}});
  CHECK(*parse_rate("80%", "--cap") == json{{"percent", 80.0}});
  CHECK(parse_rate("none", "--cap")->is_null());
  for (const char* bad : {"", "fast", "-5", "0", "10 MB", "5XB", "120%"}) {
    auto r = parse_rate(bad, "--cap");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().rfind("--cap ", 0) == 0);
  }
}

TEST_CASE("the WAN flags change only what they name, and a policy nodes would refuse is refused here") {
  WanFlags f;
  f.cap = "2.5MB";
  f.windows = {"mon-fri 08:00-18:00 256KiB"};
  auto p = apply_wan_flags(nullptr, f);
  REQUIRE(p.ok());
  CHECK((*p)["schema"] == 1);
  CHECK((*p)["default"]["download"] == json{{"bytes_per_s", 2500000}});
  CHECK((*p)["windows"][0] == json{{"days", {"mon-fri"}}, {"start", "08:00"}, {"end", "18:00"},
                                   {"download", {{"bytes_per_s", 262144}}}});
  WanFlags g;
  g.upload_cap = "1MB";
  auto q = apply_wan_flags(*p, g);
  REQUIRE(q.ok());
  CHECK((*q)["default"]["download"] == json{{"bytes_per_s", 2500000}});  // kept
  CHECK((*q)["windows"].size() == 1);
  WanFlags clear;
  clear.clear_windows = true;
  clear.cap = "none";
  auto c = apply_wan_flags(*q, clear);
  REQUIRE(c.ok());
  CHECK_FALSE(c->contains("windows"));
  CHECK_FALSE((*c)["default"].contains("download"));
  WanFlags bad;
  bad.windows = {"mon-fri 18:00-18:00 1MB"};
  auto r = apply_wan_flags(nullptr, bad);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("windows[0]: start equals end") != std::string::npos);
  CHECK_FALSE(parse_window("mon-fri 08:00 1MB").ok());
  WanFlags none;
  none.no_policy = true;
  CHECK(apply_wan_flags(*p, none)->is_null());
}

TEST_CASE("the config round-trips at mode 0600, is refused when others can read it, and names unknown contexts") {
  test::TmpDir tmp;
  const std::string path = tmp / "sub/bcctl.toml";
  auto empty = load_config(path);
  REQUIRE(empty.ok());
  CHECK(empty->contexts.empty());
  CtlConfig c;
  c.current = "prod";
  c.contexts["prod"] = {"https://t:8443", "/x/prod-ca.pem", "ab", "secret-token-123", false};
  c.contexts["lab"] = {"http://127.0.0.1:1", "", "", "t2", true};
  REQUIRE(save_config(path, c).ok());
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto back = load_config(path);
  REQUIRE(back.ok());
  CHECK(back->current == "prod");
  CHECK(back->contexts["prod"].token == "secret-token-123");
  CHECK(back->contexts["lab"].insecure_plain_http);
  auto missing = pick_context(*back, "qa");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().rfind("context 'qa' does not exist (known: lab, prod)", 0) == 0);
  CHECK(pick_context(*back, "")->tracker == "https://t:8443");
  CHECK_FALSE(check_context_name("a b").ok());
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  auto open = load_config(path);
  REQUIRE_FALSE(open.ok());
  CHECK(open.status().message().find("chmod 600") != std::string::npos);
}

TEST_CASE("tables align columns by code points, and the small formatters read well") {
  Table t({"A", "LONGER"});
  t.row({"wide-cell", "x"});
  t.row({"ü", "y"});
  std::ostringstream out;
  t.print(out);
  CHECK(out.str() == "A          LONGER\nwide-cell  x\nü          y\n");
  CHECK(human_bytes(812) == "812 B");
  CHECK(human_bytes(1536) == "1.5 KiB");
  CHECK(progress_bar(0.5, 10) == "[#####.....]");
  CHECK(progress_bar(7, 4) == "[####]");
  CHECK(human_age(100, 130) == "30s ago");
  CHECK(utc_time(1'800'000'000) == "2027-01-15 08:00:00Z");
}

TEST_CASE("the rollout views show progress, the cap and ETA, and the line form one line per layer") {
  json s = {{"time", 1'800'000'000},
            {"branches", {{{"name", "berlin"}, {"cap_bytes_per_s", 2621440}, {"window", "daily 08:00-18:00"},
                           {"reflectors", {{"alive", 1}, {"total", 2}}}, {"endpoints", 3},
                           {"wan", {{"bytes", 1048576}, {"rate_bytes_per_s", 1048576.0}}},
                           {"bytes_by_source", {{"origin", 1048576}, {"reflector", 0}, {"peer", 0}}},
                           {"layers", {{{"ref", "base@2"}, {"done", 1}, {"total", 3}, {"downloading", 2}, {"failed", 0},
                                        {"bytes_done", 10}, {"bytes_total", 30}, {"eta_s", 12.4}}}},
                           {"errors", {{{"node", "abcdef0123456789"}, {"error", "disk full"}, {"time", 1'800'000'000}}}},
                           {"stragglers", {"abcdef0123456789"}}}}}};
  const std::string full = render_rollout(s, "");
  CHECK(full.find("branch berlin  reflectors 1/2 alive  endpoints 3") != std::string::npos);
  CHECK(full.find("WAN 1.0 MiB/s of 2.5 MiB/s cap [window daily 08:00-18:00]") != std::string::npos);
  CHECK(full.find("base@2  1/3   [########................]  10 B / 30 B") != std::string::npos);
  CHECK(full.find("12s") != std::string::npos);
  CHECK(full.find("error abcdef012345 at 2027-01-15 08:00:00Z: disk full") != std::string::npos);
  CHECK(full.find("stragglers: abcdef012345") != std::string::npos);
  CHECK(render_rollout(s, "paris").find("berlin") == std::string::npos);
  const std::string lines = render_rollout_lines(s, "");
  CHECK(lines.find("2027-01-15 08:00:00Z berlin base@2 1/3 done, 10 B / 30 B, eta 12s\n") != std::string::npos);
}
