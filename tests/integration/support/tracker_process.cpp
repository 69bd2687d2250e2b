#include "tests/integration/support/tracker_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "layers/crypto/ed25519.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/tmp_dir.hpp"

namespace bc::test {

TrackerProcess::TrackerProcess(TrackerFiles files) : files_(std::move(files)) {
  namespace fs = std::filesystem;
  if (!fs::exists(files_.dir + "/tracker.key")) {
    if (!SecretKey::generate().save(files_.dir + "/tracker.key").ok()) throw std::runtime_error("key");
  }
  write_file(files_.dir + "/admin.token", files_.admin_token + "\n");
  write_file(files_.dir + "/tracker.toml", R"([server]
listen = ")" + files_.listen + R"("
port = )" + std::to_string(files_.port) + R"(
port_file = "port"
probe_port = )" + std::to_string(files_.probe_port) + R"(
insecure_plain_http = )" + (files_.insecure_plain_http ? "true" : "false") + R"(
[storage]
data_dir = "data"
[auth]
signing_key = "tracker.key"
admin_token_file = "admin.token"
[log]
level = "debug"
)" + files_.extra_toml);
  log_ = files_.dir + "/tracker.log";
}

std::string TrackerProcess::url() const {
  return std::string(tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

TrackerProcess::~TrackerProcess() {
  if (pid_ > 0) kill9();
}

uint16_t TrackerProcess::start() {
  std::string port_file = files_.dir + "/port";
  ::unlink(port_file.c_str());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::string config = files_.dir + "/tracker.toml";
    std::vector<const char*> argv = {"bc-tracker", "serve", "--config", config.c_str()};
    for (const auto& a : files_.args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    ::execv(BC_TRACKER_BIN, const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  bool exited = false;
  bool ready = eventually(
      [&] {
        int status = 0;
        exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
        if (exited) return true;
        std::string text = std::filesystem::exists(port_file) ? read_file(port_file) : "";
        if (text.empty() || text.back() != '\n') return false;  // not written yet, or half written
        port_ = static_cast<uint16_t>(std::stoi(text));
        return true;
      },
      20'000, 20);
  if (exited) {
    pid_ = -1;
    throw std::runtime_error("bc-tracker exited early; log: " + read_file(log_));
  }
  if (ready) return port_;
  kill9();
  throw std::runtime_error("bc-tracker did not write its port file within 20 s");
}

void TrackerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int TrackerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

}  // namespace bc::test
