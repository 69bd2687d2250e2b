// Placeholder until the upload API lands (issue #14): push_layer reports that
// this build cannot push, so bcctl links and says so precisely.
#include "ctl/push/layer_push.hpp"

namespace bc::ctl {

Result<PushResult> push_layer(const TrackerTarget&, const PushRequest&, PushProgress*) {
  return Status::unsupported("layer push: this build has no upload support yet");
}

}  // namespace bc::ctl
