#include "repo/git.h"

namespace signet::repo {

std::string CommitInfo::summary() const {
  return message.substr(0, message.find('\n'));
}

bool is_remote_url(const std::string& location) {
  return location.find("://") != std::string::npos;
}

Repository::Repository(std::shared_ptr<git_repository> repo)
    : repo_(std::move(repo)) {}

Repository Repository::open(const std::string& path) {
  throw GitError("not implemented: " + path);
}

Repository Repository::open_remote(const std::string& url, const std::string&) {
  throw GitError("not implemented: " + url);
}

Repository Repository::open_any(const std::string& location,
                                const std::string& cache_dir) {
  return is_remote_url(location) ? open_remote(location, cache_dir)
                                 : open(location);
}

void Repository::fetch() {}

std::string Repository::resolve(const std::string& revision) const {
  throw GitError("not implemented: " + revision);
}

std::optional<std::string> Repository::branch_commit(const std::string&) const {
  return std::nullopt;
}

CommitInfo Repository::commit_info(const std::string& revision) const {
  throw GitError("not implemented: " + revision);
}

std::vector<CommitInfo> Repository::history(const std::string&,
                                            const std::string&, size_t) const {
  return {};
}

std::string Repository::path() const {
  return {};
}

GitSource::GitSource(const Repository& repository, const std::string& revision,
                     const std::string& subfolder)
    : repository_(repository), subfolder_(subfolder) {
  throw GitError("not implemented: " + revision);
}

GitSource::~GitSource() = default;

std::optional<std::string> GitSource::read(const std::string&) const {
  return std::nullopt;
}

std::vector<std::string> GitSource::list(const std::string&) const {
  return {};
}

std::string GitSource::describe() const {
  return commit_id_;
}

}  // namespace signet::repo
