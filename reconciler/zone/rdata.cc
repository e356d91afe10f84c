#include "zone/rdata.h"

#include <ldns/ldns.h>

#include <cstdio>
#include <memory>

namespace signet::zone {

namespace {

struct LdnsRrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct LdnsRdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct LdnsBufferDeleter {
  void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};
using RrPtr = std::unique_ptr<ldns_rr, LdnsRrDeleter>;
using RdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfDeleter>;
using BufferPtr = std::unique_ptr<ldns_buffer, LdnsBufferDeleter>;

std::string unknown_form(std::string_view rdata) {
  std::string out = "\\# " + std::to_string(rdata.size());
  if (!rdata.empty()) {
    out += ' ';
  }
  char buf[3];
  for (unsigned char c : rdata) {
    std::snprintf(buf, sizeof buf, "%02X", c);
    out += buf;
  }
  return out;
}

// Decodes one record from wire form into an ldns_rr, or nullptr.
RrPtr to_ldns(const Rr& rr) {
  std::string wire;
  append_rr_wire(rr, wire);
  ldns_rr* out = nullptr;
  size_t pos = 0;
  ldns_status s =
      ldns_wire2rr(&out, reinterpret_cast<const uint8_t*>(wire.data()),
                   wire.size(), &pos, LDNS_SECTION_ANSWER);
  if (s != LDNS_STATUS_OK || pos != wire.size()) {
    ldns_rr_free(out);
    return nullptr;
  }
  return RrPtr(out);
}

}  // namespace

std::optional<std::string> parse_rdata(RrType type, std::string_view text,
                                       const Name& origin, std::string* error) {
  // ldns parses whole records, so build one with a placeholder owner.
  std::string line = ". 0 IN " + type_name(type) + " " + std::string(text);
  RdfPtr origin_rdf(ldns_dname_new_frm_str(origin.text().c_str()));
  ldns_rr* parsed = nullptr;
  ldns_status s =
      ldns_rr_new_frm_str(&parsed, line.c_str(), 0, origin_rdf.get(), nullptr);
  RrPtr rr(parsed);
  if (s != LDNS_STATUS_OK || rr == nullptr) {
    if (error != nullptr) {
      *error = std::string("invalid ") + type_name(type) + " data '" +
               std::string(text) + "': " + ldns_get_errorstr_by_id(s);
    }
    return std::nullopt;
  }
  if (ldns_rr_get_type(rr.get()) != type) {
    if (error != nullptr) {
      *error = "RDATA parsed as a different type";
    }
    return std::nullopt;
  }
  ldns_rr2canonical(rr.get());
  BufferPtr buf(ldns_buffer_new(256));
  if (ldns_rr_rdata2buffer_wire(buf.get(), rr.get()) != LDNS_STATUS_OK) {
    if (error != nullptr) {
      *error = "cannot encode RDATA '" + std::string(text) + "'";
    }
    return std::nullopt;
  }
  return std::string(
      reinterpret_cast<const char*>(ldns_buffer_begin(buf.get())),
      ldns_buffer_position(buf.get()));
}

std::string format_rdata(RrType type, std::string_view rdata) {
  std::string out;
  if (append_common_rdata(type, rdata, out)) {
    return out;
  }
  return format_rdata_ldns(type, rdata);
}

std::string format_rdata_ldns(RrType type, std::string_view rdata) {
  RrPtr rr = to_ldns(Rr{Name(), type, 0, std::string(rdata)});
  if (rr == nullptr) {
    return unknown_form(rdata);
  }
  std::string out;
  for (size_t i = 0; i < ldns_rr_rd_count(rr.get()); ++i) {
    char* s = ldns_rdf2str(ldns_rr_rdf(rr.get(), i));
    if (s == nullptr) {
      return unknown_form(rdata);
    }
    if (i > 0) {
      out += ' ';
    }
    out += s;
    free(s);
  }
  return out;
}

std::string format_rr(const Rr& rr) {
  std::string out;
  append_rr_text(rr, out);
  return out;
}

void append_rr_text(const Rr& rr, std::string& out) {
  out += rr.owner.text();
  out.push_back('\t');
  out += std::to_string(rr.ttl);
  out += "\tIN\t";
  out += type_name(rr.type);
  out.push_back('\t');
  if (!append_common_rdata(rr.type, rr.rdata, out)) {
    out += format_rdata_ldns(rr.type, rr.rdata);
  }
}

void append_rr_wire(const Rr& rr, std::string& out) {
  auto put16 = [&out](uint32_t v) {
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
  };
  out += rr.owner.wire();
  put16(rr.type);
  put16(kClassIn);
  put16(rr.ttl >> 16);
  put16(rr.ttl & 0xffff);
  put16(static_cast<uint32_t>(rr.rdata.size()));
  out += rr.rdata;
}

}  // namespace signet::zone
