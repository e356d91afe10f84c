#include "transfer/xfr.h"

#include <set>

#include "transfer/message.h"
#include "zone/rrset.h"

namespace signet::transfer {
namespace {

// Records that differ only in TTL are distinct here, because IXFR carries
// a TTL change as a removal and an addition.
struct RrLess {
  bool operator()(const zone::Rr& a, const zone::Rr& b) const {
    if (zone::canonical_less(a, b)) {
      return true;
    }
    if (zone::canonical_less(b, a)) {
      return false;
    }
    return a.ttl < b.ttl;
  }
};

bool is_apex_soa(const zone::Rr& rr, const zone::Name& origin) {
  return rr.type == zone::rrtype::SOA && rr.owner == origin;
}

// An upper bound on the octets a TSIG record adds to a message: a 255-octet
// key name, the longest algorithm name, the fixed fields and a 64-octet MAC.
constexpr size_t kTsigReserve = 255 + 26 + 32 + 64;

// How many nodes ahead of the cursor the walk prefetches. Profiles show the
// walk waiting on memory, not on computation.
constexpr size_t kPrefetchDistance = 8;

void prefetch_node(const zone::NodeList& nodes, size_t index) {
  if (index >= nodes.size()) {
    return;
  }
  for (const zone::Rrset& rrset : nodes[index].rrsets) {
    __builtin_prefetch(rrset.rdatas.data());
    if (!rrset.rdatas.empty()) {
      __builtin_prefetch(rrset.rdatas.front().data());
    }
  }
}

}  // namespace

std::optional<zone::ZoneDiff> condense_journal(const PublishedZone& published,
                                               uint32_t from_serial) {
  const auto& journal = published.journal;
  size_t start = journal.size();
  for (size_t i = 0; i < journal.size(); ++i) {
    if (journal[i] && journal[i]->from_serial == from_serial) {
      start = i;
    }
  }
  if (start == journal.size()) {
    return std::nullopt;
  }
  uint32_t serial = from_serial;
  for (size_t i = start; i < journal.size(); ++i) {
    const auto& diff = *journal[i];
    if (diff.from_serial != serial || diff.removed.empty() ||
        diff.added.empty()) {
      return std::nullopt;
    }
    serial = diff.to_serial;
  }
  if (serial != published.zone->serial()) {
    return std::nullopt;
  }
  if (journal.size() - start == 1) {
    return *journal[start];
  }

  const zone::Name& origin = published.zone->origin();
  std::set<zone::Rr, RrLess> removed;
  std::set<zone::Rr, RrLess> added;
  for (size_t i = start; i < journal.size(); ++i) {
    for (const zone::Rr& rr : journal[i]->removed) {
      if (!is_apex_soa(rr, origin) && added.erase(rr) == 0) {
        removed.insert(rr);
      }
    }
    for (const zone::Rr& rr : journal[i]->added) {
      if (!is_apex_soa(rr, origin) && removed.erase(rr) == 0) {
        added.insert(rr);
      }
    }
  }
  zone::ZoneDiff condensed;
  condensed.from_serial = from_serial;
  condensed.to_serial = serial;
  condensed.removed.push_back(journal[start]->removed.front());
  condensed.removed.insert(condensed.removed.end(), removed.begin(),
                           removed.end());
  condensed.added.push_back(journal.back()->added.front());
  condensed.added.insert(condensed.added.end(), added.begin(), added.end());
  return condensed;
}

XfrStream::XfrStream(std::shared_ptr<const PublishedZone> zone, Kind kind)
    : zone_(std::move(zone)), kind_(kind) {}

std::unique_ptr<XfrStream> XfrStream::full(
    std::shared_ptr<const PublishedZone> zone, Kind kind) {
  return std::unique_ptr<XfrStream>(new XfrStream(std::move(zone), kind));
}

std::unique_ptr<XfrStream> XfrStream::incremental(
    std::shared_ptr<const PublishedZone> zone, zone::ZoneDiff diff) {
  auto stream =
      std::unique_ptr<XfrStream>(new XfrStream(std::move(zone), Kind::kIxfr));
  auto& records = stream->diff_records_;
  records.reserve(diff.removed.size() + diff.added.size() + 2);
  records.push_back(diff.added.front());
  records.insert(records.end(), diff.removed.begin(), diff.removed.end());
  records.insert(records.end(), diff.added.begin(), diff.added.end());
  records.push_back(diff.added.front());
  return stream;
}

void XfrStream::set_request(uint16_t id, const zone::Name& qname,
                            uint16_t qtype) {
  id_ = id;
  qname_ = qname;
  qtype_ = qtype;
}

void XfrStream::set_signer(std::unique_ptr<TsigSigner> signer) {
  signer_ = std::move(signer);
}

uint32_t XfrStream::serial() const {
  return zone_->zone->serial();
}

const zone::Name& XfrStream::origin() const {
  return zone_->zone->origin();
}

bool XfrStream::peek(RecordView& record) const {
  if (!diff_records_.empty()) {
    if (diff_index_ >= diff_records_.size()) {
      return false;
    }
    const zone::Rr& rr = diff_records_[diff_index_];
    record = {&rr.owner, rr.type, rr.ttl, rr.rdata};
    return true;
  }
  const zone::Zone& z = *zone_->zone;
  if (phase_ == 0 || phase_ == 2) {
    const zone::Rrset* soa = z.soa();
    record = {&z.origin(), zone::rrtype::SOA, soa->ttl, soa->rdatas.front()};
    return true;
  }
  if (phase_ != 1) {
    return false;
  }
  const zone::Node& node = z.nodes()[node_];
  const zone::Rrset& rrset = node.rrsets[rrset_];
  record = {&node.name, rrset.type, rrset.ttl, rrset.rdatas[rdata_]};
  return true;
}

// Moves the body cursor past the apex SOA and past empty RRsets/nodes.
// The apex is the first node, because every name in the zone sorts after
// the origin in canonical order.
void XfrStream::skip_apex_soa() {
  const auto& nodes = zone_->zone->nodes();
  while (node_ < nodes.size()) {
    const auto& rrsets = nodes[node_].rrsets;
    if (rrset_ < rrsets.size()) {
      const zone::Rrset& rrset = rrsets[rrset_];
      if (rdata_ < rrset.rdatas.size() &&
          (node_ != 0 || rrset.type != zone::rrtype::SOA)) {
        return;
      }
      ++rrset_;
      rdata_ = 0;
      continue;
    }
    ++node_;
    rrset_ = 0;
    rdata_ = 0;
    prefetch_node(nodes, node_ + kPrefetchDistance);
  }
  phase_ = 2;
}

void XfrStream::advance() {
  if (!diff_records_.empty()) {
    ++diff_index_;
    return;
  }
  if (phase_ == 0) {
    phase_ = 1;
    skip_apex_soa();
    return;
  }
  if (phase_ == 1) {
    ++rdata_;
    skip_apex_soa();
    return;
  }
  if (phase_ == 2) {
    phase_ = 3;
  }
}

bool XfrStream::next_message(std::string& out) {
  RecordView record;
  if (done_ || !peek(record)) {
    done_ = true;
    return false;
  }
  size_t limit = kMaxTcpMessage - (signer_ ? kTsigReserve : 0);
  MessageWriter writer(out, limit);
  Header header;
  header.id = id_;
  header.qr = true;
  header.aa = true;
  writer.set_header(header);
  if (first_message_) {
    writer.add_question(qname_, qtype_, zone::kClassIn);
  }
  while (peek(record)) {
    if (!writer.add_record(MessageWriter::Section::kAnswer, *record.owner,
                           record.type, zone::kClassIn, record.ttl,
                           record.rdata)) {
      break;
    }
    advance();
  }
  if (writer.record_count() == 0) {
    // A single record larger than a message: the transfer cannot go on.
    out.resize(writer.base());
    done_ = failed_ = true;
    return false;
  }
  writer.finish();
  if (signer_) {
    signer_->sign(out, writer.base());
  }
  first_message_ = false;
  if (!peek(record)) {
    done_ = true;
  }
  return true;
}

}  // namespace signet::transfer
