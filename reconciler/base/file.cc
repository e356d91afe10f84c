#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

namespace signet {

namespace {

[[noreturn]] void throw_errno(const std::string& what,
                              const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(),
                          what + " " + path.string());
}

void write_all(int fd, std::string_view data,
               const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      throw_errno("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path,
                       std::string_view contents, unsigned mode) {
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    throw_errno("cannot create", tmp);
  }
  try {
    if (::fchmod(fd, mode) != 0) {
      throw_errno("cannot set mode of", tmp);
    }
    write_all(fd, contents, tmp);
    if (::fsync(fd) != 0) {
      throw_errno("cannot sync", tmp);
    }
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw_errno("cannot rename onto", path);
  }
}

std::string read_file(const std::filesystem::path& path) {
  // A device or pipe (/dev/zero) could be read without end.
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    throw std::system_error(EINVAL, std::generic_category(),
                            path.string() + " is not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot open " + path.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace signet
