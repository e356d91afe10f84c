// Git access through libgit2: repositories, revisions, trees and history.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/source.h"

struct git_repository;
struct git_tree;

namespace signet::repo {

// A failed Git operation. The message names the revision, path or URL
// involved and gives libgit2's reason.
class GitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Metadata of one commit.
struct CommitInfo {
  std::string id;  // 40 hex digits
  std::string author_name;
  std::string author_email;
  int64_t time = 0;  // author time, seconds since the Unix epoch
  std::string message;

  // The first line of the message.
  std::string summary() const;
};

// True when `location` is a URL (scheme://..., or scp-like user@host:path)
// rather than a local path.
bool is_remote_url(const std::string& location);

// An open repository. Copies share the underlying libgit2 handle; one
// Repository and the GitSources made from it must be used by one thread at
// a time.
class Repository {
 public:
  // Opens a local repository, bare or with a working tree. Throws GitError.
  static Repository open(const std::string& path);

  // Opens the cached mirror of `url` in `cache_dir`, cloning it first when
  // the folder is empty or missing, and fetches. Branches of the remote
  // appear as local branches of the mirror. file://, https://, ssh:// and
  // git:// URLs are accepted; ssh:// authenticates with the SSH agent only.
  // NOTE: tests cover file:// URLs; the network schemes are untested here.
  // Throws GitError.
  static Repository open_remote(const std::string& url,
                                const std::string& cache_dir);

  // Opens `location` as a local path, or as a URL mirrored in `cache_dir`.
  static Repository open_any(const std::string& location,
                             const std::string& cache_dir);

  // Fetches the remote of a mirror made by open_remote. No-op for a local
  // repository. Throws GitError.
  void fetch();

  // Resolves a revision (branch, tag, full or short id, HEAD~1, ...) to a
  // commit id. Throws GitError when it does not name a commit.
  std::string resolve(const std::string& revision) const;

  // The commit a branch points to, or nullopt when there is no such
  // branch. Reads one reference, so it is cheap enough to poll.
  std::optional<std::string> branch_commit(const std::string& branch) const;

  // The commit a branch points to in the remote of a mirror made by
  // open_remote, asked over the network without fetching (as
  // `git ls-remote` does), or nullopt when the remote has no such branch.
  // For a local repository it is branch_commit(). Throws GitError when
  // the remote cannot be reached.
  std::optional<std::string> remote_branch_commit(
      const std::string& branch) const;

  CommitInfo commit_info(const std::string& revision) const;

  // Commits reachable from `revision` that changed `path` (a file or
  // folder; "" for any change), newest first, at most `limit`. Throws
  // GitError.
  std::vector<CommitInfo> history(const std::string& revision,
                                  const std::string& path,
                                  size_t limit = 100) const;

  // The working tree of a non-bare repository, else the repository folder.
  std::string path() const;

  // The URL a mirror made by open_remote fetches from; empty otherwise.
  const std::string& remote_url() const { return remote_url_; }

  git_repository* handle() const { return repo_.get(); }

 private:
  explicit Repository(std::shared_ptr<git_repository> repo);

  std::shared_ptr<git_repository> repo_;
  std::string remote_url_;
};

// The files of a repository at one commit, below an optional subfolder,
// read from the object database without a checkout.
class GitSource final : public model::FileSource {
 public:
  // Throws GitError when `revision` or `subfolder` does not exist.
  GitSource(const Repository& repository, const std::string& revision,
            const std::string& subfolder = "");
  ~GitSource() override;
  GitSource(const GitSource&) = delete;
  GitSource& operator=(const GitSource&) = delete;

  std::optional<std::string> read(const std::string& path) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  std::string describe() const override;

  // The blob id (40 hex digits) of the file at `path`, read from the tree
  // alone, or nullopt when no file is there.
  std::optional<std::string> content_id(const std::string& path) const override;

  const std::string& commit_id() const { return commit_id_; }

 private:
  Repository repository_;
  std::string commit_id_;
  std::string subfolder_;
  git_tree* tree_ = nullptr;  // the subfolder's tree, owned
};

}  // namespace signet::repo
