#include "endpoint/import_command.hpp"

#include <cstdio>

#include "endpoint/agent/endpoint_config.hpp"
#include "layers/util/private_dir.hpp"
#include "node/layer_import.hpp"

namespace bc::endpoint {

Status import_command(const std::string& dir, const std::string& bundle) {
  BC_RETURN_IF_ERROR(check_private_dir(dir));
  BC_ASSIGN_OR_RETURN(EndpointConfig c, load_config(dir));
  BC_ASSIGN_OR_RETURN(PublicKey tracker_key, public_key_from_hex(c.tracker_public_key));
  ContentIndexOptions io;
  io.dir = dir + "/index";
  BC_ASSIGN_OR_RETURN(std::unique_ptr<ContentIndex> index, ContentIndex::open(io));
  node::NodeImportOptions o;
  o.tracker_key = tracker_key;
  // Where the agent keeps a layer (agent_driver.cpp): by its ref.
  o.layer_dir = [&](const LayerRef& ref, const std::string&) { return dir + "/layers/" + ref.to_string(); };
  BC_ASSIGN_OR_RETURN(node::NodeImport imported, node::import_into_node(bundle, *index, o));
  std::printf("%s\n", node::import_summary(imported).c_str());
  return Status();
}

}  // namespace bc::endpoint
