// End to end (label e2e): driver profiles by hardware. Each endpoint reads its
// facts from its own fake sysfs/procfs tree, sends them at enrollment and
// again when they change, and applies the driver layer that matches it.
#include <doctest/doctest.h>

#include "tests/e2e/rollout_checks.hpp"

#include <unistd.h>

#include <filesystem>

using namespace bc;
using namespace bc::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A machine with one display controller of `vendor_hex` (PCI class 0x0300).
void fake_hardware(const std::string& root, const std::string& vendor_hex, const std::string& product) {
  fs::remove_all(root);
  write_file(root + "/sys/class/dmi/id/sys_vendor", "Contoso Ltd.\n");
  write_file(root + "/sys/class/dmi/id/product_name", product + "\n");
  const std::string gpu = root + "/sys/bus/pci/devices/0000:01:00.0";
  write_file(gpu + "/vendor", "0x" + vendor_hex + "\n");
  write_file(gpu + "/device", "0x1234\n");
  write_file(gpu + "/class", "0x030000\n");
  write_file(root + "/proc/meminfo", "MemTotal:       8388608 kB\n");
}

std::vector<std::string> applied(RolloutWorld& w, const Node& n) {
  json s = w.local_status(n);
  if (!s.is_object() || !s["applied"].is_array()) return {};
  return s["applied"].get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("two endpoints with different hardware each apply their own driver profile, and follow a hardware change") {
  WorldOptions o;
  o.branches = {{"east", 1, 2}};
  const std::string hw_dir = fs::temp_directory_path().string() + "/bc-e2e-hw-" + std::to_string(::getpid());
  o.endpoint_hardware_root["east-e1"] = hw_dir + "/e1";
  o.endpoint_hardware_root["east-e2"] = hw_dir + "/e2";
  fake_hardware(hw_dir + "/e1", "10de", "Workstation N");  // NVIDIA
  fake_hardware(hw_dir + "/e2", "1002", "Workstation A");  // AMD
  RolloutWorld w(o);
  const std::string base = publish_base1(w, "east");
  const std::string nv = w.dir() + "/tree-nvidia", amd = w.dir() + "/tree-amd";
  write_file(nv + "/etc/gpu.conf", "driver=nvidia\n");
  write_file(amd + "/etc/gpu.conf", "driver=amdgpu\n");
  w.publish(nv, "gpu-nvidia", 1, "driver", {{"pci_display", "*10de:*"}});
  w.publish(amd, "gpu-amd", 1, "driver", {{"pci_display", "*1002:*"}, {"vendor", "Contoso*"}});
  w.assign_branch("east", {"base@1", "gpu-nvidia@1", "gpu-amd@1"});
  w.start_all();

  Node& e1 = w.node("east-e1");
  Node& e2 = w.node("east-e2");
  const std::vector<std::string> want1{"base@1", "gpu-nvidia@1"}, want2{"base@1", "gpu-amd@1"};
  WAIT_OR_FAIL(w, applied(w, e1) == want1 && applied(w, e2) == want2, kRolloutTimeoutMs,
               "the endpoints did not apply their own driver profiles");
  check_tree(e1, expected_tree({base, nv}));
  check_tree(e2, expected_tree({base, amd}));
  json st = w.local_status(e2);
  CHECK(st["hardware_facts"]["pci_display"] == "1002:1234");
  CHECK(st["hardware_facts_sent"] == true);

  // e2's card is swapped for an NVIDIA one: after a restart the agent sends
  // the new facts and the stack follows (the AMD profile is removed).
  e2.proc.terminate();
  fake_hardware(hw_dir + "/e2", "10de", "Workstation A");
  CHECK(w.local_status(e2)["hardware_facts_sent"] == false);
  w.start(e2);
  WAIT_OR_FAIL(w, applied(w, e2) == want1, kRolloutTimeoutMs, "east-e2 did not follow its new hardware");
  check_tree(e2, expected_tree({base, nv}));
  fs::remove_all(hw_dir);
}
