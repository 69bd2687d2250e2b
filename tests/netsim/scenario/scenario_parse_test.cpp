#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "netsim/scenario/scenario_parse.hpp"
#include "netsim/topo/topology_spec.hpp"

namespace bc::netsim {
namespace {

const std::string kMinimal = R"(
name = "t"
duration_s = 60
[[branches]]
name = "a"
reflectors = 1
endpoints = 2
[branches.wan]
down_mbit = 20
up_mbit = 10
rtt_ms = 40
[[layers]]
name = "base"
size_mib = 256
v2_change_ratio = 0.05
[[assignments]]
at_s = 1.5
layer = "base"
)";

// The error message of parsing kMinimal with `from` replaced by `to`.
std::string error_after(const std::string& from, const std::string& to) {
  std::string text = kMinimal;
  auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  auto s = parse_scenario(text);
  REQUIRE_FALSE(s.ok());
  return std::string(s.status().message());
}

TEST_CASE("a minimal scenario parses with units converted to bytes and ms") {
  auto s = parse_scenario(kMinimal);
  REQUIRE(s.ok());
  CHECK(s->name == "t");
  CHECK(s->duration_ms == 60'000);
  REQUIRE(s->branches.size() == 1);
  CHECK(s->branches[0].wan.down_bytes_per_s == 2'500'000);
  CHECK(s->branches[0].wan.up_bytes_per_s == 1'250'000);
  CHECK(s->branches[0].wan.rtt_ms == 40);
  CHECK(s->branches[0].reflector_name(1) == "a-r1");
  CHECK(s->branches[0].endpoint_name(2) == "a-e2");
  CHECK(s->layers[0].size_bytes == 256ull << 20);
  CHECK(*s->layers[0].v2_change_ratio == doctest::Approx(0.05));
  CHECK(s->assignments[0].at_ms == 1500);
  CHECK(s->assignments[0].version == 1);
  CHECK(s->assignments[0].branches.empty());
}

TEST_CASE("scenario errors name the field path and the reason") {
  CHECK(error_after("rtt_ms = 40", "rtt_ms = 0") == "branches[0].wan.rtt_ms: must be > 0");
  CHECK(error_after("rtt_ms = 40", "rtt_ms = \"fast\"") == "branches[0].wan.rtt_ms: must be a number");
  CHECK(error_after("rtt_ms = 40", "") == "branches[0].wan.rtt_ms: missing");
  CHECK(error_after("down_mbit = 20", "down_mbit = -3") == "branches[0].wan.down_mbit: must be >= 0 and in range");
  CHECK(error_after("endpoints = 2", "endpoints = 2\ncolour = 1") == "branches[0].colour: unknown field");
  CHECK(error_after("name = \"a\"", "name = \"A_1\"") == "branches[0].name: must be 1..12 of [a-z0-9], not \"dc\"");
  CHECK(error_after("layer = \"base\"", "layer = \"nope\"") == "assignments[0].layer: no layer \"nope\"");
  CHECK(error_after("v2_change_ratio = 0.05", "v2_change_ratio = 1.5") == "layers[0].v2_change_ratio: must be in (0, 1]");
  CHECK(error_after("at_s = 1.5", "at_s = 61") == "assignments[0].at_s: must be in [0, duration_s]");
  CHECK(error_after("at_s = 1.5", "at_s = 1.5\nversion = 3") == "assignments[0].version: must be 1 or 2");
  CHECK(error_after("reflectors = 1\nendpoints = 2", "reflectors = 0") == "branches[0]: has no reflector and no endpoint");
  CHECK(error_after("reflectors = 1", "reflectors = 65") == "branches[0].reflectors: must be <= 64");
}

TEST_CASE("a realistic layer parses; the random-only keys and bad subtrees are refused with their paths") {
  const std::string realistic = "name = \"base\"\ncontent = \"realistic\"\nv2 = \"upgrade\"\nsubtree = \"usr/share\"";
  std::string text = kMinimal;
  text.replace(text.find("name = \"base\"\nsize_mib = 256\nv2_change_ratio = 0.05"),
               std::string("name = \"base\"\nsize_mib = 256\nv2_change_ratio = 0.05").size(), realistic);
  auto s = parse_scenario(text);
  REQUIRE_MESSAGE(s.ok(), s.status().to_string());
  CHECK(s->layers[0].content == LayerContent::realistic);
  CHECK(s->layers[0].v2_upgrade);
  CHECK(s->layers[0].has_v2());
  CHECK(s->layers[0].subtree == "usr/share");
  CHECK(s->layers[0].subset_fraction == 1.0);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    auto r = parse_scenario(t);
    REQUIRE_FALSE(r.ok());
    return std::string(r.status().message());
  };
  const std::string why = "not used with content = \"realistic\" (the Debian root decides the content)";
  CHECK(with("v2 = \"upgrade\"", "size_mib = 8") == "layers[0].size_mib: " + why);
  CHECK(with("v2 = \"upgrade\"", "v2_change_ratio = 0.1") ==
        "layers[0].v2_change_ratio: " + why + "; use v2 = \"upgrade\"");
  CHECK(with("v2 = \"upgrade\"", "v2 = \"later\"") ==
        "layers[0].v2: must be \"upgrade\" (the same subtree of the upgraded root)");
  CHECK(with("content = \"realistic\"", "content = \"real\"") == "layers[0].content: must be \"random\" or \"realistic\"");
  CHECK(with("usr/share", "usr/../etc") == "layers[0].subtree: must not hold empty, . or .. parts");
  CHECK(with("\"usr/share\"", "\"/usr\"") ==
        "layers[0].subtree: must be a relative directory of at most 255 bytes, without a leading or trailing /");
  // A random layer still needs its size, and cannot take the realistic keys.
  CHECK(error_after("size_mib = 256\n", "") == "layers[0].size_mib: missing");
  CHECK(error_after("v2_change_ratio = 0.05", "v2 = \"upgrade\"") ==
        "layers[0].v2: \"upgrade\" only with content = \"realistic\"; use v2_change_ratio");
  CHECK(error_after("v2_change_ratio = 0.05", "subtree = \"usr\"") == "layers[0].subtree: only with content = \"realistic\"");
}

TEST_CASE("TOML syntax errors report line and column") {
  auto s = parse_scenario("name = \"x\"\nduration_s = = 3\n");
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.status().message()).find("line 2") != std::string::npos);
}

TEST_CASE("cross traffic faults and wan policy are parsed and checked") {
  std::string text = kMinimal + R"(
[[faults]]
kind = "kill_reflector"
node = "a-r1"
at_s = 10
[[faults]]
kind = "cut_wan"
branch = "a"
at_s = 20
until_s = 30
[[faults]]
kind = "stop_tracker"
at_s = 5
until_s = 8
)";
  std::string with_branch_extras = text;
  with_branch_extras.replace(with_branch_extras.find("[branches.wan]"), 0,
                             "wan_policy = '{\"schema\":1,\"target_delay_ms\":20}'\n"
                             "[[branches.cross_traffic]]\nkind = \"constant\"\nrate_mbit = 2\nstart_s = 1\nstop_s = 9\n"
                             "[[branches.cross_traffic]]\nkind = \"interactive\"\nrequest_bytes = 100\n"
                             "response_bytes = 1000\ninterval_ms = 200\ncongestion_control = \"cubic\"\n");
  auto s = parse_scenario(with_branch_extras);
  REQUIRE_MESSAGE(s.ok(), s.status().to_string());
  REQUIRE(s->faults.size() == 3);
  CHECK(s->faults[0].kind == FaultKind::kill_reflector);
  CHECK(s->faults[0].until_ms == -1);
  CHECK(s->faults[1].until_ms == 30'000);
  const BranchDef& b = s->branches[0];
  REQUIRE(b.cross_traffic.size() == 2);
  CHECK(b.cross_traffic[0].rate_bytes_per_s == 250'000);
  CHECK(b.cross_traffic[0].stop_ms == 9'000);
  CHECK(b.cross_traffic[1].kind == CrossKind::interactive);
  CHECK(b.cross_traffic[1].congestion_control == "cubic");
  CHECK(b.cross_traffic[0].congestion_control.empty());
  REQUIRE(b.wan_policy.has_value());

  std::string bad_cc = with_branch_extras;
  bad_cc.replace(bad_cc.find("\"cubic\""), 7, "\"Cubic!\"");
  auto cc = parse_scenario(bad_cc);
  REQUIRE_FALSE(cc.ok());
  CHECK(cc.status().message() ==
        "branches[0].cross_traffic[1].congestion_control: must be a TCP congestion control name such as \"cubic\"");
  std::string cc_on_udp = with_branch_extras;
  cc_on_udp.replace(cc_on_udp.find("stop_s = 9\n"), 11, "stop_s = 9\ncongestion_control = \"cubic\"\n");
  auto udp = parse_scenario(cc_on_udp);
  REQUIRE_FALSE(udp.ok());
  CHECK(udp.status().message() ==
        "branches[0].cross_traffic[0].congestion_control: applies to interactive flows only (constant flows are UDP)");
  CHECK(b.wan_policy->target_delay_ms == 20);

  std::string bad_policy = with_branch_extras;
  bad_policy.replace(bad_policy.find("\"target_delay_ms\":20"), 20, "\"target_delay_ms\":0");
  auto p = parse_scenario(bad_policy);
  REQUIRE_FALSE(p.ok());
  CHECK(std::string(p.status().message()).rfind("branches[0].wan_policy: ", 0) == 0);

  std::string bad_node = text;
  bad_node.replace(bad_node.find("node = \"a-r1\""), 13, "node = \"a-r2\"");
  auto n = parse_scenario(bad_node);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message() == "faults[0].node: no reflector \"a-r2\"");

  std::string bad_cut = text;
  bad_cut.replace(bad_cut.find("until_s = 30"), 12, "until_s = 15");
  auto c = parse_scenario(bad_cut);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() == "faults[1].until_s: must be after at_s and within duration_s");
}

TEST_CASE("governor modes and cap windows are parsed and checked") {
  std::string text = kMinimal;
  text.replace(text.find("endpoints = 2"), 13,
               "endpoints = 2\ngovernor = \"off-tcp\"");
  auto s = parse_scenario(text);
  REQUIRE(s.ok());
  CHECK(s->branches[0].governor == GovernorMode::off_tcp);
  CHECK(std::string(to_string(s->branches[0].governor)) == "off-tcp");
  CHECK_FALSE(s->branches[0].cap_window.has_value());
  auto m = parse_scenario(kMinimal);
  REQUIRE(m.ok());
  CHECK(m->branches[0].governor == GovernorMode::on);  // the default

  std::string with_window = kMinimal;
  with_window.replace(with_window.find("[[layers]]"), 10,
                      "[branches.cap_window]\nafter_s = 25\ndown_mbit = 3\nminutes = 2\n[[layers]]");
  auto c = parse_scenario(with_window);
  REQUIRE(c.ok());
  REQUIRE(c->branches[0].cap_window.has_value());
  CHECK(c->branches[0].cap_window->after_ms == 25'000);
  CHECK(c->branches[0].cap_window->down_bytes_per_s == 375'000);
  CHECK(c->branches[0].cap_window->minutes == 2);

  CHECK(error_after("endpoints = 2", "endpoints = 2\ngovernor = \"maybe\"") ==
        "branches[0].governor: must be \"on\", \"ledbat\" or \"off-tcp\"");
  CHECK(error_after("[[layers]]", "[branches.cap_window]\ndown_mbit = 3\nminutes = 0\n[[layers]]") ==
        "branches[0].cap_window.minutes: must be in [1, 60]");
  CHECK(error_after("[[layers]]", "[branches.cap_window]\nafter_s = 5\n[[layers]]") ==
        "branches[0].cap_window.down_mbit: missing");
  CHECK(error_after("endpoints = 2", "endpoints = 2\ngovernor = \"ledbat\"\n[branches.cap_window]\ndown_mbit = 3") ==
        "branches[0].cap_window: needs governor = \"on\" (caps are the governor's)");
}

TEST_CASE("oversized scenario text is refused before parsing") {
  std::string big(kMaxScenarioTomlBytes + 1, '#');
  auto s = parse_scenario(big);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "scenario: larger than 1 MiB");
}

TEST_CASE("every shipped scenario loads and validates") {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(BC_NETSIM_SCENARIOS_DIR)) {
    if (e.path().extension() != ".toml") continue;
    auto s = load_scenario(e.path().string());
    CHECK_MESSAGE(s.ok(), (e.path().string() + ": " + s.status().to_string()));
    ++n;
  }
  CHECK(n >= 4);
  auto d = load_scenario(std::string(BC_NETSIM_SCENARIOS_DIR) + "/default.toml");
  REQUIRE(d.ok());
  REQUIRE(d->branches.size() == 3);
  CHECK(d->branches[1].wan.loss == doctest::Approx(0.005));
  CHECK(d->branches[2].reflectors == 0);
  // The default scenario's base is a real Debian root and its upgrade; the app layer stays random.
  CHECK(d->layers[0].content == LayerContent::realistic);
  CHECK(d->layers[0].v2_upgrade);
  CHECK(d->layers[1].content == LayerContent::random);
}

TEST_CASE("is_short_name: 1..max of lower-case letters and digits, a dash only where allowed") {
  CHECK(is_short_name("b1", 12, false));
  CHECK(is_short_name("base-os", 32, true));
  CHECK_FALSE(is_short_name("base-os", 32, false));
  CHECK_FALSE(is_short_name("", 12, true));
  CHECK_FALSE(is_short_name("abcdefghijklm", 12, false));  // 13 bytes
  CHECK(is_short_name("abcdefghijkl", 12, false));
  CHECK_FALSE(is_short_name("Berlin", 12, false));
  CHECK_FALSE(is_short_name("a_b", 12, true));
}

}  // namespace
}  // namespace bc::netsim
