#include "transfer/tsig.h"

namespace signet::transfer {

std::optional<TsigAlgorithm> tsig_algorithm_from_name(std::string_view) {
  return std::nullopt;
}
zone::Name tsig_algorithm_name(TsigAlgorithm) {
  return zone::Name();
}
size_t tsig_mac_length(TsigAlgorithm) {
  return 0;
}
std::string tsig_hmac(TsigAlgorithm, std::string_view, std::string_view) {
  return {};
}
std::string encode_base64(std::string_view) {
  return {};
}
std::optional<std::string> decode_base64(std::string_view) {
  return {};
}
std::optional<std::vector<TsigKey>> parse_bind_key_file(std::string_view,
                                                        std::string*) {
  return std::nullopt;
}
std::optional<TsigKey> read_tsig_key_file(const std::string&,
                                          const std::string&,
                                          const std::string&, std::string*) {
  return std::nullopt;
}
std::optional<TsigRecord> parse_tsig_rdata(std::string_view) {
  return {};
}
TsigCheck verify_tsig_request(std::string_view, size_t,
                              std::span<const TsigKey>, UnixTime,
                              const TsigPolicy&) {
  return {};
}
TsigSigner::TsigSigner(const TsigKey& key, TsigAlgorithm algorithm,
                       std::string request_mac, const Clock& clock,
                       uint16_t fudge)
    : key_(key),
      algorithm_(algorithm),
      prior_mac_(std::move(request_mac)),
      clock_(clock),
      fudge_(fudge) {}
void TsigSigner::sign(std::string&, size_t) {}
void TsigSigner::sign_error(std::string&, size_t, uint16_t, uint64_t) {}
void TsigSigner::append_record(std::string&, size_t, const TsigRecord&) {}
void append_unsigned_tsig_error(std::string&, size_t, const TsigRecord&,
                                uint16_t) {}
TsigVerifier::TsigVerifier(const TsigKey& key, TsigAlgorithm algorithm,
                           std::string request_mac, const Clock& clock)
    : key_(key),
      algorithm_(algorithm),
      prior_mac_(std::move(request_mac)),
      clock_(clock) {}
bool TsigVerifier::verify(std::string_view, std::string*) {
  return false;
}

}  // namespace signet::transfer
