// TSIG (RFC 8945): keys, MAC computation, request verification and the
// signing of single and multi-message responses.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "zone/name.h"

namespace signet::transfer {

// A shared TSIG secret. `name` is the key name as a domain name, with or
// without the trailing dot; `algorithm` is "hmac-sha256", "hmac-sha384",
// "hmac-sha512", "hmac-sha224", "hmac-sha1" or "hmac-md5" (the RFC 8945
// names, such as "hmac-md5.sig-alg.reg.int.", are accepted too).
struct TsigKey {
  std::string name;
  std::string algorithm;
  std::string secret;  // raw bytes, not base64
};

enum class TsigAlgorithm {
  kHmacMd5,
  kHmacSha1,
  kHmacSha224,
  kHmacSha256,
  kHmacSha384,
  kHmacSha512,
};

// Parses an algorithm name, case-insensitive, with or without the trailing
// dot. Returns nullopt for anything else.
std::optional<TsigAlgorithm> tsig_algorithm_from_name(std::string_view name);

// The algorithm's domain name as it appears in a TSIG record.
zone::Name tsig_algorithm_name(TsigAlgorithm algorithm);

// Length in octets of the algorithm's full, untruncated MAC.
size_t tsig_mac_length(TsigAlgorithm algorithm);

// Computes HMAC over `data` with `secret`.
std::string tsig_hmac(TsigAlgorithm algorithm, std::string_view secret,
                      std::string_view data);

// TSIG error codes (RFC 8945 section 3, the "TSIG Error" field).
namespace tsig_error {
inline constexpr uint16_t kNoError = 0;
inline constexpr uint16_t kBadSig = 16;
inline constexpr uint16_t kBadKey = 17;
inline constexpr uint16_t kBadTime = 18;
inline constexpr uint16_t kBadTrunc = 22;
}  // namespace tsig_error

// Base64 (RFC 4648) without line breaks. decode_base64 ignores white space
// and returns nullopt on any other invalid input.
std::string encode_base64(std::string_view bytes);
std::optional<std::string> decode_base64(std::string_view text);

// Parses every `key "name" { algorithm ...; secret "..."; };` clause of a
// BIND-style key file. On a syntax error returns nullopt and stores a
// message with the line number in `error`.
std::optional<std::vector<TsigKey>> parse_bind_key_file(
    std::string_view text, std::string* error = nullptr);

// Reads the secret of key `name` from `path`: either a BIND-style key file
// holding a key of that name, or a file containing only the base64 secret.
// `algorithm` is used for a bare secret; a key file's own algorithm wins.
// On failure returns nullopt and stores a message naming the file.
std::optional<TsigKey> read_tsig_key_file(const std::string& path,
                                          const std::string& name,
                                          const std::string& algorithm,
                                          std::string* error = nullptr);

// The RDATA fields of a TSIG record (RFC 8945 section 4.2).
struct TsigRecord {
  zone::Name key_name;
  zone::Name algorithm;
  uint64_t time_signed = 0;  // 48-bit seconds since the Unix epoch
  uint16_t fudge = 300;
  std::string mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  std::string other_data;
};

// Parses TSIG RDATA (names uncompressed, as RFC 8945 requires).
std::optional<TsigRecord> parse_tsig_rdata(std::string_view rdata);

// Outcome of checking the TSIG record of a request.
enum class TsigStatus {
  kUnsigned,  // no TSIG record
  kValid,
  kFormErr,   // malformed TSIG, or a MAC length that RFC 8945 forbids
  kBadKey,    // unknown key, or algorithm different from the key's
  kBadSig,    // MAC does not verify
  kBadTime,   // time signed outside the fudge window
  kBadTrunc,  // truncated MAC shorter than this server accepts
};

// The result of verify_tsig_request(). `key` points into the key list
// passed in; `record` holds the request's TSIG when one was parsed.
struct TsigCheck {
  TsigStatus status = TsigStatus::kUnsigned;
  const TsigKey* key = nullptr;
  std::optional<TsigRecord> record;
};

// Policy for accepting TSIG on requests.
struct TsigPolicy {
  bool allow_hmac_md5 = false;  // RFC 8945 section 6 deprecates HMAC-MD5
  // Truncated MACs shorter than this many octets get BADTRUNC; 0 accepts
  // nothing but the full length.
  size_t min_truncated_mac = 0;
};

// Verifies the TSIG record of the request `message`, whose TSIG record
// starts at octet `tsig_offset` (the last record of the additional
// section). Checks key, MAC, time and truncation in the order RFC 8945
// section 5.2 gives, using `now` for the time check.
TsigCheck verify_tsig_request(std::string_view message, size_t tsig_offset,
                              std::span<const TsigKey> keys, UnixTime now,
                              const TsigPolicy& policy = {});

// Signs a sequence of messages with one key: a single response, every
// message of a zone transfer, or a request. The first signature covers the
// full TSIG variables and, for a response, the request MAC; each later one
// covers the previous MAC and only the timers (RFC 8945 section 5.3.1).
class TsigSigner {
 public:
  // `request_mac` is empty when signing a request.
  TsigSigner(const TsigKey& key, TsigAlgorithm algorithm,
             std::string request_mac, const Clock& clock, uint16_t fudge = 300);

  // Appends a TSIG record to the complete DNS message in `message`
  // (starting at `offset`) and increments its ARCOUNT.
  void sign(std::string& message, size_t offset = 0);

  // Appends a TSIG error response record (BADTIME, BADTRUNC) signed as the
  // first message; `request_time` is echoed as time signed and BADTIME
  // carries the server's time in Other Data.
  void sign_error(std::string& message, size_t offset, uint16_t error,
                  uint64_t request_time);

  // The MAC of the last message signed.
  const std::string& last_mac() const { return prior_mac_; }

 private:
  void append_record(std::string& message, size_t offset,
                     const TsigRecord& record);

  TsigKey key_;
  TsigAlgorithm algorithm_;
  std::string prior_mac_;
  const Clock& clock_;
  uint16_t fudge_;
  bool first_ = true;
};

// Appends an unsigned TSIG record carrying `error` (BADKEY, BADSIG) with an
// empty MAC, as RFC 8945 section 5.3.2 requires for errors about the key or
// MAC, and increments ARCOUNT.
void append_unsigned_tsig_error(std::string& message, size_t offset,
                                const TsigRecord& request, uint16_t error);

// Verifies a sequence of signed responses to a request whose MAC was
// `request_mac`: the client side of TsigSigner. Intermediate messages
// without TSIG are accepted, up to 99 in a row, as RFC 8945 section 5.3.1
// requires of clients.
class TsigVerifier {
 public:
  TsigVerifier(const TsigKey& key, TsigAlgorithm algorithm,
               std::string request_mac, const Clock& clock);

  // Checks one response message. Returns false with a message in `error`
  // when it is not correctly signed.
  bool verify(std::string_view message, std::string* error = nullptr);

  // True when the last message passed to verify() carried a valid TSIG.
  bool last_signed() const { return unsigned_run_ == 0; }

 private:
  TsigKey key_;
  TsigAlgorithm algorithm_;
  std::string prior_mac_;
  const Clock& clock_;
  std::string unsigned_data_;
  int unsigned_run_ = 0;
  bool first_ = true;
};

}  // namespace signet::transfer
