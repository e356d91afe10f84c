// RFC 1035 section 5 master files: reading into a Zone and writing one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "zone/checks.h"
#include "zone/name.h"
#include "zone/zone.h"

namespace signet::zone {

// Positions of the records of a master file, used as the SourceMap
// for check_zone so that semantic errors point into the file. Records are
// appended in file order and indexed on the first find(), so reading a
// large zone pays for an index only when a problem is reported. find() is
// therefore not safe to call from two threads at once.
class MasterFileLocations {
 public:
  // Stores `location` for one record of owner/type.
  void note(const Name& owner, RrType type, const model::Location& location);

  // The location of the first record of owner/type. When there is none,
  // the location of the whole top-level file, or an empty Location before
  // any note().
  model::Location find(const Name& owner, RrType type) const;

  // A SourceMap over this object; it must outlive the returned function.
  SourceMap as_source_map() const;

 private:
  friend class MasterFileReader;

  struct Position {
    uint64_t key = 0;   // hash of owner and type, see rrset_hash()
    uint32_t file = 0;  // index into files_
    uint32_t line = 0;
    uint32_t column = 0;
    uint32_t order = 0;  // position in the file, to keep the first record
  };

  uint32_t file_index(const std::string& file);
  model::Location location_of(const Position& position) const;

  std::vector<std::string> files_;
  mutable std::vector<Position> positions_;
  mutable bool sorted_ = true;
};

struct MasterFileOptions {
  // TTL of records that give none when no $TTL line precedes them. Without
  // it such records are errors, and the SOA MINIMUM is not used (RFC 2308
  // section 4 retired that meaning).
  std::optional<uint32_t> default_ttl;

  // Whether $INCLUDE lines are followed. Off for untrusted input that must
  // not read other files.
  bool allow_include = true;

  // Whether a zone with errors is still returned, holding the records that
  // were read. Off by default, so that any error gives nullopt.
  bool keep_partial_zone = false;

  // When set, receives the location of every RRset.
  MasterFileLocations* locations = nullptr;
};

// Reads the master file at `path` with `origin` as the initial $ORIGIN
// and returns the finalized zone, or nullopt when any error was found
// (unless options.keep_partial_zone is set) or the file cannot be read.
// Every problem (syntax, bad RDATA, a class other than IN, TTL conflicts
// within an RRset) goes to `diagnostics` as an error at path:line:col, and
// duplicate records as warnings. Records outside the zone are kept for
// check_zone, which this function does not run, to report.
// NOTE: Zone keeps one TTL per owner and type, so RRSIG records at one
// owner that cover RRsets with different TTLs all take the first TTL.
std::optional<Zone> read_master_file(const std::string& path,
                                     const Name& origin,
                                     model::Diagnostics& diagnostics);
std::optional<Zone> read_master_file(const std::string& path,
                                     const Name& origin,
                                     const MasterFileOptions& options,
                                     model::Diagnostics& diagnostics);

// Same as read_master_file for text already in memory; `path_for_messages`
// names it in diagnostics, and relative $INCLUDE paths resolve against its
// folder.
std::optional<Zone> parse_master_text(const std::string& text,
                                      const std::string& path_for_messages,
                                      const Name& origin,
                                      model::Diagnostics& diagnostics);
std::optional<Zone> parse_master_text(const std::string& text,
                                      const std::string& path_for_messages,
                                      const Name& origin,
                                      const MasterFileOptions& options,
                                      model::Diagnostics& diagnostics);

// Writes a finalized zone as a master file: a $ORIGIN line, the apex SOA
// first, then every record in canonical order, one per line with absolute
// owner names. The output depends only on the zone's contents.
std::string write_master_file(const Zone& zone);

// The same text handed to `sink` a piece at a time, so a large zone need
// not be held as text at once. `threads` format pieces in parallel; the
// pieces reach `sink` in order, on the calling thread.
void write_master_file(const Zone& zone,
                       const std::function<void(std::string_view)>& sink,
                       unsigned threads);

}  // namespace signet::zone
