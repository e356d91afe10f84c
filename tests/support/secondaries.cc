#include "support/secondaries.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace signet::testing {
namespace {

using namespace std::chrono_literals;

std::string base64(const std::string& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) {
      v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    }
    if (i + 2 < bytes.size()) {
      v |= static_cast<uint8_t>(bytes[i + 2]);
    }
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < bytes.size() ? kAlphabet[v & 63] : '=');
  }
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool program_exists(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"}) {
    if (access((std::string(dir) + name).c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

bool make_address(const std::string& host, uint16_t port, sockaddr_storage& out,
                  socklen_t& length) {
  std::memset(&out, 0, sizeof out);
  auto* in4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

bool tcp_port_open(const std::string& host, uint16_t port) {
  sockaddr_storage address;
  socklen_t length;
  if (!make_address(host, port, address, length)) {
    return false;
  }
  int fd = socket(address.ss_family, SOCK_STREAM, 0);
  bool open = connect(fd, reinterpret_cast<sockaddr*>(&address), length) == 0;
  close(fd);
  return open;
}

// A zone name without the trailing dot, for file names.
std::string file_stem(const std::string& zone) {
  std::string stem = zone;
  if (!stem.empty() && stem.back() == '.') {
    stem.pop_back();
  }
  return stem;
}

std::string primary_text(const SecondaryConfig& c) {
  return c.primary_address;
}

}  // namespace

std::string secondary_kind_name(SecondaryKind kind) {
  switch (kind) {
    case SecondaryKind::kBind:
      return "BIND";
    case SecondaryKind::kKnot:
      return "Knot";
    case SecondaryKind::kNsd:
      return "NSD";
    case SecondaryKind::kPowerDns:
      return "PowerDNS";
  }
  return "unknown";
}

bool secondary_installed(SecondaryKind kind) {
  switch (kind) {
    case SecondaryKind::kBind:
      return program_exists("named") && program_exists("dig");
    case SecondaryKind::kKnot:
      return program_exists("knotd");
    case SecondaryKind::kNsd:
      return program_exists("nsd");
    case SecondaryKind::kPowerDns:
      return program_exists("pdns_server") && program_exists("pdnsutil") &&
             program_exists("sqlite3");
  }
  return false;
}

uint16_t free_port(const std::string& address) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    sockaddr_storage where;
    socklen_t length;
    if (!make_address(address, 0, where, length)) {
      throw std::runtime_error("invalid address " + address);
    }
    int tcp = socket(where.ss_family, SOCK_STREAM, 0);
    if (bind(tcp, reinterpret_cast<sockaddr*>(&where), length) != 0) {
      close(tcp);
      continue;
    }
    getsockname(tcp, reinterpret_cast<sockaddr*>(&where), &length);
    int udp = socket(where.ss_family, SOCK_DGRAM, 0);
    bool udp_free = bind(udp, reinterpret_cast<sockaddr*>(&where), length) == 0;
    close(udp);
    close(tcp);
    if (udp_free) {
      return ntohs(reinterpret_cast<sockaddr_in*>(&where)->sin_port);
    }
  }
  throw std::runtime_error("no free port on " + address);
}

int run_command(const std::vector<std::string>& argv, std::string* output,
                std::chrono::milliseconds timeout, const std::string& cwd) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    return -1;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(pipe_fds[1], 1);
    dup2(pipe_fds[1], 2);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      _exit(127);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string collected;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  char buffer[65536];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      continue;
    }
    ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    collected.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  if (timed_out) {
    kill(pid, SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (output) {
    *output = std::move(collected);
  }
  if (timed_out || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

Secondary::Secondary(SecondaryConfig config) : config_(std::move(config)) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/signet-secondary-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    throw std::runtime_error("cannot create a folder for the secondary");
  }
  folder_ = pattern;
  port_ = free_port(config_.listen_address);
}

Secondary::~Secondary() {
  stop();
  if (!keep_folder_ && !std::getenv("SIGNET_KEEP_SECONDARY_FOLDERS")) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
}

bool Secondary::write_config(std::string* error) {
  const SecondaryConfig& c = config_;
  std::string secret = base64(c.tsig_secret);
  std::string stem = file_stem(c.zone);
  std::string port = std::to_string(port_);
  std::string primary_port = std::to_string(c.primary_port);
  std::string conf;
  switch (c.kind) {
    case SecondaryKind::kBind:
      conf = "options {\n  directory \"" + folder_ + "\";\n  listen-on port " +
             port + " { " + c.listen_address +
             "; };\n  listen-on-v6 { none; };\n  pid-file \"" + folder_ +
             "/named.pid\";\n  session-keyfile \"" + folder_ +
             "/session.key\";\n  managed-keys-directory \"" + folder_ +
             "\";\n  recursion no;\n  notify no;\n"
             "  dnssec-validation no;\n  allow-transfer { 127.0.0.1; };\n"
             "};\ncontrols { };\n"
             "key \"" +
             c.tsig_key_name + "\" { algorithm " + c.tsig_algorithm +
             "; secret \"" + secret +
             "\"; };\n"
             "logging {\n  channel main { file \"" +
             folder_ +
             "/named.log\"; severity debug 3; print-time yes; "
             "print-category yes; };\n"
             "  category xfer-in { main; };\n  category notify { main; };\n"
             "  category default { main; };\n};\n"
             "zone \"" +
             c.zone +
             "\" {\n  type secondary;\n  primaries "
             "port " +
             primary_port + " { " + primary_text(c) + " key \"" +
             c.tsig_key_name + "\"; };\n  file \"" + folder_ + "/" + stem +
             ".db\";\n};\n";
      write_file(folder_ + "/named.conf", conf);
      return true;
    case SecondaryKind::kKnot:
      conf = "server:\n    rundir: \"" + folder_ +
             "\"\n    listen: " + c.listen_address + "@" + port +
             "\n"
             "database:\n    storage: \"" +
             folder_ +
             "\"\n"
             "log:\n  - target: \"" +
             folder_ +
             "/knot.log\"\n"
             "    any: debug\n"
             "key:\n  - id: " +
             c.tsig_key_name + "\n    algorithm: " + c.tsig_algorithm +
             "\n    secret: " + secret +
             "\n"
             "remote:\n  - id: primary\n    address: " +
             primary_text(c) + "@" + primary_port +
             "\n    key: " + c.tsig_key_name +
             "\n"
             "acl:\n  - id: notify_from_primary\n    address: " +
             primary_text(c) + "\n    key: " + c.tsig_key_name +
             "\n    action: notify\n"
             "  - id: transfer_to_tests\n    address: 127.0.0.1\n"
             "    action: transfer\n"
             "template:\n  - id: default\n    storage: \"" +
             folder_ +
             "\"\n"
             "zone:\n  - domain: " +
             c.zone +
             "\n    master: primary\n"
             "    acl: [notify_from_primary, transfer_to_tests]\n"
             "    file: \"" +
             folder_ + "/" + stem + ".zone\"\n";
      write_file(folder_ + "/knot.conf", conf);
      return true;
    case SecondaryKind::kNsd:
      conf = "server:\n    ip-address: " + c.listen_address + "@" + port +
             "\n    port: " + port +
             "\n    username: \"\"\n"
             "    chroot: \"\"\n    zonesdir: \"" +
             folder_ +
             "\"\n"
             "    database: \"\"\n    zonelistfile: \"" +
             folder_ + "/zone.list\"\n    xfrdfile: \"" + folder_ +
             "/xfrd.state\"\n"
             "    xfrdir: \"" +
             folder_ + "\"\n    pidfile: \"" + folder_ +
             "/nsd.pid\"\n    logfile: \"" + folder_ +
             "/nsd.log\"\n"
             "    verbosity: 2\n    do-ip6: no\n"
             "remote-control:\n    control-enable: no\n"
             "key:\n    name: " +
             c.tsig_key_name + "\n    algorithm: " + c.tsig_algorithm +
             "\n    secret: \"" + secret +
             "\"\n"
             "zone:\n    name: " +
             c.zone + "\n    zonefile: \"" + folder_ + "/" + stem +
             ".zone\"\n    request-xfr: " + primary_text(c) + "@" +
             primary_port + " " + c.tsig_key_name +
             "\n    allow-notify: " + primary_text(c) + " " + c.tsig_key_name +
             "\n    provide-xfr: 127.0.0.1 NOKEY\n"
             "    store-ixfr: yes\n";
      write_file(folder_ + "/nsd.conf", conf);
      return true;
    case SecondaryKind::kPowerDns: {
      conf = "launch=gsqlite3\ngsqlite3-database=" + folder_ +
             "/pdns.sqlite3\ngsqlite3-dnssec=yes\nlocal-address=" +
             c.listen_address + "\nlocal-port=" + port +
             "\nsocket-dir=" + folder_ +
             "\nsecondary=yes\nallow-axfr-ips=\nsecurity-poll-suffix=\n"
             "daemon=no\nguardian=no\ndisable-syslog=yes\nloglevel=6\n"
             "webserver=no\nallow-notify-from=" +
             primary_text(c) + "\n";
      write_file(folder_ + "/pdns.conf", conf);
      std::string output;
      std::string config_dir = "--config-dir=" + folder_;
      std::vector<std::vector<std::string>> setup = {
          {"sqlite3", "-init",
           "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
           folder_ + "/pdns.sqlite3", ".quit"},
          {"pdnsutil", config_dir, "create-secondary-zone", c.zone,
           primary_text(c) + ":" + primary_port},
          {"pdnsutil", config_dir, "import-tsig-key", c.tsig_key_name,
           c.tsig_algorithm, secret},
          {"pdnsutil", config_dir, "set-meta", c.zone, "AXFR-MASTER-TSIG",
           c.tsig_key_name},
          // Lets dump_zone() transfer the zone out with the same key, so
          // allow-axfr-ips can stay empty.
          {"pdnsutil", config_dir, "set-meta", c.zone, "TSIG-ALLOW-AXFR",
           c.tsig_key_name},
      };
      for (const auto& argv : setup) {
        if (run_command(argv, &output, 30s, folder_) != 0) {
          *error = argv[0] + " " + argv[2] + " failed: " + output;
          return false;
        }
      }
      return true;
    }
  }
  return false;
}

std::vector<std::string> Secondary::command_line() const {
  switch (config_.kind) {
    case SecondaryKind::kBind:
      return {"named", "-f", "-d", "1", "-c", folder_ + "/named.conf"};
    case SecondaryKind::kKnot:
      return {"knotd", "-c", folder_ + "/knot.conf"};
    case SecondaryKind::kNsd:
      return {"nsd", "-d", "-c", folder_ + "/nsd.conf"};
    case SecondaryKind::kPowerDns:
      return {"pdns_server", "--config-dir=" + folder_};
  }
  return {};
}

bool Secondary::start(std::string* error) {
  if (!write_config(error)) {
    return false;
  }
  std::vector<std::string> argv = command_line();
  std::string output_path = folder_ + "/daemon.out";
  pid_ = fork();
  if (pid_ < 0) {
    *error = "fork failed";
    return false;
  }
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int fd = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    if (chdir(folder_.c_str()) != 0) {
      _exit(127);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = name() + " exited at start:\n" + log_tail();
      return false;
    }
    if (tcp_port_open(config_.listen_address, port_)) {
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  *error = name() + " did not open port " + std::to_string(port_) + ":\n" +
           log_tail();
  return false;
}

void Secondary::stop() {
  if (pid_ <= 0) {
    return;
  }
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  // NSD's helper processes outlive the main one for a moment.
  deadline = std::chrono::steady_clock::now() + 5s;
  while (tcp_port_open(config_.listen_address, port_) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
}

std::optional<uint32_t> Secondary::soa_serial() const {
  std::string output;
  int rc = run_command({"dig", "+norec", "+time=1", "+tries=1", "+noall",
                        "+answer", "@" + config_.listen_address, "-p",
                        std::to_string(port_), config_.zone, "SOA"},
                       &output, 5s);
  if (rc != 0) {
    return std::nullopt;
  }
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string owner, ttl, klass, type, mname, rname, serial;
    fields >> owner >> ttl >> klass >> type >> mname >> rname >> serial;
    if (type == "SOA" && !serial.empty()) {
      return static_cast<uint32_t>(std::stoul(serial));
    }
  }
  return std::nullopt;
}

bool Secondary::wait_for_serial(uint32_t serial,
                                std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (soa_serial() == serial) {
      return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::optional<std::string> Secondary::dump_zone(std::string* error) const {
  std::vector<std::string> argv = {"dig",
                                   "+onesoa",
                                   "+nocmd",
                                   "+nostats",
                                   "+noall",
                                   "+answer",
                                   "@" + config_.listen_address,
                                   "-p",
                                   std::to_string(port_),
                                   config_.zone,
                                   "AXFR"};
  if (config_.kind == SecondaryKind::kPowerDns) {
    // PowerDNS transfers out only with TSIG here (allow-axfr-ips is empty).
    argv.push_back("-y");
    argv.push_back(config_.tsig_algorithm + ":" + config_.tsig_key_name + ":" +
                   base64(config_.tsig_secret));
  }
  std::string output;
  int rc = run_command(argv, &output, 60s);
  if (rc != 0 || output.find("SOA") == std::string::npos ||
      output.find("Transfer failed") != std::string::npos) {
    if (error) {
      *error = "zone dump from " + name() + " failed: " + output;
    }
    return std::nullopt;
  }
  return output;
}

std::string Secondary::log() const {
  std::string text = read_file(folder_ + "/daemon.out");
  for (const char* name : {"named.log", "named.run", "knot.log", "nsd.log"}) {
    std::string path = folder_ + "/" + name;
    if (access(path.c_str(), R_OK) == 0) {
      text += "--- " + std::string(name) + "\n" + read_file(path);
    }
  }
  return text;
}

std::string Secondary::log_tail(size_t max_bytes) const {
  std::string text = log();
  if (text.size() > max_bytes) {
    text = "..." + text.substr(text.size() - max_bytes);
  }
  return text;
}

}  // namespace signet::testing
