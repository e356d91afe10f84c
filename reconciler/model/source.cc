#include "model/source.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace signet::model {

namespace fs = std::filesystem;

std::optional<std::string> FolderSource::read(const std::string& path) const {
  // Tenant files come from pull requests, so a symbolic link must not pull
  // in a file from outside the folder (a secret) and echo it in messages.
  fs::path full = fs::path(root_);
  std::error_code ec;
  for (const fs::path& part : fs::path(path).relative_path()) {
    full /= part;
    fs::file_status status = fs::symlink_status(full, ec);
    if (ec || status.type() == fs::file_type::not_found) {
      return std::nullopt;
    }
    if (status.type() == fs::file_type::symlink) {
      throw std::runtime_error(path +
                               " is a symbolic link; tenant files must be "
                               "regular files inside " +
                               root_);
    }
  }
  if (!fs::is_regular_file(fs::symlink_status(full, ec))) {
    if (fs::is_directory(full, ec)) {
      return std::nullopt;
    }
    throw std::runtime_error(path + " is not a regular file");
  }
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + full.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> FolderSource::list(const std::string& dir) const {
  std::vector<std::string> names;
  std::error_code ec;
  fs::path full = fs::path(root_) / dir;
  for (const auto& entry : fs::directory_iterator(full, ec)) {
    // Links are listed so that read() rejects them instead of skipping
    // them in silence.
    fs::file_type type = entry.symlink_status(ec).type();
    if (type == fs::file_type::regular || type == fs::file_type::symlink) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace signet::model
