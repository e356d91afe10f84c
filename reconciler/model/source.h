// Read access to a tenant's files, from a folder or a Git commit.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace signet::model {

// The files of a tenant repository at one point in time. Paths are
// relative to the tenant's root and use '/' separators.
class FileSource {
 public:
  virtual ~FileSource() = default;

  // Returns the file's contents, or nullopt when it does not exist.
  // Throws std::runtime_error on an I/O error, and for a folder source
  // when the path leads through a symbolic link or to a file that is not
  // a regular file.
  virtual std::optional<std::string> read(const std::string& path) const = 0;

  // Names of the regular files directly inside `dir` ("" is the root),
  // sorted. Empty when the folder does not exist.
  virtual std::vector<std::string> list(const std::string& dir) const = 0;

  // A short description for messages: a folder path or "repo@commit".
  virtual std::string describe() const = 0;

  // An id that changes whenever the file's contents change (a Git blob
  // id), found without reading the contents, or nullopt when the source
  // has no such id or the file does not exist. Two files with the same id
  // have the same contents.
  virtual std::optional<std::string> content_id(const std::string& path) const {
    (void)path;
    return std::nullopt;
  }
};

// Files in a folder on disk.
class FolderSource final : public FileSource {
 public:
  explicit FolderSource(std::string root) : root_(std::move(root)) {}

  std::optional<std::string> read(const std::string& path) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  std::string describe() const override { return root_; }

 private:
  std::string root_;
};

}  // namespace signet::model
