#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "netsim/report/kumar_ross.hpp"
#include "netsim/report/plots.hpp"
#include "netsim/report/report.hpp"
#include "netsim/report/run_inputs.hpp"
#include "netsim/scenario/scenario_parse.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::netsim {
namespace {

const std::string kRun = std::string(BC_NETSIM_FIXTURES_DIR) + "/run1";

struct Fixture {
  Scenario scenario;
  RunInputs inputs;
  Fixture() {
    auto s = load_scenario(kRun + "/scenario.toml");
    REQUIRE_MESSAGE(s.ok(), s.status().to_string());
    scenario = *s;
    auto in = load_run_inputs(kRun);
    REQUIRE_MESSAGE(in.ok(), in.status().to_string());
    inputs = *in;
  }
};

const CompletionReport* row(const Report& r, const std::string& node, int version) {
  for (const auto& c : r.completions)
    if (c.node == node && c.version == version) return &c;
  return nullptr;
}

TEST_CASE("report compares WAN bytes with the content new to each branch") {
  Fixture f;
  Report r = build_report(f.scenario, f.inputs);
  CHECK(r.warnings.empty());
  REQUIRE(r.branches.size() == 2);
  const BranchReport& a = r.branches[0];
  CHECK(a.new_content_bytes == 10485760 + 1048576);  // 10 MiB + 10% for v2
  CHECK(a.wan_down_bytes == 12'000'000);
  CHECK(a.wan_up_bytes == 500'000);
  CHECK(a.wan_down_per_new_content == doctest::Approx(12e6 / 11534336.0));
  CHECK(a.nodes_wan_bytes == 11534336);
  CHECK(a.nodes_lan_bytes == 11534336 + 10485760);
  CHECK(a.cross_down_bytes_expected == 2'000'000);  // 1.6 Mbit/s for 10 s
  CHECK(a.cross_check_ok);
  CHECK(a.drops_down == 5);
  const BranchReport& b = r.branches[1];
  CHECK(b.new_content_bytes == 10485760);  // v2 went to a only
  CHECK(b.wan_down_per_new_content == doctest::Approx(21.5e6 / 10485760.0));
  CHECK(b.cross_check_ok);
}

TEST_CASE("report queue delay and interactive latency percentiles come from the run") {
  Fixture f;
  Report r = build_report(f.scenario, f.inputs);
  const BranchReport& a = r.branches[0];
  CHECK(a.qdelay_down_ms[0] == doctest::Approx(2.0));
  CHECK(a.qdelay_down_ms[1] == doctest::Approx(15.0));
  CHECK(a.qdelay_down_ms[2] == doctest::Approx(30.0));
  CHECK(a.qdelay_up_ms[2] == doctest::Approx(6.0));
  CHECK(a.interactive_p50_ms == doctest::Approx(45));   // 3rd of 40 42 45 50 100
  CHECK(a.interactive_p95_ms == doctest::Approx(100));  // 5th
  CHECK(r.branches[1].interactive_p50_ms == -1);
}

TEST_CASE("report completion times are measured from the assignment against the kumar-ross bound") {
  Fixture f;
  Report r = build_report(f.scenario, f.inputs);
  CHECK(r.completions.size() == 6);  // a: 2 endpoints x 2 assignments, b: 2 x 1
  // a, v1: F = 10 MiB, u_s = 1 MB/s -> 10.48576 s; done at 12 s.
  const CompletionReport* a1 = row(r, "a-e1", 1);
  REQUIRE(a1 != nullptr);
  CHECK(a1->bound_s == doctest::Approx(10.48576));
  CHECK(a1->elapsed_s == doctest::Approx(12.0));
  CHECK(a1->ratio == doctest::Approx(12.0 / 10.48576));
  // a, v2 at 20 s: F = 1 MiB -> 1.048576 s; done at 22.5 s.
  const CompletionReport* a2 = row(r, "a-e1", 2);
  REQUIRE(a2 != nullptr);
  CHECK(a2->bound_s == doctest::Approx(1.048576));
  CHECK(a2->elapsed_s == doctest::Approx(2.5));
  const CompletionReport* missing = row(r, "a-e2", 2);
  REQUIRE(missing != nullptr);
  CHECK(missing->done_ms == -1);
  // b: u_s = 2 MB/s -> 5.24288 s; done at 7 s.
  const CompletionReport* b1 = row(r, "b-e1", 1);
  REQUIRE(b1 != nullptr);
  CHECK(b1->bound_s == doctest::Approx(5.24288));
  CHECK(b1->ratio == doctest::Approx(7.0 / 5.24288));
}

TEST_CASE("report cross-check flags nodes claiming more WAN bytes than the link carried") {
  Fixture f;
  f.inputs.nodes[3].bytes_by_source["wan"] = 30'000'000;  // b-e1
  Report r = build_report(f.scenario, f.inputs);
  CHECK_FALSE(r.branches[1].cross_check_ok);
  CHECK(r.to_table().find("FAIL") != std::string::npos);
  f.inputs.nodes[3].bytes_by_source["wan"] = 0;
  f.inputs.nodes[4].bytes_by_source["wan"] = 0;  // link carried 21.5 MB nobody reports
  CHECK_FALSE(build_report(f.scenario, f.inputs).branches[1].cross_check_ok);
}

TEST_CASE("report JSON and table carry the numbers") {
  Fixture f;
  Report r = build_report(f.scenario, f.inputs);
  auto j = r.to_json();
  CHECK(j["scenario"] == "fixture");
  CHECK(j["branches"][0]["new_content_bytes"] == 11534336);
  CHECK(j["completions"].size() == 6);
  std::string t = r.to_table();
  CHECK(t.find("a-e1") != std::string::npos);
  CHECK(t.find("not done") != std::string::npos);
}

TEST_CASE("with class tallies the content ratio and the cross-check use the link's BitTorrent stream") {
  Fixture f;
  DirectionData& down = f.inputs.links[0].down;  // branch a: nodes report 11534336 WAN bytes
  down.has_classes = true;
  down.bt_payload_bytes = 11'600'000;
  down.bt_ip_bytes = 12'000'000;
  down.tracker_ip_bytes = 300'000;
  Report r = build_report(f.scenario, f.inputs);
  const BranchReport& a = r.branches[0];
  CHECK(a.wan_down_bt_stream_bytes == 11'600'000);
  CHECK(a.bt_stream_per_new_content == doctest::Approx(11.6e6 / 11534336.0));
  CHECK(a.wan_down_tracker_ip_bytes == 300'000);
  CHECK(a.cross_check_ok);
  CHECK(r.to_json()["branches"][0]["bt_stream_per_new_content"].get<double>() == doctest::Approx(1.0057).epsilon(0.001));
  CHECK(r.to_table().find("BitTorrent stream") != std::string::npos);
  down.bt_payload_bytes = 11'000'000;  // nodes claim more than the stream carried
  CHECK_FALSE(build_report(f.scenario, f.inputs).branches[0].cross_check_ok);
  down.bt_payload_bytes = 15'000'000;  // the stream carried 30% more than nodes report
  CHECK_FALSE(build_report(f.scenario, f.inputs).branches[0].cross_check_ok);
  // Without class tallies the ratio is unknown (-1), not 0.
  CHECK(build_report(Fixture().scenario, Fixture().inputs).branches[0].bt_stream_per_new_content == -1);
}

TEST_CASE("run inputs parse the link's class tallies and refuse a bad one with its path") {
  nlohmann::json dir = {{"counters", {{"bytes_out", 10u}, {"dropped_queue_full", 0u}, {"dropped_loss", 0u}}},
                        {"queue_delay", {{"p50_us", 0u}, {"p95_us", 0u}, {"p99_us", 0u}}},
                        {"series", {{"t_ms", {100u}}, {"bytes_out", {10u}}, {"max_queue_delay_us", {0u}}}},
                        {"bytes_by_class",
                         {{"bittorrent", {{"ip_bytes", 9u}, {"payload_bytes", 7u}, {"packets", 1u}}},
                          {"tracker", {{"ip_bytes", 1u}, {"payload_bytes", 0u}, {"packets", 1u}}}}}};
  nlohmann::json links = {{"links", {{"a", {{"series_interval_ms", 100u}, {"a_to_b", dir}, {"b_to_a", dir}}}}}};
  auto r = parse_run_inputs(links, {{"nodes", nlohmann::json::array()}});
  REQUIRE_MESSAGE(r.ok(), r.status().to_string());
  CHECK(r->links[0].down.has_classes);
  CHECK(r->links[0].down.bt_payload_bytes == 7);
  CHECK(r->links[0].down.tracker_ip_bytes == 1);
  links["links"]["a"]["b_to_a"]["bytes_by_class"]["bittorrent"]["payload_bytes"] = "x";
  auto bad = parse_run_inputs(links, {{"nodes", nlohmann::json::array()}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("bytes_by_class.bittorrent") != std::string::npos);
}

TEST_CASE("run inputs with a bad field are refused with its path") {
  nlohmann::json links = {{"links", {{"a", {{"a_to_b", nlohmann::json::object()}}}}}};
  auto r = parse_run_inputs(links, {{"nodes", nlohmann::json::array()}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "links.json: links.a.a_to_b.counters.bytes_out: missing");
  auto n = parse_run_inputs({{"links", nlohmann::json::object()}}, {{"nodes", {{{"name", 3}}}}});
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message() == "nodes.json: nodes[0].name: must be a string");
}

bool is_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, 8);
  return in.gcount() == 8 && std::string(head, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

TEST_CASE("plots are drawn by gnuplot as non-empty PNG files") {
  Fixture f;
  Report r = build_report(f.scenario, f.inputs);
  test::TmpDir dir;
  Status s = draw_plots(f.scenario, f.inputs, r, dir.path());
  REQUIRE_MESSAGE(s.ok(), s.to_string());
  for (const auto& name : kPlotFiles) {
    std::string p = dir.path() + "/" + name;
    CHECK_MESSAGE(is_png(p), p);
    CHECK(std::filesystem::file_size(p) > 2000);
  }
}

TEST_CASE("plot directory with a quote is refused") {
  Fixture f;
  Report r = build_report(f.scenario, f.inputs);
  CHECK_FALSE(write_plot_script(f.scenario, f.inputs, r, "/tmp/x'y").ok());
}

}  // namespace
}  // namespace bc::netsim
