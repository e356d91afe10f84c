// Zone transfer responses: AXFR (RFC 5936) and condensed IXFR (RFC 1995),
// produced one message at a time so a slow client never makes the server
// hold more than a few messages.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transfer/server.h"
#include "transfer/tsig.h"
#include "zone/diff.h"

namespace signet::transfer {

// Combines the journal entries from `from_serial` to the zone's serial into
// one difference: removed records start with the SOA of `from_serial`,
// added ones with the current SOA, and a record added then removed again
// appears in neither. Returns nullopt when the journal has no unbroken
// chain from `from_serial` to the zone's serial.
std::optional<zone::ZoneDiff> condense_journal(const PublishedZone& zone,
                                               uint32_t from_serial);

// The records of one transfer response, in order, and the messages that
// carry them. Holds the published version, so a later publish() does not
// change what this transfer sends.
class XfrStream {
 public:
  enum class Kind { kAxfr, kIxfr };

  // A full transfer of `zone` (also the answer to an IXFR that the journal
  // cannot serve incrementally, RFC 1995 section 4).
  static std::unique_ptr<XfrStream> full(
      std::shared_ptr<const PublishedZone> zone, Kind kind);

  // An incremental transfer carrying `diff`.
  static std::unique_ptr<XfrStream> incremental(
      std::shared_ptr<const PublishedZone> zone, zone::ZoneDiff diff);

  // Header fields copied from the request, and the TSIG signer when the
  // request was signed.
  void set_request(uint16_t id, const zone::Name& qname, uint16_t qtype);
  void set_signer(std::unique_ptr<TsigSigner> signer);

  // Appends the next message to `out`. Returns false when every record
  // has been sent, or when a record is too large for any message.
  bool next_message(std::string& out);

  bool done() const { return done_; }
  bool failed() const { return failed_; }
  Kind kind() const { return kind_; }
  bool incremental() const { return !diff_records_.empty(); }
  uint32_t serial() const;
  const zone::Name& origin() const;
  const std::shared_ptr<const PublishedZone>& published() const {
    return zone_;
  }

 private:
  struct RecordView {
    const zone::Name* owner;
    uint16_t type;
    uint32_t ttl;
    std::string_view rdata;
  };

  XfrStream(std::shared_ptr<const PublishedZone> zone, Kind kind);
  bool peek(RecordView& record) const;
  void advance();
  void skip_apex_soa();

  std::shared_ptr<const PublishedZone> zone_;
  Kind kind_;
  uint16_t id_ = 0;
  zone::Name qname_;
  uint16_t qtype_ = 0;
  std::unique_ptr<TsigSigner> signer_;
  bool first_message_ = true;
  bool done_ = false;
  bool failed_ = false;

  // Full transfer: phase 0 is the leading SOA, 1 the zone body, 2 the
  // closing SOA, 3 the end.
  int phase_ = 0;
  size_t node_ = 0;
  size_t rrset_ = 0;
  size_t rdata_ = 0;

  // Incremental transfer: the whole record sequence, SOAs included.
  std::vector<zone::Rr> diff_records_;
  size_t diff_index_ = 0;
};

}  // namespace signet::transfer
