#include "model/source.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace signet::model {

namespace fs = std::filesystem;

std::optional<std::string> FolderSource::read(const std::string& path) const {
  fs::path full = fs::path(root_) / path;
  std::error_code ec;
  if (!fs::is_regular_file(full, ec)) {
    return std::nullopt;
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
    if (entry.is_regular_file()) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace signet::model
