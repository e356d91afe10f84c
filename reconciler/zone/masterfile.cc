#include "zone/masterfile.h"

namespace signet::zone {

void RecordLocations::note(const Name&, RrType, const model::Location&) {}

model::Location RecordLocations::find(const Name&, RrType) const {
  return {};
}

SourceMap RecordLocations::as_source_map() const {
  return [this](const Name& owner, RrType type) { return find(owner, type); };
}

std::optional<Zone> read_master_file(const std::string& path,
                                     const Name& origin,
                                     model::Diagnostics& diagnostics) {
  return read_master_file(path, origin, MasterFileOptions{}, diagnostics);
}

std::optional<Zone> read_master_file(const std::string& path,
                                     const Name& origin,
                                     const MasterFileOptions&,
                                     model::Diagnostics& diagnostics) {
  diagnostics.error({path, 0, 0}, "master files are not supported yet");
  (void)origin;
  return std::nullopt;
}

std::optional<Zone> parse_master_text(const std::string& text,
                                      const std::string& path_for_messages,
                                      const Name& origin,
                                      model::Diagnostics& diagnostics) {
  return parse_master_text(text, path_for_messages, origin, MasterFileOptions{},
                           diagnostics);
}

std::optional<Zone> parse_master_text(const std::string&,
                                      const std::string& path_for_messages,
                                      const Name& origin,
                                      const MasterFileOptions&,
                                      model::Diagnostics& diagnostics) {
  diagnostics.error({path_for_messages, 0, 0},
                    "master files are not supported yet");
  (void)origin;
  return std::nullopt;
}

std::string write_master_file(const Zone&) {
  return {};
}

}  // namespace signet::zone
