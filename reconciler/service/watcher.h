// File-system watches on the refs of local Git repositories.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace signet::service {

// Watches the refs of local repositories with libuv file-system events
// and calls a callback when a branch may have moved. Git moves a loose
// ref by renaming refs/heads/<branch>.lock over it, and `git pack-refs`
// or `git gc` rewrite packed-refs, so the watch covers the folder holding
// the loose ref and the Git folder itself. Events are hints only: the
// callback re-reads the ref, and the reconciler's slow poll covers
// platforms or file systems where events are lost. One thread runs one
// libuv loop for every watched repository.
class RefWatcher {
 public:
  using Callback = std::function<void()>;

  RefWatcher();
  ~RefWatcher();
  RefWatcher(const RefWatcher&) = delete;
  RefWatcher& operator=(const RefWatcher&) = delete;

  // Registers a watch on the repository at `git_dir` (the .git folder or a
  // bare repository) for `branch`. Call before start(). `on_change` runs
  // on the watcher thread and must return quickly.
  void add(const std::string& git_dir, const std::string& branch,
           Callback on_change);

  void start();
  void stop();

 private:
  struct Loop;
  std::unique_ptr<Loop> loop_;
};

// The Git folder of a local repository path (its .git folder, or the path
// itself for a bare repository), or "" when `path` is not a local
// repository (a URL).
std::string local_git_dir(const std::string& repository);

}  // namespace signet::service
