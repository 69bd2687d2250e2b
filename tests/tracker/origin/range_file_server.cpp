#include "tests/tracker/origin/range_file_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace bc::test {

namespace {

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(char(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

std::string header_value(const std::string& head, const std::string& name) {
  std::string lower = head;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  size_t at = lower.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 3, end = head.find("\r\n", start);
  std::string v = head.substr(start, end - start);
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  return v;
}

}  // namespace

RangeFileServer::RangeFileServer(std::string root) : root_(std::move(root)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("RangeFileServer: bind/listen failed");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

RangeFileServer::~RangeFileServer() {
  stop_ = true;
  acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : conn_fds_)
      if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : workers_) t.join();
  ::close(listen_fd_);
}

std::vector<std::string> RangeFileServer::targets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return targets_;
}

std::string RangeFileServer::map_target(const std::string& target) const {
  std::string path = url_decode(target.substr(0, target.find('?')));
  if (path.size() < 2 || path[0] != '/' || path.find("..") != std::string::npos) return "";
  // A tokenized URL (/<node>/<expiry>/<mac>/<key>/...): the token is dropped
  // unchecked, as nginx does once auth_request said yes (docs/security.md).
  if (path.size() > 66 && path.find_first_not_of("0123456789abcdef", 1) == 65 && path[65] == '/' &&
      path.size() > 67 && path[66] >= '0' && path[66] <= '9') {
    size_t cut = 0;
    for (int i = 0; i < 3 && cut != std::string::npos; ++i) cut = path.find('/', cut + 1);  // node, expiry, mac
    if (cut != std::string::npos) path = path.substr(cut);
  }
  size_t key_end = path.find('/', 1);
  if (key_end == std::string::npos) return "";
  std::string key = path.substr(1, key_end - 1), rest = path.substr(key_end + 1);
  size_t top_end = rest.find('/');
  if (top_end != std::string::npos) rest = rest.substr(top_end + 1);  // drop NAME-vVERSION
  if (rest.empty()) return "";
  return root_ + "/" + key + "/" + rest;
}

void RangeFileServer::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (int(workers_.size()) >= kMaxConnections) {
      ::close(fd);
      continue;
    }
    conn_fds_.push_back(fd);
    workers_.emplace_back([this, fd] {
      serve(fd);
      std::lock_guard<std::mutex> l(mu_);
      for (int& f : conn_fds_)
        if (f == fd) f = -1;
      ::close(fd);
    });
  }
}

void RangeFileServer::serve(int fd) {
  std::string buf;
  char chunk[4096];
  while (!stop_) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
      if (r <= 0 || buf.size() > 65536) return;
      buf.append(chunk, size_t(r));
    }
    std::string head = buf.substr(0, end + 2);
    buf.erase(0, end + 4);
    size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    std::string method = head.substr(0, sp1), target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (targets_.size() < 100000) targets_.push_back(target);
    }
    std::string file = map_target(target);
    int in = file.empty() || method != "GET" ? -1 : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (in < 0 || ::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
      if (in >= 0) ::close(in);
      const char* nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
      if (!send_all(fd, nf, std::strlen(nf))) return;
      continue;
    }
    uint64_t size = uint64_t(st.st_size), first = 0, last = size ? size - 1 : 0;
    std::string range = header_value(head, "range");
    bool partial = range.rfind("bytes=", 0) == 0;
    if (partial) {
      first = std::strtoull(range.c_str() + 6, nullptr, 10);
      size_t dash = range.find('-');
      if (dash + 1 < range.size()) last = std::min<uint64_t>(last, std::strtoull(range.c_str() + dash + 1, nullptr, 10));
    }
    if (partial && (first > last || first >= size)) {
      ::close(in);
      const char* bad = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n\r\n";
      if (!send_all(fd, bad, std::strlen(bad))) return;
      continue;
    }
    uint64_t len = size == 0 ? 0 : last - first + 1;
    std::string resp = std::string(partial ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n") +
                       "Content-Length: " + std::to_string(len) + "\r\n";
    if (partial)
      resp += "Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
              std::to_string(size) + "\r\n";
    resp += "Accept-Ranges: bytes\r\nConnection: keep-alive\r\n\r\n";
    std::string body(len, '\0');
    bool ok = ::pread(in, body.data(), len, off_t(first)) == ssize_t(len);
    ::close(in);
    if (!ok || !send_all(fd, resp.data(), resp.size()) || !send_all(fd, body.data(), body.size())) return;
    bytes_sent_ += len;
  }
}

}  // namespace bc::test
