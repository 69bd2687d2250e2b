#include "tracker/webseed/web_seed_api.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tracker/webseed/byte_range.hpp"

namespace bc::tracker {

namespace {

HttpResponse text(int status, const std::string& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = body + "\n";
  return r;
}

// Reads [first, first + length) of `path`, which must be `size` bytes long
// (the manifest's size: a file changed under the store is not served).
Result<std::string> read_range(const std::string& path, uint64_t size, uint64_t first, uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::not_found("web seed: the layer's file is missing from the origin store");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || uint64_t(st.st_size) != size) {
    ::close(fd);
    return Status::not_found("web seed: the layer's file in the origin store is not the manifest's");
  }
  std::string out(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, off_t(first + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::io_error("web seed: read: " + std::string(n < 0 ? std::strerror(errno) : "short file"));
    }
    done += uint64_t(n);
  }
  ::close(fd);
  return out;
}

}  // namespace

bool is_web_seed_path(const std::string& path) { return path.rfind(kWebSeedPathPrefix, 0) == 0; }

HttpResponse serve_web_seed(WebSeedService& service, const HttpRequest& req) {
  if (req.method != "GET") {
    HttpResponse r = text(405, "web seeds answer GET only");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (!service.options().serve_own)
    return text(404, "this tracker does not serve a web seed ([origin] serve_web_seed)");
  auto grant = service.authorize(req.path);
  if (!grant.ok()) return text(http_status_for(grant.status()), grant.status().message());
  const uint64_t size = grant->size, cap = service.options().max_range_bytes;
  ByteRange range = parse_byte_range(req.header("range"), size);
  if (range.kind == ByteRange::Kind::whole) {
    range.first = 0;
    range.last = size == 0 ? 0 : size - 1;
  }
  const uint64_t length = size == 0 ? 0 : range.length();
  if (range.kind == ByteRange::Kind::unsatisfiable || length > cap) {
    HttpResponse r = text(416, range.kind == ByteRange::Kind::unsatisfiable
                                   ? "web seed: one byte range within the file, please"
                                   : "web seed: at most " + std::to_string(cap) + " bytes per request; use Range");
    r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  auto body = read_range(grant->file, size, range.first, length);
  if (!body.ok()) return text(http_status_for(body.status()), body.status().message());
  HttpResponse r;
  r.status = range.kind == ByteRange::Kind::range ? 206 : 200;
  r.content_type = "application/octet-stream";
  r.body = std::move(*body);
  r.headers.emplace_back("Accept-Ranges", "bytes");
  if (r.status == 206)
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                std::to_string(range.last) + "/" + std::to_string(size));
  return r;
}

void add_web_seed_routes(Router& router, WebSeedService& service) {
  router.add("GET", "/api/v1/webseed/check", [&service](HttpRequest& req) {
    std::string path;
    std::map<std::string, std::string> query;
    const std::string& uri = req.header("x-original-uri");
    if (uri.empty() || !parse_target(uri, &path, &query).ok()) {
      (void)service.authorize("");  // counted like any refusal
      return text(403, "web seed check: X-Original-URI is missing or malformed");
    }
    auto grant = service.authorize(path);
    if (!grant.ok()) return text(403, grant.status().message());  // auth_request knows 2xx, 401 and 403 only
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  });
}

}  // namespace bc::tracker
