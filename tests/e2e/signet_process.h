// `signet run` as a child process with a generated operator config, for
// end-to-end and crash tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace signet::testing {

// One tenant of the generated operator config.
struct TestTenant {
  std::string name;
  std::filesystem::path repository;
  std::vector<std::string> zones;
  std::string tsig_key_name;  // empty: no TSIG key
};

// Writes an operator config and the tenants' TSIG secret files into
// `folder`, with DNS and HTTP on free loopback ports.
class TestConfig {
 public:
  TestConfig(std::filesystem::path folder, std::vector<TestTenant> tenants);

  const std::filesystem::path& path() const { return path_; }
  uint16_t dns_port() const { return dns_port_; }
  uint16_t http_port() const { return http_port_; }
  // The raw TSIG secret every tenant's key uses.
  const std::string& tsig_secret() const { return tsig_secret_; }
  std::filesystem::path state_dir() const { return folder_ / "state"; }

 private:
  std::filesystem::path folder_;
  std::filesystem::path path_;
  uint16_t dns_port_ = 0;
  uint16_t http_port_ = 0;
  std::string tsig_secret_;
};

// Base64 of `bytes`, as TSIG secret files and dig -y take it.
std::string encode_secret(const std::string& bytes);

// The built signet binary, set by the build through SIGNET_BINARY.
std::string signet_binary();

// A running `signet run --config FILE`, its stderr kept in a log file.
class SignetProcess {
 public:
  SignetProcess(std::filesystem::path config, std::filesystem::path log);
  ~SignetProcess();  // kills the process if it still runs

  void start();
  // Sends SIGTERM and waits for the exit; returns the exit status.
  int stop();
  // Sends SIGKILL and reaps the process.
  void kill();
  bool running();

  // The log written so far.
  std::string log() const;
  // Number of lines of the log containing `text`.
  int count(const std::string& text) const;
  // Waits until count(text) >= n or `timeout` passes.
  bool wait_for_log(const std::string& text, int n,
                    std::chrono::milliseconds timeout) const;

 private:
  std::filesystem::path config_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

// The SOA serial the server at address:port returns for `zone`, or 0.
uint32_t query_serial(const std::string& address, uint16_t port,
                      const std::string& zone);

}  // namespace signet::testing
