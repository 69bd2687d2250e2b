#include "node/node_log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace bc::node {

Logger make_node_logger(const std::string& program, const std::string& node_id) {
  std::string tag = program;
  if (!node_id.empty()) tag += " " + node_id.substr(0, 12);
  // stderr_sink_mt, not the color sink: tests and netsim read these lines
  // from files, and escape codes would split the words they look for.
  auto logger = std::make_shared<spdlog::logger>(tag, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v");
  logger->flush_on(spdlog::level::info);  // a killed node's last lines reach the log
  return logger;
}

}  // namespace bc::node
