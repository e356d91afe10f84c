// The zones/<zone>.yaml file of a tenant repository, as written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostic.h"

namespace signet::model {

// How Signet picks the next SOA serial. Users never type a serial.
enum class SerialPolicy {
  kIncrement,   // previous serial + 1
  kUnixtime,    // seconds since the epoch, or previous + 1 if not larger
  kDateserial,  // YYYYMMDDnn, or previous + 1 if not larger
};

// "increment", "unixtime" or "dateserial".
const char* serial_policy_name(SerialPolicy policy);

// A name that refers to something declared elsewhere (a secondary).
struct Reference {
  std::string name;
  Location location;
};

// SOA fields other than the serial. Durations are seconds.
struct SoaSettings {
  std::string primary;  // MNAME as written; empty: the first apex NS
  Location primary_location;
  std::string contact;  // RNAME as a domain name (e-mail addresses are
                        // converted); empty: hostmaster.<zone>
  Location contact_location;
  std::optional<uint32_t> ttl;  // unset: the zone's default TTL
  uint32_t refresh = 3600;
  uint32_t retry = 900;
  uint32_t expire = 1209600;
  uint32_t minimum = 3600;  // negative-caching TTL (RFC 2308)
  SerialPolicy serial = SerialPolicy::kIncrement;
  Location location;  // the soa: key, or the zone key when absent
};

// A domain name inside a structured value, kept with its own position so
// that a bad name is reported where it was typed.
struct NameField {
  std::string text;
  Location location;
};

// One record's data. Structured values are converted to presentation
// format while parsing, so `rdata` is always presentation-format RDATA for
// the RRset's type, relative names meaning relative to the zone.
struct RecordValue {
  std::string rdata;
  Location location;
  bool structured = false;
  std::vector<NameField> names;  // structured values only
};

// The records of one owner and type.
struct RecordSet {
  std::string type;   // mnemonic in upper case, or TYPEnnn, as written
  Location location;  // the type key
  std::optional<uint32_t> ttl;  // unset: the zone's default TTL
  Location ttl_location;
  std::vector<RecordValue> values;
};

// The record sets of one owner name, in file order.
struct OwnerRecords {
  std::string owner;  // "@", relative or absolute, as written
  Location location;
  std::vector<RecordSet> rrsets;
};

struct ZoneFile {
  std::string path;  // the file name used in messages
  std::string zone;  // the zone name as written
  Location zone_location;
  std::string policy = "default";
  Location policy_location;
  uint32_t ttl = 3600;  // default TTL of the records
  Location ttl_location;
  SoaSettings soa;
  std::vector<Reference> secondaries;
  std::vector<OwnerRecords> records;
};

// Parses one zone file. Reports every problem in `text` to `diagnostics`
// with its file:line:col and returns what could be read; returns nullopt
// only when the file is not YAML or has no usable `zone:` key. Checks that
// need DNS knowledge (names, types, RDATA) happen in zone::build_zone.
std::optional<ZoneFile> parse_zone_file(const std::string& path,
                                        const std::string& text,
                                        Diagnostics& diagnostics);

// The owner blocks of one version of a zone file: each entry of its
// block-style `records:` mapping, from the owner key's line to the next
// owner key, with what parsing it produced. Made only by a parse without
// errors, in which every block gave one OwnerRecords.
struct OwnerBlocks {
  struct Block {
    size_t offset = 0;  // of the owner key's line in `text`
    size_t size = 0;
    int line = 0;  // 0-based line of the owner key
    // False when the block may use a YAML anchor or alias ('&' or '*'
    // anywhere in it), whose value can come from another block.
    bool reusable = false;
    // The block of the PreviousParse this one was taken from, if any.
    std::optional<size_t> previous;
  };

  std::string text;           // the whole file
  std::vector<Block> blocks;  // in the order of ZoneFile::records

  // The 0-based line after block `i`: the next block's line, or the line
  // after the last block's text.
  int end_line(size_t i) const;

  // Warnings parsing reported inside a block, with the block's index.
  std::vector<std::pair<size_t, Diagnostic>> warnings;
};

// A parse of an earlier version of the same file: what it returned and
// its owner blocks. A parse that reuses its owner blocks takes their
// records out of `file` (see parse_zone_file).
struct PreviousParse {
  ZoneFile& file;
  const OwnerBlocks& blocks;
};

// Assigns each diagnostic located inside an owner block of `blocks` to
// that block. Returns (block index, diagnostic) in block order.
std::vector<std::pair<size_t, Diagnostic>> diagnostics_by_block(
    const OwnerBlocks& blocks, const Diagnostics& diagnostics);

// How many owner blocks a parse took from a PreviousParse and how many it
// parsed.
struct OwnerCounts {
  size_t reused = 0;
  size_t parsed = 0;
};

// As above, but owner blocks whose text is the same as one of `previous`
// (possibly on another line) are not parsed again: their records are
// moved out of previous->file, with positions moved to the block's new
// line, and their warnings are copied from previous->blocks. The result
// and the diagnostics are the same as without `previous`.
//
// Sets `*blocks` to this version's owner blocks, which keep `text`, when
// the parse had no errors. previous->file then lacks the records of the
// blocks whose `previous` is set, until give_back_records returns them.
// Otherwise `*blocks` is null and previous->file is left as it was. Adds
// to `*counts` when given.
std::optional<ZoneFile> parse_zone_file(const std::string& path,
                                        std::string text,
                                        Diagnostics& diagnostics,
                                        PreviousParse* previous,
                                        std::shared_ptr<OwnerBlocks>* blocks,
                                        OwnerCounts* counts = nullptr);

// Copies back into `previous` the records that a parse with it took for
// `file` and `blocks`, for a caller that will not use `file` as the next
// PreviousParse.
void give_back_records(const ZoneFile& file, const OwnerBlocks& blocks,
                       PreviousParse previous);

// Converts a contact written as an e-mail address ("hostmaster@example.com",
// "john.doe@example.com") to the RNAME form ("hostmaster.example.com.",
// "john\.doe.example.com."). Text without '@' is returned unchanged.
std::string contact_to_rname(const std::string& contact);

// The limits of TTL values (RFC 2181 section 8).
inline constexpr int64_t kMaxTtl = 2147483647;

}  // namespace signet::model
