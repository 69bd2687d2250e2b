// The endpoint's hardware facts from a fake sysfs/procfs tree: what is read,
// how untrusted firmware strings are cleaned and cut, and that a missing or
// odd source leaves the rest reported.
#include <doctest/doctest.h>

#include <filesystem>

#include "endpoint/agent/hardware_facts.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;
using namespace bc::endpoint;
using bc::test::TmpDir;
using bc::test::write_file;

namespace {

void pci(const TmpDir& root, const std::string& slot, const std::string& vendor, const std::string& device,
         const std::string& cls) {
  const std::string d = root / ("sys/bus/pci/devices/" + slot);
  write_file(d + "/vendor", vendor + "\n");
  write_file(d + "/device", device + "\n");
  write_file(d + "/class", cls + "\n");
}

// A laptop-like tree: DMI, three PCI functions (one display), 4 CPUs, 16 GiB.
void laptop(const TmpDir& root) {
  write_file(root / "sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
  write_file(root / "sys/class/dmi/id/product_name", "Latitude 7440   \n");
  write_file(root / "sys/class/dmi/id/product_version", "\n");  // empty: left out
  write_file(root / "sys/class/dmi/id/board_name", "0XYZ12\n");
  pci(root, "0000:00:02.0", "0x8086", "0xA7A1", "0x030000");
  pci(root, "0000:00:14.0", "0x8086", "0x51ed", "0x0c0330");
  pci(root, "0000:01:00.0", "0x10de", "0x1eb8", "0x030200");
  std::string cpuinfo;
  for (int i = 0; i < 4; ++i)
    cpuinfo += "processor\t: " + std::to_string(i) + "\nmodel name\t: 13th Gen Intel(R) Core(TM) i7-1365U\n\n";
  write_file(root / "proc/cpuinfo", cpuinfo);
  write_file(root / "proc/meminfo", "MemTotal:       16384000 kB\nMemFree:         1000 kB\n");
}

}  // namespace

TEST_CASE("hardware facts: DMI, PCI IDs, CPU and memory are read from the given root") {
  TmpDir root;
  laptop(root);
  HardwareFactsOptions o;
  o.root = root.path();
  HardwareFacts f = collect_hardware_facts(o);
  CHECK(f["vendor"] == "Dell Inc.");
  CHECK(f["product"] == "Latitude 7440");  // padding trimmed
  CHECK(f.count("version") == 0);          // empty file: no fact
  CHECK(f["board"] == "0XYZ12");
  CHECK(f.count("board_vendor") == 0);     // missing file: no fact
  CHECK(f["pci"] == "10de:1eb8 8086:51ed 8086:a7a1");  // sorted, lower case
  CHECK(f["pci_display"] == "10de:1eb8 8086:a7a1");
  CHECK(f["cpu"] == "13th Gen Intel(R) Core(TM) i7-1365U");
  CHECK(f["cpu_count"] == "4");
  CHECK(f["memory_mib"] == "16000");
}

TEST_CASE("hardware facts: an empty root gives no facts, not an error") {
  TmpDir root;
  HardwareFactsOptions o;
  o.root = root.path();
  CHECK(collect_hardware_facts(o).empty());
}

TEST_CASE("hardware facts: malformed PCI IDs are skipped and the rest still reported") {
  TmpDir root;
  pci(root, "0000:00:01.0", "0x8086", "0x1533", "0x020000");
  pci(root, "0000:00:02.0", "8086", "0x1533", "0x020000");     // no 0x
  pci(root, "0000:00:03.0", "0x80zz", "0x1533", "0x020000");   // not hex
  pci(root, "0000:00:04.0", "0x8086", "0x15330", "0x020000");  // five digits
  write_file(root / "sys/bus/pci/devices/0000:00:05.0/vendor", "0x8086\n");  // no device file
  HardwareFactsOptions o;
  o.root = root.path();
  HardwareFacts f = collect_hardware_facts(o);
  CHECK(f["pci"] == "8086:1533");
  CHECK(f.count("pci_display") == 0);
}

TEST_CASE("hardware facts: oversize and non-UTF-8 values are cut and escaped, the others kept") {
  TmpDir root;
  write_file(root / "sys/class/dmi/id/sys_vendor", std::string(100'000, 'A'));
  write_file(root / "sys/class/dmi/id/product_name", std::string("Pro\xff\xfe" "Book\x01 \xc3\xa9t\xc3\xa9"));
  write_file(root / "sys/class/dmi/id/board_name", "ok\n");
  for (int i = 0; i < 600; ++i) {
    char slot[32], dev[16];
    std::snprintf(slot, sizeof slot, "0000:%02x:%02x.0", i / 32, i % 32);
    std::snprintf(dev, sizeof dev, "0x%04x", i);
    pci(root, slot, "0x1af4", dev, "0x010000");
  }
  HardwareFactsOptions o;
  o.root = root.path();
  HardwareFacts f = collect_hardware_facts(o);
  CHECK(f["vendor"] == std::string(256, 'A'));
  CHECK(f["product"] == "Pro\\xff\\xfeBook\\x01 \xc3\xa9t\xc3\xa9");
  CHECK(f["board"] == "ok");
  // 600 IDs of 9 bytes do not fit 2 KiB: whole IDs only, the first ones in order.
  REQUIRE(f["pci"].size() <= o.max_list_bytes);
  CHECK(f["pci"].size() % 10 == 9);
  CHECK(f["pci"].rfind("1af4:0000 1af4:0001 ", 0) == 0);
}

TEST_CASE("clean_fact_value: escapes, trims and cuts at a whole character") {
  CHECK(clean_fact_value("  x  \n", 10) == "x");
  CHECK(clean_fact_value("a\\b", 10) == "a\\x5cb");                 // a backslash is escaped too
  CHECK(clean_fact_value("\xc3\xa9\xc3\xa9", 3) == "\xc3\xa9");     // not half a character
  CHECK(clean_fact_value("ab\xff", 4) == "ab");                     // not half an escape
  CHECK(clean_fact_value("\xed\xa0\x80", 64) == "\\xed\\xa0\\x80");  // a surrogate is not UTF-8
  CHECK(clean_fact_value("\xc0\xaf", 64) == "\\xc0\\xaf");          // nor an overlong '/'
  CHECK(clean_fact_value("\xf0\x9f\x98\x80", 64) == "\xf0\x9f\x98\x80");
}
