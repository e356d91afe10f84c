// Small file helpers used where a half-written file would lose data.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace signet {

// Writes `contents` to `path` atomically: the data goes to a temporary file
// in the same folder, is flushed to disk, gets `mode`, and is renamed over
// `path`. Readers see the old file or the new one, never a mix.
// Throws std::system_error on failure and leaves `path` untouched.
void write_file_atomic(const std::filesystem::path& path,
                       std::string_view contents, unsigned mode = 0644);

// The same for a file written a piece at a time. Nothing reaches `path`
// until commit(); a writer destroyed before that removes its temporary
// file.
class AtomicFileWriter {
 public:
  // Throws std::system_error when the temporary file cannot be made.
  AtomicFileWriter(std::filesystem::path path, unsigned mode = 0644);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view data);

  // Flushes the data to disk and renames the file over the path.
  void commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  int fd_ = -1;
};

// Reads a whole regular file. Throws std::system_error when it cannot be
// read or is not a regular file (a device or a pipe).
std::string read_file(const std::filesystem::path& path);

}  // namespace signet
