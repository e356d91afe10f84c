// DNS messages (RFC 1035 section 4): strict parsing and compressed output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "zone/name.h"

namespace signet::transfer {

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxTcpMessage = 65535;
inline constexpr size_t kMinUdpPayload = 512;
// EDNS payload this server offers and uses at most over UDP, the size
// that avoids IP fragmentation on common paths.
inline constexpr size_t kMaxUdpPayload = 1232;

namespace opcode {
inline constexpr uint8_t kQuery = 0;
inline constexpr uint8_t kNotify = 4;
}  // namespace opcode

namespace rcode {
inline constexpr uint8_t kNoError = 0;
inline constexpr uint8_t kFormErr = 1;
inline constexpr uint8_t kServFail = 2;
inline constexpr uint8_t kNotImp = 4;
inline constexpr uint8_t kRefused = 5;
inline constexpr uint8_t kNotAuth = 9;
}  // namespace rcode

inline constexpr uint16_t kClassAny = 255;

// The fixed 12-octet header, with the flag bits unpacked.
struct Header {
  uint16_t id = 0;
  bool qr = false;
  uint8_t opcode = 0;
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool ad = false;
  bool cd = false;
  uint8_t rcode = 0;  // low four bits
  uint16_t qdcount = 0;
  uint16_t ancount = 0;
  uint16_t nscount = 0;
  uint16_t arcount = 0;
};

struct Question {
  zone::Name name;
  uint16_t type = 0;
  uint16_t qclass = 0;
};

// A record as found in a message. RDATA stays in the message: it may hold
// compression pointers that only the whole message resolves.
struct Record {
  zone::Name owner;
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  size_t offset = 0;  // first octet of the record (its owner name)
  size_t rdata_offset = 0;
  uint16_t rdata_length = 0;
};

// The EDNS(0) OPT record's fields (RFC 6891 section 6.1.3).
struct Edns {
  uint16_t udp_payload = 0;
  uint8_t extended_rcode = 0;
  uint8_t version = 0;
  bool dnssec_ok = false;
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> authority;
  std::vector<Record> additional;
  std::optional<Edns> edns;
  // The TSIG record, always the last of the additional section.
  std::optional<Record> tsig;
};

// Reads the header, or nullopt when `wire` is shorter than 12 octets.
std::optional<Header> parse_header(std::string_view wire);

// Parses a whole message. Every length is checked against the message end;
// compression pointers must point backwards; names are limited to 255
// octets. OPT must be unique, in the additional section, with the root
// owner; TSIG must be the last record. Trailing octets are an error. On
// failure returns nullopt with a short message in `error`.
std::optional<Message> parse_message(std::string_view wire,
                                     std::string* error = nullptr);

// Reads a possibly compressed name at `offset` and moves `offset` past it.
std::optional<zone::Name> read_name(std::string_view wire, size_t& offset);

// The RDATA of `record` in canonical wire form: names in the RDATA of the
// RFC 1035 types that allow compression (NS, CNAME, SOA, PTR, MX, ...)
// are decompressed and lowercased; other RDATA is copied. Returns nullopt
// when the RDATA does not match its type's layout.
std::optional<std::string> read_rdata(std::string_view wire,
                                      const Record& record);

// SOA serial from the RDATA of an SOA `record`, or nullopt when malformed.
std::optional<uint32_t> read_soa_serial(std::string_view wire,
                                        const Record& record);

void write_header(const Header& header, char* out);

// Builds one message at the end of a string, compressing owner names and
// keeping the message within a size limit. Names passed in must outlive
// the writer, because the compression table refers to their octets.
class MessageWriter {
 public:
  enum class Section { kAnswer, kAuthority, kAdditional };

  // Starts a message at the current end of `out`, which must outlive the
  // writer. The message may grow to `max_size` octets.
  MessageWriter(std::string& out, size_t max_size);

  // Sets the header; the counts are filled in by finish().
  void set_header(const Header& header) { header_ = header; }

  bool add_question(const zone::Name& name, uint16_t type, uint16_t qclass);

  // Appends a record with uncompressed `rdata`. Returns false, leaving the
  // message unchanged, when it would exceed the size limit.
  bool add_record(Section section, const zone::Name& owner, uint16_t type,
                  uint16_t rclass, uint32_t ttl, std::string_view rdata);

  // Appends an OPT record advertising `udp_payload`.
  bool add_opt(uint16_t udp_payload, uint8_t extended_rcode = 0,
               bool dnssec_ok = false);

  // Writes the header with the final counts. Returns the message size.
  size_t finish();

  size_t size() const { return out_.size() - base_; }
  size_t record_count() const { return counts_[1] + counts_[2] + counts_[3]; }
  size_t base() const { return base_; }

 private:
  void write_name(const zone::Name& name);

  std::string& out_;
  size_t base_;
  size_t max_size_;
  Header header_;
  uint16_t counts_[4] = {0, 0, 0, 0};
  std::unordered_map<std::string_view, uint16_t> suffixes_;
};

}  // namespace signet::transfer
