// Problems found in input files, each tied to a file, line and column.
#pragma once

#include <string>
#include <vector>

namespace signet::model {

// A position in an input file. Lines and columns count from 1; 0 means
// unknown (the whole file, or input that has no file).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", leaving out the parts that are unknown.
  std::string text() const;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  Location location;
  std::string message;

  // "file:line:col: error: message".
  std::string text() const;
};

// Collects every problem in one pass so a user sees them all at once.
class Diagnostics {
 public:
  void error(Location location, std::string message);
  void warning(Location location, std::string message);
  void add(Diagnostic d);
  void append(const Diagnostics& other);

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return items_; }

  // Sorts by file, line and column, keeping the order of equal positions.
  void sort();

 private:
  std::vector<Diagnostic> items_;
  size_t error_count_ = 0;
};

}  // namespace signet::model
