#include "e2e/signet_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/secondaries.h"

namespace signet::testing {
namespace fs = std::filesystem;

namespace {

std::string random_secret() {
  std::random_device device;
  std::string secret(32, '\0');
  for (char& c : secret) {
    c = static_cast<char>(device() & 0xff);
  }
  return secret;
}

}  // namespace

std::string encode_secret(const std::string& bytes) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) |
                 uint8_t(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) {
      out.push_back(kAlphabet[(v >> shift) & 63]);
    }
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63],
            kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

TestConfig::TestConfig(fs::path folder, std::vector<TestTenant> tenants)
    : folder_(std::move(folder)),
      path_(folder_ / "signet.yaml"),
      dns_port_(free_port()),
      http_port_(free_port()),
      tsig_secret_(random_secret()) {
  fs::create_directories(folder_ / "secrets");
  std::string yaml = fmt::format(
      "state_dir: state\n"
      "dns_listen: [\"127.0.0.1:{}\"]\n"
      "http_listen: [\"127.0.0.1:{}\"]\n"
      "tenants:\n",
      dns_port_, http_port_);
  for (const TestTenant& t : tenants) {
    yaml += fmt::format(
        "  - name: {}\n"
        "    repository: {}\n"
        "    allowed_zones: [{}]\n"
        "    key_store:\n"
        "      type: files\n"
        "      path: keys/{}\n",
        t.name, t.repository.string(), fmt::join(t.zones, ", "), t.name);
    if (!t.tsig_key_name.empty()) {
      fs::path secret = folder_ / "secrets" / (t.name + ".tsig");
      std::ofstream(secret) << encode_secret(tsig_secret_) << "\n";
      fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write);
      yaml += fmt::format(
          "    tsig_keys:\n"
          "      - name: {}\n"
          "        algorithm: hmac-sha256\n"
          "        secret_file: {}\n",
          t.tsig_key_name, secret.string());
    }
  }
  std::ofstream(path_) << yaml;
}

std::string signet_binary() {
  return SIGNET_BINARY;
}

SignetProcess::SignetProcess(fs::path config, fs::path log)
    : config_(std::move(config)), log_(std::move(log)) {}

SignetProcess::~SignetProcess() {
  if (pid_ > 0) {
    kill();
  }
}

void SignetProcess::start() {
  pid_t pid = fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(fd, STDERR_FILENO);
    dup2(fd, STDOUT_FILENO);
    std::string binary = signet_binary();
    std::string config = config_.string();
    execl(binary.c_str(), binary.c_str(), "run", "--config", config.c_str(),
          "--log-level", "info", static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
}

int SignetProcess::stop() {
  if (pid_ <= 0) {
    return -1;
  }
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void SignetProcess::kill() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool SignetProcess::running() {
  if (pid_ <= 0) {
    return false;
  }
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string SignetProcess::log() const {
  std::ifstream in(log_);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int SignetProcess::count(const std::string& text) const {
  std::istringstream lines(log());
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(text) != std::string::npos) {
      ++n;
    }
  }
  return n;
}

bool SignetProcess::wait_for_log(const std::string& text, int n,
                                 std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count(text) >= n) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

uint32_t query_serial(const std::string& address, uint16_t port,
                      const std::string& zone) {
  std::string output;
  int status =
      run_command({"dig", "@" + address, "-p", std::to_string(port), "+short",
                   "+norecurse", "+time=1", "+tries=1", zone, "SOA"},
                  &output, std::chrono::seconds(5));
  if (status != 0) {
    return 0;
  }
  std::istringstream fields(output);
  std::string mname, rname;
  uint32_t serial = 0;
  fields >> mname >> rname >> serial;
  return serial;
}

}  // namespace signet::testing
