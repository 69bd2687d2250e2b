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

TEST_CASE("with content facts the report counts raw and wire new content, and bounds completion on the wire bytes") {
  Fixture f;
  // base@1: one 10,000,000-byte file of 153 pieces (64 KiB) in the torrent as
  // is; base@2: 3 pieces changed. Wire = whole 16 KiB blocks.
  VersionContent v1{"base", 1, 65536, {}, {}}, v2{"base", 2, 65536, {}, {}};
  std::vector<std::uint64_t> pieces(153);
  for (std::size_t i = 0; i < pieces.size(); ++i) pieces[i] = i + 1;
  v1.raw = v1.wire = {ContentUnit{"img", 10'000'000, 0xa1, pieces, {}}};
  pieces[0] = 1000, pieces[1] = 1001, pieces[152] = 1002;  // the last piece is 38,528 bytes: 3 blocks
  v2.raw = v2.wire = {ContentUnit{"img", 10'000'000, 0xa2, pieces, {}}};
  f.inputs.content = ContentFacts{{v1, v2}};
  Report r = build_report(f.scenario, f.inputs);
  CHECK(r.warnings.empty());
  const BranchReport& a = r.branches[0];
  CHECK(a.raw_new_content_bytes == 10'000'000 + 2 * 65536 + 38'528);
  CHECK(a.wire_new_content_bytes == 10'000'000 / 16384 * 16384 + 16384 + 2 * 65536 + 3 * 16384);
  CHECK(a.new_content_bytes == static_cast<std::uint64_t>(a.raw_new_content_bytes));
  CHECK(a.wan_down_per_wire == doctest::Approx(12e6 / static_cast<double>(a.wire_new_content_bytes)));
  CHECK(a.wan_down_per_raw == doctest::Approx(12e6 / static_cast<double>(a.raw_new_content_bytes)));
  const BranchReport& b = r.branches[1];
  CHECK(b.raw_new_content_bytes == 10'000'000);  // v2 went to a only
  // The bound of a's v2 row uses its wire bytes.
  const CompletionReport* v2row = nullptr;
  for (const auto& c : r.completions)
    if (c.branch == "a" && c.version == 2) v2row = &c;
  REQUIRE(v2row != nullptr);
  CHECK(v2row->bound_bytes == 2 * 65536 + 3 * 16384);
  CHECK(r.to_table().find("new content: raw") != std::string::npos);
  REQUIRE(a.new_content_by_assignment.size() == 2);
  CHECK(a.new_content_by_assignment[1].layer == "base");
  CHECK(a.new_content_by_assignment[1].version == 2);
  CHECK(a.new_content_by_assignment[1].wire_bytes == 2 * 65536 + 3 * 16384);
  CHECK(r.to_table().find("wire/raw by assignment: base@1 1.00") != std::string::npos);
  CHECK(r.to_json()["branches"][0]["wire_new_content_bytes"] == a.wire_new_content_bytes);
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

// A 10 Mbit/s branch "g" (governor on, 600,000 B/s payload cap) assigned a
// layer at 20 s and done at 60 s, with hand-made 100 ms series: 3 Mbit/s of
// cross traffic (37,500 B per bin), the rollout 75,000 IP bytes per bin of
// which 60,000 payload, a mean queue delay of 5 ms, and interactive samples
// of 70 ms before the rollout and 80 ms during it (one of 200 ms).
struct GovernorFixture {
  Scenario scenario;
  RunInputs in;
  GovernorFixture() {
    auto s = parse_scenario(R"(
name = "gov"
duration_s = 100
[[branches]]
name = "g"
reflectors = 1
endpoints = 1
wan_policy = '{"schema":1,"default":{"download":{"bytes_per_s":600000}}}'
[branches.wan]
down_mbit = 10
up_mbit = 10
rtt_ms = 60
[[branches.cross_traffic]]
kind = "constant"
rate_mbit = 3
[[layers]]
name = "base"
size_mib = 8
[[assignments]]
at_s = 20
layer = "base"
)");
    REQUIRE_MESSAGE(s.ok(), s.status().to_string());
    scenario = *s;
    LinkData l;
    l.branch = "g";
    l.interval_ms = 100;
    DirectionData& d = l.down;
    d.rate_bytes_per_s = 1'250'000;
    for (std::int64_t t = 100; t <= 80'000; t += 100) {
      const bool rolling = t > 20'000 && t <= 60'000;
      d.t_ms.push_back(t);
      d.xt_bytes.push_back(37'500);
      d.xt_payload_bytes.push_back(36'000);
      d.bytes.push_back(37'500 + (rolling ? 75'000 : 0));
      d.payload_bytes.push_back(36'000 + (rolling ? 60'000 : 0));
      d.max_queue_delay_us.push_back(rolling ? 9'000 : 0);
      d.mean_queue_delay_us.push_back(rolling ? 5'000 : 0);
    }
    in.links.push_back(l);
    in.nodes.push_back({"g-e1", {}, {{"base", 1, 60'000}}});
    InteractiveData x;
    x.branch = "g";
    for (int i = 0; i < 80; ++i) {  // every 500 ms from 0 to 39.5 s
      x.t_ms.push_back(i * 500.0);
      x.latency_ms.push_back(i * 500 < 20'000 ? 70.0 : (i == 60 ? 200.0 : 80.0));
    }
    in.interactive.push_back(x);
  }
  DirectionData& down() { return in.links[0].down; }
};

TEST_CASE("governor figures: spare capacity taken, added delay over the baseline, queue delay in the rollout") {
  GovernorFixture f;
  GovernorFigures g = governor_figures(f.scenario, f.scenario.branches[0], f.in);
  CHECK(g.mode == "on");
  CHECK(g.rollout_start_ms == 20'000);
  CHECK(g.rollout_end_ms == 60'000);
  CHECK(g.rollout_done);
  CHECK(g.rollout_mbit == doctest::Approx(6.0));      // 75,000 B per 100 ms
  CHECK(g.cross_mbit == doctest::Approx(3.0));
  CHECK(g.spare_taken == doctest::Approx(75'000.0 / (125'000 - 37'500)));  // 0.857
  // Against min(spare, the 600,000 B/s cap) = 60,000 B per bin (IP bytes over a payload cap).
  CHECK(g.spare_taken_within_cap == doctest::Approx(75'000.0 / 60'000));
  CHECK(g.xt_qdelay_packets == 0);  // the fixture's series has no per-packet cross delays
  CHECK(g.xt_qdelay_added_p95_ms == -1);
  CHECK(g.baseline_ms == doctest::Approx(70.0));      // median of the 40 samples before 20 s
  CHECK(g.added_samples == 40);                       // 20 s .. 39.5 s
  CHECK(g.added_p50_ms == doctest::Approx(10.0));
  CHECK(g.added_p95_ms == doctest::Approx(10.0));     // one outlier in 40 is above p95
  CHECK(g.qdelay_mean_p50_ms == doctest::Approx(5.0));
  CHECK(g.qdelay_max_p95_ms == doctest::Approx(9.0));
  // The cap: 60,000 B payload per 100 ms = exactly 600,000 B/s, from 30 s
  // (10 s settling) to 60 s: 21 windows of 10 s.
  REQUIRE(g.caps.size() == 1);
  CHECK(g.caps[0].from_ms == 30'000);
  CHECK(g.caps[0].windows == 21);
  CHECK(g.caps[0].payload_min == doctest::Approx(1.0));
  CHECK(g.caps[0].payload_max == doctest::Approx(1.0));
  CHECK(g.caps[0].ip_mean == doctest::Approx(1.25));
  CHECK(g.window_change_latency_ms == -1);
}

TEST_CASE("governor figures: a burst shows in the cap's worst window; a window change's latency is measured") {
  GovernorFixture f;
  // 300,000 B more payload in the bin ending at 45 s: windows holding it carry +5%.
  for (std::size_t i = 0; i < f.down().t_ms.size(); ++i)
    if (f.down().t_ms[i] == 45'000) f.down().payload_bytes[i] += 300'000;
  GovernorFigures g = governor_figures(f.scenario, f.scenario.branches[0], f.in);
  REQUIRE(g.caps.size() == 1);
  CHECK(g.caps[0].payload_max == doctest::Approx(1.05));
  CHECK(g.caps[0].payload_min == doctest::Approx(1.0));

  // The cap halves at 40 s; the link follows 300 ms later, at 290,000 B/s
  // (0.967 x the new cap). The first 1 s window within 10% of the new cap
  // holds one old bin: (60,000 + 9 x 29,000) / 300,000 = 1.07; it ends 1.2 s
  // after the boundary (two old bins: 1.17).
  GovernorFixture h;
  for (std::size_t i = 0; i < h.down().t_ms.size(); ++i)
    if (h.down().t_ms[i] > 40'300 && h.down().t_ms[i] <= 60'000) h.down().payload_bytes[i] -= 31'000;
  h.in.window_changes.push_back({"g", 40'000, 100'000, 600'000, 300'000});
  GovernorFigures w = governor_figures(h.scenario, h.scenario.branches[0], h.in);
  CHECK(w.window_change_latency_ms == doctest::Approx(1'200));
  // Past the midpoint (450,000 B/s) once at most 5 old bins are in the window: 800 ms.
  CHECK(w.window_change_half_ms == doctest::Approx(800));
  REQUIRE(w.caps.size() == 2);
  CHECK(w.caps[0].cap_bytes_per_s == 600'000);
  CHECK(w.caps[0].to_ms == 40'000);
  CHECK(w.caps[0].windows == 1);  // [30, 40) s
  CHECK(w.caps[1].cap_bytes_per_s == 300'000);
  CHECK(w.caps[1].from_ms == 42'000);
  CHECK(w.caps[1].payload_min == doctest::Approx(29.0 / 30));
  CHECK(w.caps[1].payload_max == doctest::Approx(29.0 / 30));
  // The report carries them in its JSON and table.
  Report r = build_report(h.scenario, h.in);
  REQUIRE(r.governor.size() == 1);
  CHECK(r.to_json()["governor"][0]["window_change_latency_ms"] == doctest::Approx(1'200));
  CHECK(r.to_table().find("window change: link rate past the midpoint of the caps 800 ms, within 10% of the new cap 1200 ms") !=
        std::string::npos);
}

TEST_CASE("plot directory with a quote is refused") {
  Fixture f;
  Report r = build_report(f.scenario, f.inputs);
  CHECK_FALSE(write_plot_script(f.scenario, f.inputs, r, "/tmp/x'y").ok());
}

TEST_CASE("governor figures: the cross traffic's own packets' queue delay, per packet, over the rollout against before it") {
  GovernorFixture f;
  DirectionData& d = f.down();
  d.xt_queue_delay_ms.assign(d.t_ms.size(), {});
  for (std::size_t i = 0; i < d.t_ms.size(); ++i) {
    if (d.t_ms[i] <= 20'000) d.xt_queue_delay_ms[i] = {{1, 10}};              // unloaded: 1 ms
    else if (d.t_ms[i] <= 60'000) d.xt_queue_delay_ms[i] = {{8, 18}, {30, 2}};  // 10% of packets at 30 ms
  }
  GovernorFigures g = governor_figures(f.scenario, f.scenario.branches[0], f.in);
  CHECK(g.xt_qdelay_packets == 400 * 20);
  CHECK(g.xt_qdelay_p50_ms == 9);            // upper edge of the 8 ms bucket
  CHECK(g.xt_qdelay_p95_ms == 31);           // the top 10% decide the p95
  CHECK(g.xt_qdelay_unloaded_p50_ms == 2);
  CHECK(g.xt_qdelay_added_p95_ms == 29);
  CHECK(g.xt_added_p95_ms == -1);  // no added-delay series in this run
  // With it: the rollout added 5 ms to 90% of the packets and 20 ms to 10%.
  d.xt_added_delay_ms.assign(d.t_ms.size(), {});
  for (std::size_t i = 0; i < d.t_ms.size(); ++i) {
    if (d.t_ms[i] <= 20'000) d.xt_added_delay_ms[i] = {{0, 10}};
    else if (d.t_ms[i] <= 60'000) d.xt_added_delay_ms[i] = {{5, 18}, {20, 2}};
  }
  g = governor_figures(f.scenario, f.scenario.branches[0], f.in);
  CHECK(g.xt_added_p50_ms == 6);
  CHECK(g.xt_added_p95_ms == 21);
  CHECK(g.xt_added_unloaded_p95_ms == 1);
  // A series without the per-packet delays leaves the figures unknown.
  f.down().xt_queue_delay_ms.clear();
  CHECK(governor_figures(f.scenario, f.scenario.branches[0], f.in).xt_qdelay_p95_ms == -1);
}

}  // namespace
}  // namespace bc::netsim
