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

AtomicFileWriter::AtomicFileWriter(std::filesystem::path path, unsigned mode)
    : path_(std::move(path)) {
  tmp_ = path_;
  tmp_ += ".tmp." + std::to_string(::getpid());
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd_ < 0) {
    throw_errno("cannot create", tmp_);
  }
  if (::fchmod(fd_, mode) != 0) {
    int saved = errno;
    ::close(fd_);
    ::unlink(tmp_.c_str());
    errno = saved;
    throw_errno("cannot set mode of", tmp_);
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void AtomicFileWriter::write(std::string_view data) {
  write_all(fd_, data, tmp_);
}

void AtomicFileWriter::commit() {
  if (::fsync(fd_) != 0) {
    throw_errno("cannot sync", tmp_);
  }
  ::close(fd_);
  fd_ = -1;
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp_.c_str());
    errno = saved;
    throw_errno("cannot rename onto", path_);
  }
}

void write_file_atomic(const std::filesystem::path& path,
                       std::string_view contents, unsigned mode) {
  AtomicFileWriter writer(path, mode);
  writer.write(contents);
  writer.commit();
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
