#include "endpoint/agent/hardware_facts.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <vector>

namespace bc::endpoint {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxPciDevices = 4096;  // a walk bound; real machines have tens

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when the byte does not start one.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if (c == 0xe0 && b(i + 1) < 0xa0) return 0;   // overlong
  if (c == 0xed && b(i + 1) >= 0xa0) return 0;  // surrogate
  if (c == 0xf0 && b(i + 1) < 0x90) return 0;   // overlong
  if (c == 0xf4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
  return n;
}

// Reads at most `max` bytes; nullopt when the file cannot be read.
std::optional<std::string> read_small(const fs::path& p, size_t max) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::string out(max, '\0');
  in.read(out.data(), static_cast<std::streamsize>(max));
  if (in.bad()) return std::nullopt;
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

// "0x10de\n" -> "10de"; empty unless exactly four hex digits.
std::string pci_id(const std::optional<std::string>& raw) {
  if (!raw) return "";
  std::string s = clean_fact_value(*raw, 16);
  if (s.size() != 6 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return "";
  std::string id = s.substr(2);
  for (char& c : id) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return id;
}

// Joins IDs with spaces, stopping before the list would pass max_bytes.
std::string join_ids(const std::set<std::string>& ids, size_t max_bytes) {
  std::string out;
  for (const auto& id : ids) {
    size_t add = id.size() + (out.empty() ? 0 : 1);
    if (out.size() + add > max_bytes) break;
    if (!out.empty()) out += ' ';
    out += id;
  }
  return out;
}

void add_pci(const HardwareFactsOptions& o, HardwareFacts& out) {
  std::set<std::string> all, display;
  std::error_code ec;
  fs::directory_iterator it(fs::path(o.root) / "sys/bus/pci/devices", ec), end;
  size_t seen = 0;
  for (; !ec && it != end && seen < kMaxPciDevices; it.increment(ec), ++seen) {
    const fs::path d = it->path();
    std::string vendor = pci_id(read_small(d / "vendor", 64)), device = pci_id(read_small(d / "device", 64));
    if (vendor.empty() || device.empty()) continue;
    std::string id = vendor + ":" + device;
    all.insert(id);
    auto cls = read_small(d / "class", 64);
    if (cls && clean_fact_value(*cls, 16).rfind("0x03", 0) == 0) display.insert(id);
  }
  if (!all.empty()) out["pci"] = join_ids(all, o.max_list_bytes);
  if (!display.empty()) out["pci_display"] = join_ids(display, o.max_list_bytes);
}

void add_cpu(const HardwareFactsOptions& o, HardwareFacts& out) {
  auto text = read_small(fs::path(o.root) / "proc/cpuinfo", o.max_file_bytes);
  if (!text) return;
  int64_t processors = 0;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    std::string_view line(text->data() + pos, (nl == std::string::npos ? text->size() : nl) - pos);
    pos = nl == std::string::npos ? text->size() : nl + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = clean_fact_value(line.substr(0, colon), 64);
    if (key == "processor") ++processors;
    if (key == "model name" && !out.count("cpu")) out["cpu"] = clean_fact_value(line.substr(colon + 1), o.max_value_bytes);
  }
  if (processors > 0) out["cpu_count"] = std::to_string(processors);
}

void add_memory(const HardwareFactsOptions& o, HardwareFacts& out) {
  auto text = read_small(fs::path(o.root) / "proc/meminfo", 64 * 1024);
  if (!text) return;
  size_t at = text->find("MemTotal:");
  if (at == std::string::npos) return;
  size_t p = at + 9;
  while (p < text->size() && is_space((*text)[p])) ++p;
  uint64_t kib = 0;
  auto [end, ec] = std::from_chars(text->data() + p, text->data() + text->size(), kib);
  if (ec != std::errc() || end == text->data() + p) return;
  out["memory_mib"] = std::to_string(kib / 1024);
}

}  // namespace

std::string clean_fact_value(std::string_view raw, size_t max_bytes) {
  size_t b = 0, e = raw.size();
  while (b < e && is_space(raw[b])) ++b;
  while (e > b && is_space(raw[e - 1])) --e;
  raw = raw.substr(b, e - b);
  std::string out;
  for (size_t i = 0; i < raw.size();) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    size_t n = utf8_length(raw, i);
    std::string unit;
    if (n == 0 || c < 0x20 || c == 0x7f || c == '\\') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      unit = buf;
      n = 1;
    } else {
      unit.assign(raw.substr(i, n));
    }
    if (out.size() + unit.size() > max_bytes) break;  // cut at a whole character or escape
    out += unit;
    i += n;
  }
  return out;
}

HardwareFacts collect_hardware_facts(const HardwareFactsOptions& o) {
  HardwareFacts out;
  const fs::path dmi = fs::path(o.root) / "sys/class/dmi/id";
  const std::pair<const char*, const char*> dmi_facts[] = {
      {"vendor", "sys_vendor"},         {"product", "product_name"}, {"version", "product_version"},
      {"board_vendor", "board_vendor"}, {"board", "board_name"},     {"bios_version", "bios_version"}};
  for (const auto& [fact, file] : dmi_facts) {
    auto raw = read_small(dmi / file, o.max_file_bytes);
    if (!raw) continue;
    std::string v = clean_fact_value(*raw, o.max_value_bytes);
    if (!v.empty()) out[fact] = std::move(v);
  }
  add_pci(o, out);
  add_cpu(o, out);
  add_memory(o, out);
  return out;
}

}  // namespace bc::endpoint
