#include "dnssec/rrsig.h"

namespace signet::dnssec {

namespace {

void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void put32(std::string& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v & 0xffff));
}

uint32_t get32(std::string_view s, size_t pos) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
  }
  return v;
}

}  // namespace

void append_rrsig_header(const RrsigFields& f, const zone::Name& signer,
                         std::string& out) {
  put16(out, f.type_covered);
  out.push_back(static_cast<char>(f.algorithm));
  out.push_back(static_cast<char>(f.labels));
  put32(out, f.original_ttl);
  put32(out, f.expiration);
  put32(out, f.inception);
  put16(out, f.key_tag);
  out += signer.wire();
}

void append_signed_records(const zone::Name& owner, const zone::Rrset& rrset,
                           uint32_t original_ttl, std::string& out) {
  for (const std::string& rdata : rrset.rdatas) {
    out += owner.wire();
    put16(out, rrset.type);
    put16(out, zone::kClassIn);
    put32(out, original_ttl);
    put16(out, static_cast<uint16_t>(rdata.size()));
    out += rdata;
  }
}

bool parse_rrsig_fields(std::string_view rdata, RrsigFields& f) {
  if (rdata.size() < 19) {  // fixed fields and at least the root name
    return false;
  }
  f.type_covered = static_cast<zone::RrType>(get32(rdata, 0) >> 16);
  f.algorithm = static_cast<uint8_t>(rdata[2]);
  f.labels = static_cast<uint8_t>(rdata[3]);
  f.original_ttl = get32(rdata, 4);
  f.expiration = get32(rdata, 8);
  f.inception = get32(rdata, 12);
  f.key_tag =
      static_cast<uint16_t>((static_cast<unsigned char>(rdata[16]) << 8) |
                            static_cast<unsigned char>(rdata[17]));
  return true;
}

uint8_t rrsig_labels(const zone::Name& owner) {
  int labels = owner.label_count();
  return static_cast<uint8_t>(owner.is_wildcard() ? labels - 1 : labels);
}

}  // namespace signet::dnssec
