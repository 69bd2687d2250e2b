// The endpoint's hardware facts: what the tracker matches driver layers
// against (a driver layer's `match` rules are fnmatch globs over these
// names; layers/model/manifest.hpp, driver_matches). Read from sysfs and
// procfs under a root the caller names, so tests give a fake tree.
//
//   vendor, product, version     /sys/class/dmi/id/{sys_vendor,product_name,product_version}
//   board_vendor, board          /sys/class/dmi/id/{board_vendor,board_name}
//   bios_version                 /sys/class/dmi/id/bios_version
//   pci                          every /sys/bus/pci/devices/*: "vvvv:dddd", sorted, unique,
//                                space-separated (match with "*10de:1eb8*")
//   pci_display                  the same for display controllers (PCI class 0x03xxxx)
//   cpu                          the first "model name" of /proc/cpuinfo
//   cpu_count                    the number of "processor" lines
//   memory_mib                   MemTotal of /proc/meminfo, MiB
//
// A fact that cannot be read is absent (a VM without DMI has no `vendor`),
// never an error: a missing fact matches no rule, which is the safe answer.
// Values are untrusted bytes (firmware strings are often padded, sometimes
// not UTF-8): whitespace is trimmed, control bytes and bytes that are not
// valid UTF-8 become "\xNN", and a value is cut at a character boundary to
// at most max_value_bytes (pci lists at a whole ID), so the rest is still
// reported and the tracker's limits (docs/api.md, Enrollment) always hold.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace bc::endpoint {

struct HardwareFactsOptions {
  std::string root = "/";         // sysfs at ROOT/sys, procfs at ROOT/proc; default "/"
  size_t max_value_bytes = 256;   // one fact's value after escaping; default 256
  size_t max_list_bytes = 2048;   // the pci lists; default 2 KiB
  size_t max_file_bytes = 1 << 20;  // bytes read from one file; default 1 MiB
};

using HardwareFacts = std::map<std::string, std::string>;

HardwareFacts collect_hardware_facts(const HardwareFactsOptions& options);

// Trimmed, escaped (see above) and cut to at most max_bytes. Pure.
std::string clean_fact_value(std::string_view raw, size_t max_bytes);

}  // namespace bc::endpoint
