// One logging style for every node program: spdlog to stderr, each line
// tagged with the program and the node ("bc-endpoint 1a2b3c4d5e6f"), so the
// lines of several nodes in one log (netsim, e2e tests) tell who said what.
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace bc::node {

using Logger = std::shared_ptr<spdlog::logger>;

// A logger of our own (not in spdlog's registry, so two nodes in one process
// each have theirs). `node_id` is shortened to 12 characters; "" = no id.
Logger make_node_logger(const std::string& program, const std::string& node_id);

}  // namespace bc::node
