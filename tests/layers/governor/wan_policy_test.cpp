#include <doctest/doctest.h>

#include <random>
#include <string>

#include "layers/governor/wan_policy.hpp"

using namespace bc::governor;

namespace {

constexpr int64_t kMonday0 = 1'699'833'600;  // 2023-11-13 00:00 UTC, a Monday
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86'400;

// Mon-Fri 08:00-18:00 -> 10% down, 256 KiB/s up; nights/weekends: no cap.
WanPolicy office_policy() {
  WanPolicy p;
  p.link_down_bytes_per_s = 1'250'000;
  TimeWindow w;
  w.days = 0x1f;  // mon..fri
  w.start_min = 8 * 60;
  w.end_min = 18 * 60;
  w.caps.download = RateCap::share(10);
  w.caps.upload = RateCap::absolute(262'144);
  p.windows.push_back(w);
  return p;
}

std::string error_of(const std::string& json) {
  auto r = WanPolicy::decode(json);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("a policy round-trips through JSON and its encoding is stable") {
  WanPolicy p = office_policy();
  p.utc_offset_min = 60;
  p.target_delay_ms = 40;
  p.floor_bytes_per_s = 8192;
  p.latency_aware = false;
  p.default_caps.download = RateCap::absolute(5'000'000);
  TimeWindow night;
  night.days = 0x7f;
  night.start_min = 22 * 60;
  night.end_min = 6 * 60;
  night.caps.upload = RateCap::share(50);
  p.windows.push_back(night);
  REQUIRE(p.validate().ok());
  std::string bytes = p.encode();
  auto back = WanPolicy::decode(bytes);
  REQUIRE(back.ok());
  CHECK(*back == p);
  CHECK(back->encode() == bytes);
}

TEST_CASE("a minimal policy document takes the documented defaults") {
  auto r = WanPolicy::decode(R"({"schema": 1})");
  REQUIRE(r.ok());
  CHECK(r->target_delay_ms == 25);
  CHECK(r->floor_bytes_per_s == 16384);
  CHECK(r->latency_aware);
  CHECK(r->windows.empty());
  CHECK(r->default_caps.download.kind == RateCap::Kind::none);
}

TEST_CASE("policy decode names the field and the reason for each bad input") {
  CHECK(error_of(R"({"schema":1,"windows":[{"start":"08:00","end":"09:00"},{"start":"08:00","end":"09:00"},
                   {"start":"25:00","end":"26:00"}]})") == R"(windows[2].start: "25:00" is not HH:MM)");
  CHECK(error_of(R"({"schema":1,"windows":[{"start":"8:00","end":"09:00"}]})") ==
        R"(windows[0].start: "8:00" is not HH:MM)");
  CHECK(error_of(R"({"schema":1,"windows":[{"start":"08:00","end":"24:01"}]})") ==
        R"(windows[0].end: "24:01" is not HH:MM)");
  CHECK(error_of(R"({"schema":1,"windows":[{"start":"08:00"}]})") == "windows[0].end: missing");
  CHECK(error_of(R"({"schema":1,"default":{"download":{"percent":0}}})") ==
        "default.download: percent must be in (0, 100]");
  CHECK(error_of(R"({"schema":1,"default":{"upload":{"percent":100.5}}})") ==
        "default.upload: percent must be in (0, 100]");
  CHECK(error_of(R"({"schema":1,"windows":[{"start":"08:00","end":"09:00","download":{"percent":5,"bytes_per_s":9}}]})") ==
        "windows[0].download: give exactly one of 'percent' or 'bytes_per_s'");
  CHECK(error_of(R"({"schema":1,"windows":[{"days":["mon","funday"],"start":"08:00","end":"09:00"}]})") ==
        R"(windows[0].days[1]: "funday" is not a day (mon..sun) or range (mon-fri))");
  CHECK(error_of(R"({"schema":1,"windows":[{"start":"08:00","end":"08:00"}]})") ==
        "windows[0]: start equals end (08:00); use 00:00-24:00 for a whole day");
  CHECK(error_of(R"({"schema":1,"windows":[{"start":"08:00","end":"09:00","donwload":{"percent":5}}]})") ==
        "windows[0]: unknown field 'donwload'");
  CHECK(error_of(R"({"schema":1,"floor_bytes_per_s":20000,"default":{"download":{"bytes_per_s":10000}}})") ==
        "default.download: bytes_per_s 10000 is below floor_bytes_per_s 20000");
  CHECK(error_of(R"({"schema":1,"target_delay_ms":0})").find("target_delay_ms") != std::string::npos);
  CHECK(error_of(R"({"schema":2})").find("'schema' = 2") != std::string::npos);
  CHECK(error_of(R"({"windows":[]})").find("missing field 'schema'") != std::string::npos);
  CHECK(error_of(R"({"schema":1,"latency_aware":"yes"})") == "latency_aware: must be true or false");
  CHECK(error_of("[1,2]") == "WAN policy: must be a JSON object");
  CHECK(error_of("{").find("malformed JSON") != std::string::npos);

  std::string many = R"({"schema":1,"windows":[)";
  for (size_t i = 0; i <= kMaxPolicyWindows; ++i) many += std::string(i ? "," : "") + R"({"start":"01:00","end":"02:00"})";
  many += "]}";
  CHECK(error_of(many) == "windows: 65 windows exceed the limit of 64");
}

TEST_CASE("day lists accept names and wrapping ranges") {
  auto r = WanPolicy::decode(R"({"schema":1,"windows":[{"days":["sat-mon","wed"],"start":"00:00","end":"24:00"}]})");
  REQUIRE(r.ok());
  CHECK(r->windows[0].days == ((1 << 5) | (1 << 6) | (1 << 0) | (1 << 2)));
}

TEST_CASE("office hours cap at 10% of the declared link on weekdays and not at night or on weekends") {
  WanPolicy p = office_policy();
  auto at = [&](int64_t t) { return effective_caps(p, t, {}); };
  EffectiveCaps day = at(kMonday0 + 9 * kHour);
  CHECK(day.window_index == 0);
  CHECK(day.down_cap_bytes_per_s == 125'000);
  CHECK(day.up_cap_bytes_per_s == 262'144);
  CHECK(at(kMonday0 + 8 * kHour).window_index == 0);          // start is inclusive
  CHECK(at(kMonday0 + 8 * kHour - 1).window_index == -1);
  CHECK(at(kMonday0 + 18 * kHour).window_index == -1);        // end is exclusive
  EffectiveCaps night = at(kMonday0 + 20 * kHour);
  CHECK(night.down_cap_bytes_per_s == kNoLimit);
  CHECK(night.up_cap_bytes_per_s == kNoLimit);
  CHECK(at(kMonday0 + 4 * kDay + 9 * kHour).window_index == 0);   // Friday
  CHECK(at(kMonday0 + 5 * kDay + 9 * kHour).window_index == -1);  // Saturday
  CHECK(at(kMonday0 + 6 * kDay + 9 * kHour).window_index == -1);  // Sunday
}

TEST_CASE("windows are evaluated in the policy's UTC offset") {
  WanPolicy p = office_policy();
  p.utc_offset_min = -300;  // UTC-5: 08:00 local is 13:00 UTC
  CHECK(active_window(p, kMonday0 + 12 * kHour + 59 * 60) == -1);
  CHECK(active_window(p, kMonday0 + 13 * kHour) == 0);
  p.utc_offset_min = 540;  // UTC+9: Monday 08:00 local is Sunday 23:00 UTC
  CHECK(active_window(p, kMonday0 - kHour) == 0);
}

TEST_CASE("a window past midnight covers the start day's evening and the next morning") {
  WanPolicy p;
  TimeWindow w;
  w.days = 1 << 4;  // friday
  w.start_min = 22 * 60;
  w.end_min = 6 * 60;
  w.caps.download = RateCap::absolute(100'000);
  p.windows.push_back(w);
  int64_t friday = kMonday0 + 4 * kDay;
  CHECK(active_window(p, friday + 23 * kHour) == 0);
  CHECK(active_window(p, friday + kDay + 5 * kHour) == 0);   // Saturday 05:00
  CHECK(active_window(p, friday + kDay + 6 * kHour) == -1);  // Saturday 06:00
  CHECK(active_window(p, friday + 5 * kHour) == -1);         // Friday 05:00: Thursday not listed
}

TEST_CASE("overlapping windows: the first match wins") {
  WanPolicy p;
  TimeWindow a;
  a.start_min = 9 * 60;
  a.end_min = 10 * 60;
  a.caps.download = RateCap::absolute(50'000);
  TimeWindow b;
  b.start_min = 0;
  b.end_min = 1440;
  b.caps.download = RateCap::absolute(900'000);
  p.windows = {a, b};
  CHECK(effective_caps(p, kMonday0 + 9 * kHour + 30 * 60, {}).down_cap_bytes_per_s == 50'000);
  CHECK(effective_caps(p, kMonday0 + 11 * kHour, {}).down_cap_bytes_per_s == 900'000);
}

TEST_CASE("percent caps use the declared capacity, else the measured one, else the floor") {
  WanPolicy p;
  p.default_caps.download = RateCap::share(25);
  p.default_caps.upload = RateCap::share(100);
  CHECK(effective_caps(p, kMonday0, {}).down_cap_bytes_per_s == p.floor_bytes_per_s);
  CHECK(effective_caps(p, kMonday0, {}).up_cap_bytes_per_s == kNoLimit);
  CHECK(effective_caps(p, kMonday0, {800'000, 0}).down_cap_bytes_per_s == 200'000);
  p.link_down_bytes_per_s = 4'000'000;
  CHECK(effective_caps(p, kMonday0, {800'000, 0}).down_cap_bytes_per_s == 1'000'000);
}

TEST_CASE("mutated policy documents either decode to a valid policy or fail with an error, never crash") {
  WanPolicy p = office_policy();
  p.default_caps.upload = RateCap::share(40);
  std::string good = p.encode();
  std::mt19937 rng(7);
  const std::string alphabet = "{}[]\":,0123456789.-eE+ abcdefghijklmnopqrstuvwxyz%";
  int decoded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string doc = good;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % doc.size();
      switch (rng() % 3) {
        case 0: doc[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: doc.erase(at, 1 + rng() % 8); break;
        default: doc.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (doc.empty()) doc = "{";
    }
    auto r = WanPolicy::decode(doc);
    if (r.ok()) {
      ++decoded;
      CHECK(r->validate().ok());
      CHECK(WanPolicy::decode(r->encode()).ok());
    } else {
      CHECK_FALSE(r.status().message().empty());
    }
  }
  CHECK(decoded > 0);
}
