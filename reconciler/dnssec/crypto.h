// OpenSSL-backed DNSSEC algorithms: key generation, DNSKEY public keys,
// signatures, key tags and DS digests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dnssec/key_store.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace signet::dnssec {

// DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers").
namespace algorithm {
inline constexpr uint8_t kRsaSha256 = 8;
inline constexpr uint8_t kRsaSha512 = 10;
inline constexpr uint8_t kEcdsaP256Sha256 = 13;
inline constexpr uint8_t kEcdsaP384Sha384 = 14;
inline constexpr uint8_t kEd25519 = 15;
inline constexpr uint8_t kEd448 = 16;
}  // namespace algorithm

// DS digest types (RFC 4034, 4509, 6605). SHA-1 is only for checking old
// DS records; RFC 8624 forbids publishing new ones.
inline constexpr uint8_t kDigestSha1 = 1;
inline constexpr uint8_t kDigestSha256 = 2;
inline constexpr uint8_t kDigestSha384 = 4;

// True for the algorithms this build signs with.
bool algorithm_supported(uint8_t algorithm);

// Mnemonic such as "ECDSAP256SHA256"; "ALG<n>" when unknown.
std::string algorithm_name(uint8_t algorithm);

// Parses a mnemonic (case-insensitive) or a decimal number.
std::optional<uint8_t> algorithm_from_name(std::string_view text);

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// Generates a private key. `bits` is the RSA modulus size (0: 2048).
// Throws std::runtime_error for an unsupported algorithm or size.
PkeyPtr generate_private_key(uint8_t algorithm, uint16_t bits);

// The DNSKEY Public Key field for `key` (RFC 3110, 6605, 8080).
std::string dnskey_public_key(EVP_PKEY* key, uint8_t algorithm);

// PKCS#8 PEM of the private key, and back. read_private_key_pem returns
// nullptr when the text does not parse.
std::string private_key_pem(EVP_PKEY* key);
PkeyPtr read_private_key_pem(std::string_view pem);

// Key tag of DNSKEY RDATA (RFC 4034 appendix B).
uint16_t key_tag(std::string_view dnskey_rdata);

// DS RDATA for a DNSKEY (RFC 4034 section 5.1.4): key tag, algorithm,
// digest type, digest over owner name (wire) | DNSKEY RDATA.
std::string ds_rdata(const zone::Name& owner, std::string_view dnskey_rdata,
                     uint8_t digest_type);

// NSEC3 hash of a name (RFC 5155 section 5), raw digest bytes.
std::string nsec3_hash(const zone::Name& name, std::string_view salt,
                       uint16_t iterations);

// Base32hex (RFC 4648 section 7) lower case, no padding.
std::string base32hex_encode(std::string_view data);

// Signs with an in-memory private key. Keeps its EVP contexts between
// calls, so each thread needs its own.
std::unique_ptr<Signer> make_signer(PkeyPtr key, uint8_t algorithm);

// Verifies a DNSSEC-format signature with the DNSKEY public key field.
bool verify_signature(uint8_t algorithm, std::string_view public_key,
                      std::string_view data, std::string_view signature);

}  // namespace signet::dnssec
