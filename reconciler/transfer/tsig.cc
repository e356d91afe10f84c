#include "transfer/tsig.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "transfer/message.h"
#include "zone/rrset.h"

namespace signet::transfer {
namespace {

void put16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void put48(std::string& out, uint64_t value) {
  for (int shift = 40; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint16_t get16(std::string_view data, size_t offset) {
  return static_cast<uint16_t>((static_cast<uint8_t>(data[offset]) << 8) |
                               static_cast<uint8_t>(data[offset + 1]));
}

void set16(std::string& data, size_t offset, uint16_t value) {
  data[offset] = static_cast<char>(value >> 8);
  data[offset + 1] = static_cast<char>(value & 0xff);
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

const EVP_MD* digest_of(TsigAlgorithm algorithm) {
  switch (algorithm) {
    case TsigAlgorithm::kHmacMd5:
      return EVP_md5();
    case TsigAlgorithm::kHmacSha1:
      return EVP_sha1();
    case TsigAlgorithm::kHmacSha224:
      return EVP_sha224();
    case TsigAlgorithm::kHmacSha256:
      return EVP_sha256();
    case TsigAlgorithm::kHmacSha384:
      return EVP_sha384();
    case TsigAlgorithm::kHmacSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

// The TSIG variables of RFC 8945 section 4.3.3. With `timers_only`, just
// time signed and fudge, as for the later messages of a transfer.
std::string tsig_variables(const TsigRecord& record, bool timers_only) {
  std::string out;
  if (!timers_only) {
    out += record.key_name.wire();
    put16(out, kClassAny);
    out.append(4, '\0');  // TTL
    out += record.algorithm.wire();
  }
  put48(out, record.time_signed);
  put16(out, record.fudge);
  if (!timers_only) {
    put16(out, record.error);
    put16(out, static_cast<uint16_t>(record.other_data.size()));
    out += record.other_data;
  }
  return out;
}

std::string length_prefixed(std::string_view mac) {
  std::string out;
  put16(out, static_cast<uint16_t>(mac.size()));
  out.append(mac);
  return out;
}

std::string tsig_rdata(const TsigRecord& record) {
  std::string rdata = record.algorithm.wire();
  put48(rdata, record.time_signed);
  put16(rdata, record.fudge);
  put16(rdata, static_cast<uint16_t>(record.mac.size()));
  rdata += record.mac;
  put16(rdata, record.original_id);
  put16(rdata, record.error);
  put16(rdata, static_cast<uint16_t>(record.other_data.size()));
  rdata += record.other_data;
  return rdata;
}

// Appends the TSIG record and counts it in ARCOUNT.
void append_tsig(std::string& message, size_t offset,
                 const TsigRecord& record) {
  std::string rdata = tsig_rdata(record);
  message += record.key_name.wire();
  put16(message, zone::rrtype::TSIG);
  put16(message, kClassAny);
  message.append(4, '\0');
  put16(message, static_cast<uint16_t>(rdata.size()));
  message += rdata;
  set16(message, offset + 10, get16(message, offset + 10) + 1);
}

// The message as it was before the TSIG at `tsig_offset` was added: TSIG
// removed, ARCOUNT decremented, ID set back to the original.
std::string unsigned_message(std::string_view message, size_t tsig_offset,
                             uint16_t original_id) {
  std::string out(message.substr(0, tsig_offset));
  set16(out, 0, original_id);
  set16(out, 10, get16(out, 10) - 1);
  return out;
}

std::optional<zone::Name> key_name_of(const TsigKey& key) {
  return zone::Name::parse(key.name);
}

}  // namespace

std::optional<TsigAlgorithm> tsig_algorithm_from_name(std::string_view name) {
  std::string text = lowercase(name);
  if (!text.empty() && text.back() == '.') {
    text.pop_back();
  }
  if (text == "hmac-md5" || text == "hmac-md5.sig-alg.reg.int") {
    return TsigAlgorithm::kHmacMd5;
  }
  if (text == "hmac-sha1") {
    return TsigAlgorithm::kHmacSha1;
  }
  if (text == "hmac-sha224") {
    return TsigAlgorithm::kHmacSha224;
  }
  if (text == "hmac-sha256") {
    return TsigAlgorithm::kHmacSha256;
  }
  if (text == "hmac-sha384") {
    return TsigAlgorithm::kHmacSha384;
  }
  if (text == "hmac-sha512") {
    return TsigAlgorithm::kHmacSha512;
  }
  return std::nullopt;
}

zone::Name tsig_algorithm_name(TsigAlgorithm algorithm) {
  const char* text = "hmac-sha256.";
  switch (algorithm) {
    case TsigAlgorithm::kHmacMd5:
      text = "hmac-md5.sig-alg.reg.int.";
      break;
    case TsigAlgorithm::kHmacSha1:
      text = "hmac-sha1.";
      break;
    case TsigAlgorithm::kHmacSha224:
      text = "hmac-sha224.";
      break;
    case TsigAlgorithm::kHmacSha256:
      text = "hmac-sha256.";
      break;
    case TsigAlgorithm::kHmacSha384:
      text = "hmac-sha384.";
      break;
    case TsigAlgorithm::kHmacSha512:
      text = "hmac-sha512.";
      break;
  }
  return *zone::Name::parse(text);
}

size_t tsig_mac_length(TsigAlgorithm algorithm) {
  return static_cast<size_t>(EVP_MD_get_size(digest_of(algorithm)));
}

std::string tsig_hmac(TsigAlgorithm algorithm, std::string_view secret,
                      std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(digest_of(algorithm), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

std::string encode_base64(std::string_view bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) {
      out.push_back(kAlphabet[(v >> shift) & 63]);
    }
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) {
      v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    }
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  uint32_t accumulator = 0;
  int bits = 0;
  int padding = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else if (c == '=') {
      ++padding;
      continue;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      continue;
    } else {
      return std::nullopt;
    }
    if (padding > 0) {
      return std::nullopt;  // data after padding
    }
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xff));
    }
  }
  if (padding > 2 || bits >= 6) {
    return std::nullopt;
  }
  return out;
}

std::optional<TsigRecord> parse_tsig_rdata(std::string_view rdata) {
  size_t offset = 0;
  auto algorithm = read_name(rdata, offset);
  // Compression is not allowed here; read_name on the RDATA alone rejects
  // any pointer because nothing precedes the name.
  if (!algorithm || rdata.size() - offset < 10) {
    return std::nullopt;
  }
  TsigRecord record;
  record.algorithm = std::move(*algorithm);
  record.time_signed = (static_cast<uint64_t>(get16(rdata, offset)) << 32) |
                       (static_cast<uint64_t>(get16(rdata, offset + 2)) << 16) |
                       get16(rdata, offset + 4);
  record.fudge = get16(rdata, offset + 6);
  size_t mac_size = get16(rdata, offset + 8);
  offset += 10;
  if (rdata.size() - offset < mac_size + 6) {
    return std::nullopt;
  }
  record.mac = std::string(rdata.substr(offset, mac_size));
  offset += mac_size;
  record.original_id = get16(rdata, offset);
  record.error = get16(rdata, offset + 2);
  size_t other_size = get16(rdata, offset + 4);
  offset += 6;
  if (rdata.size() - offset != other_size) {
    return std::nullopt;
  }
  record.other_data = std::string(rdata.substr(offset));
  return record;
}

TsigCheck verify_tsig_request(std::string_view message, size_t tsig_offset,
                              std::span<const TsigKey> keys, UnixTime now,
                              const TsigPolicy& policy) {
  TsigCheck check;
  check.status = TsigStatus::kFormErr;
  size_t offset = tsig_offset;
  auto key_name = read_name(message, offset);
  if (!key_name || message.size() - offset < 10) {
    return check;
  }
  size_t rdata_length = get16(message, offset + 8);
  if (message.size() - offset - 10 != rdata_length) {
    return check;
  }
  auto record = parse_tsig_rdata(message.substr(offset + 10));
  if (!record) {
    return check;
  }
  record->key_name = *key_name;
  check.record = record;

  // Key check (RFC 8945 section 5.2.1).
  check.status = TsigStatus::kBadKey;
  auto algorithm = tsig_algorithm_from_name(record->algorithm.text());
  for (const TsigKey& key : keys) {
    if (key_name_of(key) == *key_name) {
      check.key = &key;
      break;
    }
  }
  if (!check.key || !algorithm ||
      tsig_algorithm_from_name(check.key->algorithm) != algorithm ||
      (*algorithm == TsigAlgorithm::kHmacMd5 && !policy.allow_hmac_md5)) {
    check.key = nullptr;
    return check;
  }

  // MAC check (section 5.2.2), with the length rules of section 5.2.2.1.
  size_t full = tsig_mac_length(*algorithm);
  size_t mac_size = record->mac.size();
  if (mac_size > full || mac_size < std::max<size_t>(10, (full + 1) / 2)) {
    check.status = TsigStatus::kFormErr;
    return check;
  }
  std::string data =
      unsigned_message(message, tsig_offset, record->original_id) +
      tsig_variables(*record, false);
  std::string expected = tsig_hmac(*algorithm, check.key->secret, data);
  if (CRYPTO_memcmp(expected.data(), record->mac.data(), mac_size) != 0) {
    check.status = TsigStatus::kBadSig;
    return check;
  }

  // Time check (section 5.2.3), then truncation policy (section 5.2.4).
  int64_t skew = now - static_cast<int64_t>(record->time_signed);
  if (skew > record->fudge || -skew > record->fudge) {
    check.status = TsigStatus::kBadTime;
    return check;
  }
  if (mac_size < full &&
      (policy.min_truncated_mac == 0 || mac_size < policy.min_truncated_mac)) {
    check.status = TsigStatus::kBadTrunc;
    return check;
  }
  check.status = TsigStatus::kValid;
  return check;
}

TsigSigner::TsigSigner(const TsigKey& key, TsigAlgorithm algorithm,
                       std::string request_mac, const Clock& clock,
                       uint16_t fudge)
    : key_(key),
      algorithm_(algorithm),
      prior_mac_(std::move(request_mac)),
      clock_(clock),
      fudge_(fudge) {}

void TsigSigner::append_record(std::string& message, size_t offset,
                               const TsigRecord& record) {
  std::string data;
  if (!first_ || !prior_mac_.empty()) {
    data = length_prefixed(prior_mac_);
  }
  data.append(message, offset);
  data += tsig_variables(record, !first_);
  TsigRecord signed_record = record;
  signed_record.mac = tsig_hmac(algorithm_, key_.secret, data);
  append_tsig(message, offset, signed_record);
  prior_mac_ = signed_record.mac;
  first_ = false;
}

void TsigSigner::sign(std::string& message, size_t offset) {
  TsigRecord record;
  record.key_name = key_name_of(key_).value_or(zone::Name());
  record.algorithm = tsig_algorithm_name(algorithm_);
  record.time_signed = static_cast<uint64_t>(clock_.now());
  record.fudge = fudge_;
  record.original_id = get16(message, offset);
  append_record(message, offset, record);
}

void TsigSigner::sign_error(std::string& message, size_t offset, uint16_t error,
                            uint64_t request_time) {
  TsigRecord record;
  record.key_name = key_name_of(key_).value_or(zone::Name());
  record.algorithm = tsig_algorithm_name(algorithm_);
  record.time_signed = request_time;
  record.fudge = fudge_;
  record.original_id = get16(message, offset);
  record.error = error;
  if (error == tsig_error::kBadTime) {
    put48(record.other_data, static_cast<uint64_t>(clock_.now()));
  }
  append_record(message, offset, record);
}

void append_unsigned_tsig_error(std::string& message, size_t offset,
                                const TsigRecord& request, uint16_t error) {
  TsigRecord record;
  record.key_name = request.key_name;
  record.algorithm = request.algorithm;
  record.time_signed = request.time_signed;
  record.fudge = request.fudge;
  record.original_id = get16(message, offset);
  record.error = error;
  append_tsig(message, offset, record);
}

TsigVerifier::TsigVerifier(const TsigKey& key, TsigAlgorithm algorithm,
                           std::string request_mac, const Clock& clock)
    : key_(key),
      algorithm_(algorithm),
      prior_mac_(std::move(request_mac)),
      clock_(clock) {}

bool TsigVerifier::verify(std::string_view message, std::string* error) {
  auto fail = [error](const char* text) {
    if (error) {
      *error = text;
    }
    return false;
  };
  auto parsed = parse_message(message);
  if (!parsed) {
    return fail("malformed response");
  }
  if (!parsed->tsig) {
    // RFC 8945 section 5.3.1: clients accept up to 99 unsigned messages
    // between signed ones, but never an unsigned first message.
    if (first_ || ++unsigned_run_ > 99) {
      return fail("response is not signed");
    }
    unsigned_data_.append(message);
    return true;
  }
  const Record& tsig = *parsed->tsig;
  auto record =
      parse_tsig_rdata(message.substr(tsig.rdata_offset, tsig.rdata_length));
  if (!record) {
    return fail("malformed TSIG record");
  }
  if (tsig.owner != key_name_of(key_) ||
      tsig_algorithm_from_name(record->algorithm.text()) != algorithm_) {
    return fail("response signed with another key");
  }
  if (record->error != tsig_error::kNoError) {
    return fail("response carries a TSIG error");
  }
  record->key_name = tsig.owner;
  std::string data = length_prefixed(prior_mac_);
  data += unsigned_data_;
  data += unsigned_message(message, tsig.offset, record->original_id);
  data += tsig_variables(*record, !first_);
  std::string expected = tsig_hmac(algorithm_, key_.secret, data);
  if (record->mac.size() != expected.size() ||
      CRYPTO_memcmp(expected.data(), record->mac.data(), expected.size()) !=
          0) {
    return fail("TSIG MAC does not verify");
  }
  int64_t skew = clock_.now() - static_cast<int64_t>(record->time_signed);
  if (skew > record->fudge || -skew > record->fudge) {
    return fail("TSIG time outside the fudge window");
  }
  prior_mac_ = record->mac;
  unsigned_data_.clear();
  unsigned_run_ = 0;
  first_ = false;
  return true;
}

namespace {

// Splits a BIND configuration text into tokens: words, quoted strings and
// the punctuation { } ;. Comments (#, //, /* */) are dropped.
struct Token {
  std::string text;
  int line;
  bool quoted;
};

std::optional<std::vector<Token>> tokenize(std::string_view text,
                                           std::string* error) {
  std::vector<Token> tokens;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || text.substr(i, 2) == "//") {
      while (i < text.size() && text[i] != '\n') {
        ++i;
      }
    } else if (text.substr(i, 2) == "/*") {
      size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      line += static_cast<int>(
          std::count(text.begin() + i, text.begin() + end, '\n'));
      i = end + 2;
    } else if (c == '"') {
      size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) {
        if (error) {
          *error = "line " + std::to_string(line) + ": unterminated string";
        }
        return std::nullopt;
      }
      tokens.push_back(
          {std::string(text.substr(i + 1, end - i - 1)), line, true});
      i = end + 1;
    } else if (c == '{' || c == '}' || c == ';') {
      tokens.push_back({std::string(1, c), line, false});
      ++i;
    } else {
      size_t start = i;
      while (i < text.size() &&
             !std::isspace(static_cast<unsigned char>(text[i])) &&
             text[i] != '{' && text[i] != '}' && text[i] != ';' &&
             text[i] != '"') {
        ++i;
      }
      tokens.push_back(
          {std::string(text.substr(start, i - start)), line, false});
    }
  }
  return tokens;
}

}  // namespace

std::optional<std::vector<TsigKey>> parse_bind_key_file(std::string_view text,
                                                        std::string* error) {
  auto tokens = tokenize(text, error);
  if (!tokens) {
    return std::nullopt;
  }
  std::vector<TsigKey> keys;
  const auto& t = *tokens;
  auto fail = [&](size_t i, const std::string& message) {
    if (error) {
      int line = i < t.size() ? t[i].line : (t.empty() ? 1 : t.back().line);
      *error = "line " + std::to_string(line) + ": " + message;
    }
    return std::nullopt;
  };
  size_t i = 0;
  while (i < t.size()) {
    if (t[i].text != "key" || i + 2 >= t.size() || t[i + 2].text != "{") {
      return fail(i, "expected 'key \"NAME\" {'");
    }
    TsigKey key;
    key.name = t[i + 1].text;
    i += 3;
    bool have_secret = false;
    while (i < t.size() && t[i].text != "}") {
      if (i + 2 >= t.size() || t[i + 2].text != ";") {
        return fail(i, "expected 'algorithm NAME;' or 'secret \"BASE64\";'");
      }
      if (t[i].text == "algorithm") {
        key.algorithm = t[i + 1].text;
        if (!tsig_algorithm_from_name(key.algorithm)) {
          return fail(i, "unknown TSIG algorithm '" + key.algorithm + "'");
        }
      } else if (t[i].text == "secret") {
        auto secret = decode_base64(t[i + 1].text);
        if (!secret) {
          return fail(i, "secret of key '" + key.name + "' is not base64");
        }
        key.secret = std::move(*secret);
        have_secret = true;
      } else {
        return fail(i, "unknown key option '" + t[i].text + "'");
      }
      i += 3;
    }
    if (i + 1 >= t.size() || t[i + 1].text != ";") {
      return fail(i, "expected '};' after key '" + key.name + "'");
    }
    if (!have_secret || key.algorithm.empty()) {
      return fail(i, "key '" + key.name + "' needs an algorithm and a secret");
    }
    keys.push_back(std::move(key));
    i += 2;
  }
  return keys;
}

std::optional<TsigKey> read_tsig_key_file(const std::string& path,
                                          const std::string& name,
                                          const std::string& algorithm,
                                          std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) {
      *error = path + ": cannot open the TSIG key file";
    }
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();

  if (text.find('{') != std::string::npos) {
    std::string parse_error;
    auto keys = parse_bind_key_file(text, &parse_error);
    if (!keys) {
      if (error) {
        *error = path + ": " + parse_error;
      }
      return std::nullopt;
    }
    auto wanted = zone::Name::parse(name);
    for (auto& key : *keys) {
      if (wanted && zone::Name::parse(key.name) == wanted) {
        return key;
      }
    }
    if (error) {
      *error = path + ": no key named '" + name + "'";
    }
    return std::nullopt;
  }
  auto secret = decode_base64(text);
  if (!secret || secret->empty()) {
    if (error) {
      *error = path +
               ": the file holds neither a key clause nor a base64 "
               "secret";
    }
    return std::nullopt;
  }
  if (!tsig_algorithm_from_name(algorithm)) {
    if (error) {
      *error = path + ": unknown TSIG algorithm '" + algorithm + "'";
    }
    return std::nullopt;
  }
  return TsigKey{name, algorithm, std::move(*secret)};
}

}  // namespace signet::transfer
