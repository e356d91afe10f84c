// A Git repository for tests.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "repo/git.h"

namespace signet::zone::test {

// A repository in a temporary folder, built commit by commit with the git
// command line.
class GitRepository {
 public:
  GitRepository() {
    root_ = std::filesystem::temp_directory_path() /
            ("signet-load-cache-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter_++));
    std::filesystem::create_directories(root_);
    git("init -q -b main");
  }
  ~GitRepository() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  GitRepository(const GitRepository&) = delete;
  GitRepository& operator=(const GitRepository&) = delete;

  void git(const std::string& args) const {
    std::string command = "cd '" + root_.string() +
                          "' && git -c user.name=Tester "
                          "-c user.email=tester@example.com " +
                          args + " >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }

  void write(const std::string& path, const std::string& text) const {
    std::filesystem::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path, std::ios::binary) << text;
  }

  void remove(const std::string& path) const {
    std::filesystem::remove(root_ / path);
  }

  // Commits every change and returns the commit id.
  std::string commit(const std::string& message) const {
    git("add -A");
    git("commit -q --allow-empty -m '" + message + "'");
    return repo::Repository::open(root_.string()).resolve("HEAD");
  }

  std::string path() const { return root_.string(); }

 private:
  std::filesystem::path root_;
  static inline int counter_ = 0;
};

}  // namespace signet::zone::test
