#include "repo/git.h"

#include <git2.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <regex>

namespace signet::repo {

namespace {

namespace fs = std::filesystem;

// Initializes libgit2 on first use and shuts it down at process exit.
void ensure_libgit2() {
  struct Library {
    Library() {
      git_libgit2_init();
      // As in git itself, objects are not hashed again on every read: a
      // large zone file's blob would cost a SHA-1 of its whole text per
      // commit. Fetched objects are still checked.
      git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    }
    ~Library() { git_libgit2_shutdown(); }
  };
  static Library library;
}

[[noreturn]] void fail(const std::string& what) {
  const git_error* error = git_error_last();
  std::string detail = error != nullptr && error->message != nullptr
                           ? error->message
                           : "unknown libgit2 error";
  throw GitError(what + ": " + detail);
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using ObjectPtr =
    std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using CommitPtr =
    std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using EntryPtr = std::unique_ptr<git_tree_entry,
                                 Deleter<git_tree_entry, git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using RemotePtr =
    std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using RevwalkPtr =
    std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;

std::shared_ptr<git_repository> wrap(git_repository* repo) {
  return std::shared_ptr<git_repository>(repo, git_repository_free);
}

std::string oid_text(const git_oid* oid) {
  char buffer[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buffer, sizeof buffer, oid);
  return buffer;
}

// Offers the SSH agent's keys for ssh:// remotes; other URLs need none.
int credentials_from_agent(git_credential** out, const char* /*url*/,
                           const char* username_from_url,
                           unsigned int allowed_types, void* /*payload*/) {
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0) {
    return git_credential_ssh_key_from_agent(
        out, username_from_url != nullptr ? username_from_url : "git");
  }
  return GIT_PASSTHROUGH;
}

CommitPtr lookup_commit(git_repository* repo, const std::string& revision) {
  git_object* object = nullptr;
  if (git_revparse_single(&object, repo, revision.c_str()) != 0) {
    fail("revision '" + revision + "' not found");
  }
  ObjectPtr owned(object);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) != 0) {
    fail("revision '" + revision + "' does not name a commit");
  }
  return CommitPtr(reinterpret_cast<git_commit*>(peeled));
}

TreePtr commit_tree(git_commit* commit) {
  git_tree* tree = nullptr;
  if (git_commit_tree(&tree, commit) != 0) {
    fail("cannot read the tree of commit " + oid_text(git_commit_id(commit)));
  }
  return TreePtr(tree);
}

// The object id at `path` in `tree` ("" is the tree itself), or nullopt.
std::optional<git_oid> id_at(git_tree* tree, const std::string& path) {
  if (path.empty()) {
    return *git_tree_id(tree);
  }
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, tree, path.c_str()) != 0) {
    return std::nullopt;
  }
  EntryPtr owned(entry);
  return *git_tree_entry_id(entry);
}

// Whether `commit` changed `path` compared with its parents. A merge
// counts only when the path differs from every parent, as `git log PATH`
// simplifies history.
bool changes_path(git_commit* commit, const std::string& path) {
  TreePtr tree = commit_tree(commit);
  std::optional<git_oid> mine = id_at(tree.get(), path);
  unsigned parents = git_commit_parentcount(commit);
  if (parents == 0) {
    return mine.has_value();
  }
  for (unsigned i = 0; i < parents; ++i) {
    git_commit* parent = nullptr;
    if (git_commit_parent(&parent, commit, i) != 0) {
      fail("cannot read a parent of commit " + oid_text(git_commit_id(commit)));
    }
    CommitPtr owned(parent);
    TreePtr parent_tree = commit_tree(parent);
    std::optional<git_oid> theirs = id_at(parent_tree.get(), path);
    bool same = mine.has_value() == theirs.has_value() &&
                (!mine || git_oid_equal(&*mine, &*theirs));
    if (same) {
      return false;
    }
  }
  return true;
}

CommitInfo info_of(git_commit* commit) {
  CommitInfo info;
  info.id = oid_text(git_commit_id(commit));
  const git_signature* author = git_commit_author(commit);
  info.author_name = author->name != nullptr ? author->name : "";
  info.author_email = author->email != nullptr ? author->email : "";
  info.time = author->when.time;
  const char* message = git_commit_message(commit);
  info.message = message != nullptr ? message : "";
  return info;
}

std::string trim_slashes(std::string path) {
  while (!path.empty() && path.front() == '/') {
    path.erase(0, 1);
  }
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

}  // namespace

std::string CommitInfo::summary() const {
  return message.substr(0, message.find('\n'));
}

bool is_remote_url(const std::string& location) {
  if (location.find("://") != std::string::npos) {
    return true;
  }
  // scp-like syntax: user@host:path, with no slash before the colon.
  static const std::regex scp_like(R"(^[^/@:]+@[^/:]+:.*)");
  return std::regex_match(location, scp_like);
}

Repository::Repository(std::shared_ptr<git_repository> repo)
    : repo_(std::move(repo)) {}

Repository Repository::open(const std::string& path) {
  ensure_libgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    fail("cannot open Git repository '" + path + "'");
  }
  return Repository(wrap(repo));
}

Repository Repository::open_remote(const std::string& url,
                                   const std::string& cache_dir) {
  ensure_libgit2();
  git_repository* raw = nullptr;
  std::error_code ec;
  bool exists = fs::exists(fs::path(cache_dir) / "HEAD", ec);
  if (exists) {
    if (git_repository_open_bare(&raw, cache_dir.c_str()) != 0) {
      fail("cannot open the Git cache '" + cache_dir + "' of " + url);
    }
  } else if (git_repository_init(&raw, cache_dir.c_str(), 1) != 0) {
    fail("cannot create the Git cache '" + cache_dir + "' for " + url);
  }
  Repository repository(wrap(raw));

  git_remote* remote = nullptr;
  if (git_remote_lookup(&remote, raw, "origin") == 0) {
    RemotePtr owned(remote);
    if (url != git_remote_url(remote) &&
        git_remote_set_url(raw, "origin", url.c_str()) != 0) {
      fail("cannot point the Git cache '" + cache_dir + "' at " + url);
    }
  } else {
    // Mirror branches and tags under their own names, so that "main" or
    // "v1" resolve in the cache as they do in the remote.
    if (git_remote_create_with_fetchspec(&remote, raw, "origin", url.c_str(),
                                         "+refs/heads/*:refs/heads/*") != 0) {
      fail("cannot add remote " + url + " to the Git cache '" + cache_dir +
           "'");
    }
    RemotePtr owned(remote);
    if (git_remote_add_fetch(raw, "origin", "+refs/tags/*:refs/tags/*") != 0) {
      fail("cannot configure tag fetching for " + url);
    }
  }
  repository.remote_url_ = url;
  repository.fetch();
  return repository;
}

Repository Repository::open_any(const std::string& location,
                                const std::string& cache_dir) {
  return is_remote_url(location) ? open_remote(location, cache_dir)
                                 : open(location);
}

void Repository::fetch() {
  if (remote_url_.empty()) {
    return;
  }
  git_remote* remote = nullptr;
  if (git_remote_lookup(&remote, repo_.get(), "origin") != 0) {
    fail("the Git cache of " + remote_url_ + " has no remote 'origin'");
  }
  RemotePtr owned(remote);
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.prune = GIT_FETCH_PRUNE;
  options.callbacks.credentials = credentials_from_agent;
  if (git_remote_fetch(remote, nullptr, &options, "fetch") != 0) {
    fail("cannot fetch " + remote_url_);
  }

  // Point HEAD where the remote's HEAD points, so "HEAD" and "HEAD~1"
  // mean the same in the mirror. The reference list of the fetch stays
  // available after it disconnects.
  git_buf head = GIT_BUF_INIT;
  if (git_remote_default_branch(&head, remote) == 0) {
    int status = git_repository_set_head(repo_.get(), head.ptr);
    git_buf_dispose(&head);
    if (status != 0) {
      fail("cannot point HEAD of the Git cache of " + remote_url_);
    }
  }
}

std::string Repository::resolve(const std::string& revision) const {
  CommitPtr commit = lookup_commit(repo_.get(), revision);
  return oid_text(git_commit_id(commit.get()));
}

std::optional<std::string> Repository::branch_commit(
    const std::string& branch) const {
  git_oid oid;
  std::string ref = "refs/heads/" + branch;
  if (git_reference_name_to_id(&oid, repo_.get(), ref.c_str()) != 0) {
    return std::nullopt;
  }
  return oid_text(&oid);
}

std::optional<std::string> Repository::remote_branch_commit(
    const std::string& branch) const {
  if (remote_url_.empty()) {
    return branch_commit(branch);
  }
  git_remote* remote = nullptr;
  if (git_remote_create_anonymous(&remote, repo_.get(), remote_url_.c_str()) !=
      0) {
    fail("cannot use remote " + remote_url_);
  }
  RemotePtr owned(remote);
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = credentials_from_agent;
  if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nullptr,
                         nullptr) != 0) {
    fail("cannot connect to " + remote_url_);
  }
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (git_remote_ls(&heads, &count, remote) != 0) {
    fail("cannot list the branches of " + remote_url_);
  }
  std::string wanted = "refs/heads/" + branch;
  for (size_t i = 0; i < count; ++i) {
    if (wanted == heads[i]->name) {
      return oid_text(&heads[i]->oid);
    }
  }
  return std::nullopt;
}

CommitInfo Repository::commit_info(const std::string& revision) const {
  CommitPtr commit = lookup_commit(repo_.get(), revision);
  return info_of(commit.get());
}

std::vector<CommitInfo> Repository::history(const std::string& revision,
                                            const std::string& path,
                                            size_t limit) const {
  CommitPtr start = lookup_commit(repo_.get(), revision);
  git_revwalk* raw = nullptr;
  if (git_revwalk_new(&raw, repo_.get()) != 0) {
    fail("cannot walk the history of " + this->path());
  }
  RevwalkPtr walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if (git_revwalk_push(walk.get(), git_commit_id(start.get())) != 0) {
    fail("cannot walk the history from " + revision);
  }

  std::string wanted = trim_slashes(path);
  std::vector<CommitInfo> commits;
  git_oid oid;
  while (commits.size() < limit && git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* commit = nullptr;
    if (git_commit_lookup(&commit, repo_.get(), &oid) != 0) {
      fail("cannot read commit " + oid_text(&oid));
    }
    CommitPtr owned(commit);
    if (wanted.empty() || changes_path(commit, wanted)) {
      commits.push_back(info_of(commit));
    }
  }
  return commits;
}

std::string Repository::path() const {
  const char* workdir = git_repository_workdir(repo_.get());
  std::string out =
      workdir != nullptr ? workdir : git_repository_path(repo_.get());
  if (out.size() > 1 && out.back() == '/') {
    out.pop_back();
  }
  return out;
}

GitSource::GitSource(const Repository& repository, const std::string& revision,
                     const std::string& subfolder)
    : repository_(repository), subfolder_(trim_slashes(subfolder)) {
  CommitPtr commit = lookup_commit(repository_.handle(), revision);
  commit_id_ = oid_text(git_commit_id(commit.get()));
  TreePtr root = commit_tree(commit.get());
  if (subfolder_.empty()) {
    tree_ = root.release();
    return;
  }
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, root.get(), subfolder_.c_str()) != 0) {
    throw GitError("folder '" + subfolder_ + "' not found at commit " +
                   commit_id_);
  }
  EntryPtr owned(entry);
  if (git_tree_entry_type(entry) != GIT_OBJECT_TREE ||
      git_tree_lookup(&tree_, repository_.handle(), git_tree_entry_id(entry)) !=
          0) {
    throw GitError("'" + subfolder_ + "' is not a folder at commit " +
                   commit_id_);
  }
}

GitSource::~GitSource() {
  git_tree_free(tree_);
}

std::optional<std::string> GitSource::read(const std::string& path) const {
  git_tree_entry* entry = nullptr;
  std::string wanted = trim_slashes(path);
  if (wanted.empty() ||
      git_tree_entry_bypath(&entry, tree_, wanted.c_str()) != 0) {
    return std::nullopt;
  }
  EntryPtr owned(entry);
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
    return std::nullopt;
  }
  git_blob* blob = nullptr;
  if (git_blob_lookup(&blob, repository_.handle(), git_tree_entry_id(entry)) !=
      0) {
    fail("cannot read " + wanted + " at commit " + commit_id_);
  }
  BlobPtr owned_blob(blob);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob)),
                     static_cast<size_t>(git_blob_rawsize(blob)));
}

std::optional<std::string> GitSource::content_id(
    const std::string& path) const {
  git_tree_entry* entry = nullptr;
  std::string wanted = trim_slashes(path);
  if (wanted.empty() ||
      git_tree_entry_bypath(&entry, tree_, wanted.c_str()) != 0) {
    return std::nullopt;
  }
  EntryPtr owned(entry);
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
    return std::nullopt;
  }
  return oid_text(git_tree_entry_id(entry));
}

std::vector<std::string> GitSource::list(const std::string& dir) const {
  std::string wanted = trim_slashes(dir);
  git_tree* tree = tree_;
  TreePtr owned;
  if (!wanted.empty()) {
    git_tree_entry* entry = nullptr;
    if (git_tree_entry_bypath(&entry, tree_, wanted.c_str()) != 0) {
      return {};
    }
    EntryPtr owned_entry(entry);
    if (git_tree_entry_type(entry) != GIT_OBJECT_TREE ||
        git_tree_lookup(&tree, repository_.handle(),
                        git_tree_entry_id(entry)) != 0) {
      return {};
    }
    owned.reset(tree);
  }
  std::vector<std::string> names;
  size_t count = git_tree_entrycount(tree);
  for (size_t i = 0; i < count; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
      names.emplace_back(git_tree_entry_name(entry));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string GitSource::describe() const {
  std::string out = repository_.path() + "@" + commit_id_.substr(0, 12);
  if (!subfolder_.empty()) {
    out += ":" + subfolder_;
  }
  return out;
}

}  // namespace signet::repo
