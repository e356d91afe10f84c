#include "transfer/message.h"

#include <cstring>

#include "zone/rrset.h"

namespace signet::transfer {
namespace {

uint16_t get16(std::string_view wire, size_t offset) {
  return static_cast<uint16_t>((static_cast<uint8_t>(wire[offset]) << 8) |
                               static_cast<uint8_t>(wire[offset + 1]));
}

uint32_t get32(std::string_view wire, size_t offset) {
  return (static_cast<uint32_t>(get16(wire, offset)) << 16) |
         get16(wire, offset + 2);
}

void put16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void put32(std::string& out, uint32_t value) {
  put16(out, static_cast<uint16_t>(value >> 16));
  put16(out, static_cast<uint16_t>(value & 0xffff));
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool fail(std::string* error, const char* message) {
  if (error) {
    *error = message;
  }
  return false;
}

// Parses one record header and skips its RDATA.
bool parse_record(std::string_view wire, size_t& offset, Record& record,
                  std::string* error) {
  record.offset = offset;
  auto owner = read_name(wire, offset);
  if (!owner) {
    return fail(error, "invalid owner name");
  }
  if (wire.size() - offset < 10) {
    return fail(error, "truncated record");
  }
  record.owner = std::move(*owner);
  record.type = get16(wire, offset);
  record.rclass = get16(wire, offset + 2);
  record.ttl = get32(wire, offset + 4);
  record.rdata_length = get16(wire, offset + 8);
  offset += 10;
  if (wire.size() - offset < record.rdata_length) {
    return fail(error, "RDATA runs past the message end");
  }
  record.rdata_offset = offset;
  offset += record.rdata_length;
  return true;
}

bool parse_section(std::string_view wire, size_t& offset, uint16_t count,
                   std::vector<Record>& out, std::string* error) {
  out.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    Record record;
    if (!parse_record(wire, offset, record, error)) {
      return false;
    }
    out.push_back(std::move(record));
  }
  return true;
}

// Checks the placement of OPT and TSIG and moves them out of `additional`.
bool extract_meta_records(Message& message, std::string* error) {
  auto meta_in = [](const std::vector<Record>& records) {
    for (const Record& r : records) {
      if (r.type == zone::rrtype::OPT || r.type == zone::rrtype::TSIG) {
        return true;
      }
    }
    return false;
  };
  if (meta_in(message.answers) || meta_in(message.authority)) {
    return fail(error, "OPT or TSIG outside the additional section");
  }
  auto& additional = message.additional;
  for (size_t i = 0; i < additional.size(); ++i) {
    if (additional[i].type == zone::rrtype::TSIG) {
      if (i + 1 != additional.size()) {
        return fail(error, "TSIG is not the last record");
      }
      if (additional[i].rclass != kClassAny || additional[i].ttl != 0) {
        return fail(error, "TSIG with class other than ANY or TTL not 0");
      }
      message.tsig = additional[i];
      additional.pop_back();
      break;
    }
  }
  for (size_t i = 0; i < additional.size(); ++i) {
    const Record& r = additional[i];
    if (r.type != zone::rrtype::OPT) {
      continue;
    }
    if (message.edns) {
      return fail(error, "more than one OPT record");
    }
    if (!r.owner.is_root()) {
      return fail(error, "OPT owner is not the root");
    }
    Edns edns;
    edns.udp_payload = r.rclass;
    edns.extended_rcode = static_cast<uint8_t>(r.ttl >> 24);
    edns.version = static_cast<uint8_t>((r.ttl >> 16) & 0xff);
    edns.dnssec_ok = (r.ttl & 0x8000) != 0;
    message.edns = edns;
  }
  return true;
}

// RDATA layouts of the types whose names RFC 3597 section 4 lets a sender
// compress: 'n' is a name, '2'/'4' fixed-size integers, '*' the rest.
const char* compressible_layout(uint16_t type) {
  switch (type) {
    case zone::rrtype::NS:
    case zone::rrtype::CNAME:
    case zone::rrtype::PTR:
    case 3:  // MD
    case 4:  // MF
    case 7:  // MB
    case 8:  // MG
    case 9:  // MR
      return "n";
    case zone::rrtype::SOA:
      return "nn44444";
    case zone::rrtype::MX:
      return "2n";
    case 14:  // MINFO
      return "nn";
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<Header> parse_header(std::string_view wire) {
  if (wire.size() < kHeaderSize) {
    return std::nullopt;
  }
  Header h;
  h.id = get16(wire, 0);
  uint16_t flags = get16(wire, 2);
  h.qr = flags & 0x8000;
  h.opcode = (flags >> 11) & 0xf;
  h.aa = flags & 0x0400;
  h.tc = flags & 0x0200;
  h.rd = flags & 0x0100;
  h.ra = flags & 0x0080;
  h.ad = flags & 0x0020;
  h.cd = flags & 0x0010;
  h.rcode = flags & 0xf;
  h.qdcount = get16(wire, 4);
  h.ancount = get16(wire, 6);
  h.nscount = get16(wire, 8);
  h.arcount = get16(wire, 10);
  return h;
}

void write_header(const Header& h, char* out) {
  uint16_t flags = (h.qr ? 0x8000 : 0) | ((h.opcode & 0xf) << 11) |
                   (h.aa ? 0x0400 : 0) | (h.tc ? 0x0200 : 0) |
                   (h.rd ? 0x0100 : 0) | (h.ra ? 0x0080 : 0) |
                   (h.ad ? 0x0020 : 0) | (h.cd ? 0x0010 : 0) | (h.rcode & 0xf);
  const uint16_t fields[6] = {h.id,      flags,     h.qdcount,
                              h.ancount, h.nscount, h.arcount};
  for (int i = 0; i < 6; ++i) {
    out[2 * i] = static_cast<char>(fields[i] >> 8);
    out[2 * i + 1] = static_cast<char>(fields[i] & 0xff);
  }
}

std::optional<zone::Name> read_name(std::string_view wire, size_t& offset) {
  std::string name;
  size_t position = offset;
  size_t end_of_name = 0;  // where the caller continues; set at first jump
  bool jumped = false;
  while (true) {
    if (position >= wire.size()) {
      return std::nullopt;
    }
    uint8_t length = static_cast<uint8_t>(wire[position]);
    if ((length & 0xc0) == 0xc0) {
      if (position + 1 >= wire.size()) {
        return std::nullopt;
      }
      size_t target = get16(wire, position) & 0x3fff;
      // Pointing backwards only makes every loop impossible.
      if (target >= position) {
        return std::nullopt;
      }
      if (!jumped) {
        end_of_name = position + 2;
        jumped = true;
      }
      position = target;
      continue;
    }
    if ((length & 0xc0) != 0) {
      return std::nullopt;  // the 0x40 and 0x80 label types are obsolete
    }
    if (position + 1 + length > wire.size() || name.size() + 1 + length > 255) {
      return std::nullopt;
    }
    name.push_back(static_cast<char>(length));
    for (size_t i = 0; i < length; ++i) {
      name.push_back(lower(wire[position + 1 + i]));
    }
    position += 1 + length;
    if (length == 0) {
      break;
    }
  }
  offset = jumped ? end_of_name : position;
  return zone::Name::from_canonical_wire(std::move(name));
}

std::optional<Message> parse_message(std::string_view wire,
                                     std::string* error) {
  auto header = parse_header(wire);
  if (!header) {
    fail(error, "message shorter than the header");
    return std::nullopt;
  }
  Message message;
  message.header = *header;
  size_t offset = kHeaderSize;
  for (uint16_t i = 0; i < header->qdcount; ++i) {
    auto name = read_name(wire, offset);
    if (!name) {
      fail(error, "invalid question name");
      return std::nullopt;
    }
    if (wire.size() - offset < 4) {
      fail(error, "truncated question");
      return std::nullopt;
    }
    message.questions.push_back(
        {std::move(*name), get16(wire, offset), get16(wire, offset + 2)});
    offset += 4;
  }
  if (!parse_section(wire, offset, header->ancount, message.answers, error) ||
      !parse_section(wire, offset, header->nscount, message.authority, error) ||
      !parse_section(wire, offset, header->arcount, message.additional,
                     error)) {
    return std::nullopt;
  }
  if (offset != wire.size()) {
    fail(error, "octets after the last record");
    return std::nullopt;
  }
  if (!extract_meta_records(message, error)) {
    return std::nullopt;
  }
  return message;
}

std::optional<std::string> read_rdata(std::string_view wire,
                                      const Record& record) {
  std::string_view rdata =
      wire.substr(record.rdata_offset, record.rdata_length);
  const char* layout = compressible_layout(record.type);
  if (!layout) {
    return std::string(rdata);
  }
  std::string out;
  size_t offset = record.rdata_offset;
  size_t end = record.rdata_offset + record.rdata_length;
  for (const char* field = layout; *field; ++field) {
    if (*field == 'n') {
      auto name = read_name(wire.substr(0, end), offset);
      if (!name) {
        return std::nullopt;
      }
      out += name->wire();
      continue;
    }
    size_t size = *field - '0';
    if (end - offset < size) {
      return std::nullopt;
    }
    out.append(wire.substr(offset, size));
    offset += size;
  }
  if (offset != end) {
    return std::nullopt;
  }
  return out;
}

std::optional<uint32_t> read_soa_serial(std::string_view wire,
                                        const Record& record) {
  if (record.type != zone::rrtype::SOA) {
    return std::nullopt;
  }
  auto rdata = read_rdata(wire, record);
  if (!rdata) {
    return std::nullopt;
  }
  size_t offset = 0;
  for (int names = 0; names < 2; ++names) {
    while (offset < rdata->size() && (*rdata)[offset] != 0) {
      offset += 1 + static_cast<uint8_t>((*rdata)[offset]);
    }
    ++offset;
  }
  return get32(*rdata, offset);
}

MessageWriter::MessageWriter(std::string& out, size_t max_size)
    : out_(out), base_(out.size()), max_size_(max_size) {
  out_.resize(base_ + kHeaderSize);
}

void MessageWriter::write_name(const zone::Name& name) {
  std::string_view wire = name.wire();
  size_t position = 0;
  while (wire[position] != 0) {
    std::string_view suffix = wire.substr(position);
    auto it = suffixes_.find(suffix);
    if (it != suffixes_.end()) {
      put16(out_, static_cast<uint16_t>(0xc000 | it->second));
      return;
    }
    size_t here = out_.size() - base_;
    if (here < 0x4000) {
      suffixes_.emplace(suffix, static_cast<uint16_t>(here));
    }
    uint8_t length = static_cast<uint8_t>(wire[position]);
    out_.append(wire.substr(position, length + 1));
    position += length + 1;
  }
  out_.push_back('\0');
}

bool MessageWriter::add_question(const zone::Name& name, uint16_t type,
                                 uint16_t qclass) {
  if (size() + name.wire().size() + 4 > max_size_) {
    return false;
  }
  write_name(name);
  put16(out_, type);
  put16(out_, qclass);
  ++counts_[0];
  return true;
}

bool MessageWriter::add_record(Section section, const zone::Name& owner,
                               uint16_t type, uint16_t rclass, uint32_t ttl,
                               std::string_view rdata) {
  // Checked before writing with the uncompressed size, so a record never
  // has to be taken back out of the compression table.
  if (size() + owner.wire().size() + 10 + rdata.size() > max_size_) {
    return false;
  }
  write_name(owner);
  put16(out_, type);
  put16(out_, rclass);
  put32(out_, ttl);
  put16(out_, static_cast<uint16_t>(rdata.size()));
  out_.append(rdata);
  ++counts_[1 + static_cast<int>(section)];
  return true;
}

bool MessageWriter::add_opt(uint16_t udp_payload, uint8_t extended_rcode,
                            bool dnssec_ok) {
  if (size() + 11 > max_size_) {
    return false;
  }
  out_.push_back('\0');
  put16(out_, zone::rrtype::OPT);
  put16(out_, udp_payload);
  put32(out_, (static_cast<uint32_t>(extended_rcode) << 24) |
                  (dnssec_ok ? 0x8000 : 0));
  put16(out_, 0);
  ++counts_[3];
  return true;
}

size_t MessageWriter::finish() {
  Header h = header_;
  h.qdcount = counts_[0];
  h.ancount = counts_[1];
  h.nscount = counts_[2];
  h.arcount = counts_[3];
  write_header(h, out_.data() + base_);
  return size();
}

}  // namespace signet::transfer
