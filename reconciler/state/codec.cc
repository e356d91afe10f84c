#include "state/codec.h"

#include <cstdint>

#include "zone/rdata.h"

namespace signet::state {

namespace {

void put32(uint32_t v, std::string& out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// Reads big-endian numbers and wire records from a BLOB; every read checks
// the remaining length, so corrupt input fails instead of overrunning.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ == data_.size(); }

  std::optional<uint32_t> number(int octets) {
    if (data_.size() - pos_ < static_cast<size_t>(octets)) {
      return std::nullopt;
    }
    uint32_t v = 0;
    for (int i = 0; i < octets; ++i) {
      v = (v << 8) | static_cast<unsigned char>(data_[pos_++]);
    }
    return v;
  }

  std::optional<zone::Name> name() {
    size_t start = pos_;
    while (true) {
      std::optional<uint32_t> length = number(1);
      if (!length || *length > 63 || pos_ - start > 255) {
        return std::nullopt;
      }
      if (*length == 0) {
        break;
      }
      if (data_.size() - pos_ < *length) {
        return std::nullopt;
      }
      pos_ += *length;
    }
    return zone::Name::from_canonical_wire(
        std::string(data_.substr(start, pos_ - start)));
  }

  std::optional<zone::Rr> rr() {
    std::optional<zone::Name> owner = name();
    std::optional<uint32_t> type = number(2);
    std::optional<uint32_t> rr_class = number(2);
    std::optional<uint32_t> ttl = number(4);
    std::optional<uint32_t> length = number(2);
    if (!owner || !length || data_.size() - pos_ < *length) {
      return std::nullopt;
    }
    zone::Rr out{*owner, static_cast<zone::RrType>(*type), *ttl,
                 std::string(data_.substr(pos_, *length))};
    pos_ += *length;
    (void)rr_class;  // always IN
    return out;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

std::string encode_zone(const zone::Zone& zone) {
  std::string out;
  zone.for_each_rr([&out](const zone::Rr& rr) { append_rr_wire(rr, out); });
  return out;
}

std::optional<zone::Zone> decode_zone(std::string_view blob,
                                      const zone::Name& origin) {
  zone::Zone out(origin);
  Reader reader(blob);
  while (!reader.done()) {
    std::optional<zone::Rr> rr = reader.rr();
    if (!rr) {
      return std::nullopt;
    }
    out.add(*rr);
  }
  out.finalize();
  return out;
}

std::string encode_diff(const zone::ZoneDiff& diff) {
  std::string out;
  put32(diff.from_serial, out);
  put32(diff.to_serial, out);
  put32(static_cast<uint32_t>(diff.removed.size()), out);
  for (const zone::Rr& rr : diff.removed) {
    append_rr_wire(rr, out);
  }
  for (const zone::Rr& rr : diff.added) {
    append_rr_wire(rr, out);
  }
  return out;
}

std::optional<zone::ZoneDiff> decode_diff(std::string_view blob) {
  Reader reader(blob);
  std::optional<uint32_t> from = reader.number(4);
  std::optional<uint32_t> to = reader.number(4);
  std::optional<uint32_t> removed = reader.number(4);
  if (!removed) {
    return std::nullopt;
  }
  zone::ZoneDiff diff;
  diff.from_serial = *from;
  diff.to_serial = *to;
  for (uint32_t i = 0; i < *removed; ++i) {
    std::optional<zone::Rr> rr = reader.rr();
    if (!rr) {
      return std::nullopt;
    }
    diff.removed.push_back(std::move(*rr));
  }
  while (!reader.done()) {
    std::optional<zone::Rr> rr = reader.rr();
    if (!rr) {
      return std::nullopt;
    }
    diff.added.push_back(std::move(*rr));
  }
  return diff;
}

}  // namespace signet::state
