// The layer upload routes (docs/api.md "Upload"), operator role or more:
//   POST   /api/v1/uploads                                start or resume
//   GET    /api/v1/uploads                                staged uploads
//   GET    /api/v1/uploads/{id}                           what it still lacks
//   PUT    /api/v1/uploads/{id}/files/{file}/pieces/{piece}  one chunk
//   PUT    /api/v1/uploads/{id}/batch                     many small chunks
//   POST   /api/v1/uploads/{id}/commit                    verify, sign, publish
//   DELETE /api/v1/uploads/{id}                           cancel
#pragma once

#include "tracker/api/api_context.hpp"
#include "tracker/upload/upload_service.hpp"

namespace bc::tracker {

// `uploads` and `ctx` must outlive the router.
void add_upload_routes(Router& router, ApiContext& ctx, UploadService& uploads);

// The path prefix of the routes whose bodies may exceed [limits]
// max_body_bytes (chunks and start requests, bounded by [upload]).
inline constexpr const char* kUploadPathPrefix = "/api/v1/uploads";

}  // namespace bc::tracker
