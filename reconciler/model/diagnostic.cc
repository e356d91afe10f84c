#include "model/diagnostic.h"

#include <algorithm>
#include <tuple>

#include "base/text.h"

namespace signet::model {

std::string Location::text() const {
  std::string out = file.empty() ? "<input>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) {
      out += ":" + std::to_string(column);
    }
  }
  return out;
}

std::string Diagnostic::text() const {
  return location.text() +
         (severity == Severity::kError ? ": error: " : ": warning: ") + message;
}

void Diagnostics::error(Location location, std::string message) {
  add(Diagnostic{Severity::kError, std::move(location), std::move(message)});
}

void Diagnostics::warning(Location location, std::string message) {
  add(Diagnostic{Severity::kWarning, std::move(location), std::move(message)});
}

void Diagnostics::add(Diagnostic d) {
  // Messages quote tenant input and end up in logs and CI annotations.
  d.message = printable(d.message);
  d.location.file = printable(d.location.file);
  if (d.severity == Severity::kError) {
    ++error_count_;
  }
  items_.push_back(std::move(d));
}

void Diagnostics::append(const Diagnostics& other) {
  for (const Diagnostic& d : other.items_) {
    add(d);
  }
}

void Diagnostics::sort() {
  std::stable_sort(
      items_.begin(), items_.end(),
      [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.location.file, a.location.line, a.location.column) <
               std::tie(b.location.file, b.location.line, b.location.column);
      });
}

}  // namespace signet::model
