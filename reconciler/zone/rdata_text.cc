// Presentation format of the RDATA types a signed zone is made of, written
// without going through ldns's record objects. Each form is the one ldns
// prints, so the text does not depend on which path made it.
#include <arpa/inet.h>

#include <cstdio>
#include <ctime>

#include "zone/rdata.h"

namespace signet::zone {

namespace {

// Reads RDATA fields in order. Every read fails once one ran short.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool u8(unsigned& v) {
    if (!need(1)) {
      return false;
    }
    v = byte(0);
    pos_ += 1;
    return true;
  }
  bool u16(unsigned& v) {
    if (!need(2)) {
      return false;
    }
    v = (byte(0) << 8) | byte(1);
    pos_ += 2;
    return true;
  }
  bool u32(uint32_t& v) {
    if (!need(4)) {
      return false;
    }
    v = (uint32_t{byte(0)} << 24) | (uint32_t{byte(1)} << 16) |
        (uint32_t{byte(2)} << 8) | byte(3);
    pos_ += 4;
    return true;
  }
  bool bytes(size_t n, std::string_view& v) {
    if (!need(n)) {
      return false;
    }
    v = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view rest() {
    std::string_view v = data_.substr(pos_);
    pos_ = data_.size();
    return v;
  }
  // Appends an uncompressed domain name as text. Rejects names with
  // characters ldns would escape, so that those take the ldns path.
  bool name(std::string& out) {
    size_t start = out.size();
    while (true) {
      unsigned len = 0;
      if (!u8(len)) {
        return false;
      }
      if (len == 0) {
        break;
      }
      std::string_view label;
      if (len > 63 || !bytes(len, label)) {
        return false;
      }
      for (char c : label) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*';
        if (!plain) {
          return false;
        }
      }
      out += label;
      out.push_back('.');
    }
    if (out.size() == start) {
      out.push_back('.');
    }
    return true;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  bool need(size_t n) const { return data_.size() - pos_ >= n; }
  unsigned byte(size_t i) const {
    return static_cast<unsigned char>(data_[pos_ + i]);
  }

  std::string_view data_;
  size_t pos_ = 0;
};

void append_number(uint64_t v, std::string& out) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%llu",
                        static_cast<unsigned long long>(v));
  out.append(buf, static_cast<size_t>(n));
}

void append_base64(std::string_view data, std::string& out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(data[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(data[i + 1])} << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t left = data.size() - i;
  if (left == 0) {
    return;
  }
  uint32_t v = uint32_t{static_cast<unsigned char>(data[i])} << 16;
  if (left == 2) {
    v |= uint32_t{static_cast<unsigned char>(data[i + 1])} << 8;
  }
  out.push_back(kAlphabet[v >> 18]);
  out.push_back(kAlphabet[(v >> 12) & 63]);
  out.push_back(left == 2 ? kAlphabet[(v >> 6) & 63] : '=');
  out.push_back('=');
}

void append_hex(std::string_view data, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : data) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
}

void append_base32hex(std::string_view data, std::string& out) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  }
}

// Appends an RRSIG time as YYYYMMDDHHmmSS, taking the 32-bit value
// nearest the present in serial arithmetic (RFC 4034 section 3.2).
void append_time(uint32_t value, std::string& out) {
  time_t now = std::time(nullptr);
  int64_t t = static_cast<int64_t>(now) +
              static_cast<int32_t>(value - static_cast<uint32_t>(now));
  time_t when = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&when, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  out += buf;
}

// Appends the types of an RFC 4034 section 4.1.2 type bitmap, each
// followed by a space.
bool append_bitmap(std::string_view data, std::string& out) {
  Reader r(data);
  while (!r.done()) {
    unsigned window = 0;
    unsigned length = 0;
    std::string_view bits;
    if (!r.u8(window) || !r.u8(length) || length == 0 || length > 32 ||
        !r.bytes(length, bits)) {
      return false;
    }
    for (unsigned i = 0; i < length; ++i) {
      unsigned octet = static_cast<unsigned char>(bits[i]);
      for (unsigned b = 0; b < 8; ++b) {
        if (octet & (0x80u >> b)) {
          out += type_name(static_cast<RrType>(window * 256 + i * 8 + b));
          out.push_back(' ');
        }
      }
    }
  }
  return true;
}

// Appends the 16-bit and two 8-bit fields that start DS and DNSKEY RDATA
// (key tag, algorithm, digest type; flags, protocol, algorithm), each
// followed by a space.
bool append_key_header(Reader& r, std::string& out) {
  unsigned first = 0;
  unsigned second = 0;
  unsigned third = 0;
  if (!r.u16(first) || !r.u8(second) || !r.u8(third)) {
    return false;
  }
  for (unsigned value : {first, second, third}) {
    append_number(value, out);
    out.push_back(' ');
  }
  return true;
}

bool append_fields(RrType type, Reader& r, std::string& out) {
  unsigned a = 0;
  unsigned b = 0;
  unsigned c = 0;
  uint32_t x = 0;
  std::string_view data;
  switch (type) {
    case rrtype::A:
      if (!r.bytes(4, data)) {
        return false;
      } else {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, data.data(), buf, sizeof buf);
        out += buf;
      }
      return true;
    case rrtype::AAAA:
      if (!r.bytes(16, data)) {
        return false;
      } else {
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, data.data(), buf, sizeof buf);
        out += buf;
      }
      return true;
    case rrtype::NS:
    case rrtype::CNAME:
    case rrtype::PTR:
    case rrtype::DNAME:
      return r.name(out);
    case rrtype::MX:
      if (!r.u16(a)) {
        return false;
      }
      append_number(a, out);
      out.push_back(' ');
      return r.name(out);
    case rrtype::SOA:
      if (!r.name(out)) {
        return false;
      }
      out.push_back(' ');
      if (!r.name(out)) {
        return false;
      }
      for (int i = 0; i < 5; ++i) {
        if (!r.u32(x)) {
          return false;
        }
        out.push_back(' ');
        append_number(x, out);
      }
      return true;
    case rrtype::DS:
    case rrtype::CDS:
      if (!append_key_header(r, out)) {
        return false;
      }
      data = r.rest();
      if (data.empty()) {
        return false;
      }
      append_hex(data, out);
      return true;
    case rrtype::DNSKEY:
    case rrtype::CDNSKEY:
      if (!append_key_header(r, out)) {
        return false;
      }
      data = r.rest();
      if (data.empty()) {
        return false;
      }
      append_base64(data, out);
      return true;
    case rrtype::RRSIG: {
      unsigned covered = 0;
      uint32_t ttl = 0;
      uint32_t expiration = 0;
      uint32_t inception = 0;
      if (!r.u16(covered) || !r.u8(a) || !r.u8(b) || !r.u32(ttl) ||
          !r.u32(expiration) || !r.u32(inception) || !r.u16(c)) {
        return false;
      }
      out += type_name(static_cast<RrType>(covered));
      out.push_back(' ');
      append_number(a, out);
      out.push_back(' ');
      append_number(b, out);
      out.push_back(' ');
      append_number(ttl, out);
      out.push_back(' ');
      append_time(expiration, out);
      out.push_back(' ');
      append_time(inception, out);
      out.push_back(' ');
      append_number(c, out);
      out.push_back(' ');
      if (!r.name(out)) {
        return false;
      }
      out.push_back(' ');
      data = r.rest();
      if (data.empty()) {
        return false;
      }
      append_base64(data, out);
      return true;
    }
    case rrtype::NSEC:
      if (!r.name(out)) {
        return false;
      }
      out.push_back(' ');
      return append_bitmap(r.rest(), out);
    case rrtype::NSEC3:
    case rrtype::NSEC3PARAM: {
      unsigned salt_length = 0;
      std::string_view salt;
      if (!r.u8(a) || !r.u8(b) || !r.u16(c) || !r.u8(salt_length) ||
          !r.bytes(salt_length, salt)) {
        return false;
      }
      append_number(a, out);
      out.push_back(' ');
      append_number(b, out);
      out.push_back(' ');
      append_number(c, out);
      out.push_back(' ');
      if (salt.empty()) {
        out.push_back('-');
      } else {
        append_hex(salt, out);
      }
      out.push_back(' ');  // ldns ends a salt with a space
      if (type == rrtype::NSEC3PARAM) {
        return true;
      }
      unsigned hash_length = 0;
      std::string_view hash;
      if (!r.u8(hash_length) || hash_length == 0 ||
          !r.bytes(hash_length, hash)) {
        return false;
      }
      out.push_back(' ');
      append_base32hex(hash, out);
      std::string_view bitmap = r.rest();
      if (!bitmap.empty()) {
        out.push_back(' ');
      }
      return append_bitmap(bitmap, out);
    }
    default:
      return false;
  }
}

}  // namespace

bool append_common_rdata(RrType type, std::string_view rdata,
                         std::string& out) {
  size_t start = out.size();
  Reader r(rdata);
  if (!append_fields(type, r, out) || !r.done()) {
    out.resize(start);
    return false;
  }
  return true;
}

}  // namespace signet::zone
