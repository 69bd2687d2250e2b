#include "reflector/import_command.hpp"

#include <cstdio>

#include "layers/util/private_dir.hpp"
#include "node/layer_import.hpp"
#include "reflector/agent/reflector_config.hpp"

namespace bc::reflector {

Status import_command(const std::string& config_path, const std::string& bundle) {
  BC_ASSIGN_OR_RETURN(ReflectorConfig c, load_reflector_config(config_path));
  BC_RETURN_IF_ERROR(ensure_private_dir(c.cache_dir));
  BC_ASSIGN_OR_RETURN(PublicKey tracker_key, public_key_from_hex(c.tracker_public_key));
  ContentIndexOptions io;
  io.dir = c.cache_dir + "/index";
  BC_ASSIGN_OR_RETURN(std::unique_ptr<ContentIndex> index, ContentIndex::open(io));
  node::NodeImportOptions o;
  o.tracker_key = tracker_key;
  // Where ReflectorDriver::layer_dir keeps a layer: by its info-hash.
  o.layer_dir = [&](const LayerRef&, const std::string& info_hash) { return c.cache_dir + "/layers/" + info_hash; };
  BC_ASSIGN_OR_RETURN(node::NodeImport imported, node::import_into_node(bundle, *index, o));
  std::printf("%s\n", node::import_summary(imported).c_str());
  return Status();
}

}  // namespace bc::reflector
