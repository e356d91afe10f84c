#include "dnssec/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace signet::dnssec {

namespace {

struct AlgorithmInfo {
  uint8_t number;
  const char* name;
  const char* key_type;  // OpenSSL key type
  const char* group;     // EC curve, or nullptr
  const char* digest;    // hash for RSA/ECDSA, nullptr for EdDSA
  size_t field_size;     // ECDSA r and s size, EdDSA public key size
};

constexpr AlgorithmInfo kAlgorithms[] = {
    {algorithm::kRsaSha256, "RSASHA256", "RSA", nullptr, "SHA256", 0},
    {algorithm::kRsaSha512, "RSASHA512", "RSA", nullptr, "SHA512", 0},
    {algorithm::kEcdsaP256Sha256, "ECDSAP256SHA256", "EC", "P-256", "SHA256",
     32},
    {algorithm::kEcdsaP384Sha384, "ECDSAP384SHA384", "EC", "P-384", "SHA384",
     48},
    {algorithm::kEd25519, "ED25519", "ED25519", nullptr, nullptr, 32},
    {algorithm::kEd448, "ED448", "ED448", nullptr, nullptr, 57},
};

const AlgorithmInfo* find_algorithm(uint8_t number) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.number == number) {
      return &info;
    }
  }
  return nullptr;
}

const AlgorithmInfo& require_algorithm(uint8_t number) {
  const AlgorithmInfo* info = find_algorithm(number);
  if (info == nullptr) {
    throw std::runtime_error("unsupported DNSSEC algorithm " +
                             std::to_string(number));
  }
  return *info;
}

// Returns the last OpenSSL error as text and clears the queue.
std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "unknown OpenSSL error";
  }
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + openssl_error());
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

struct MdDeleter {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
using MdPtr = std::unique_ptr<EVP_MD, MdDeleter>;

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

MdPtr fetch_digest(const char* name) {
  MdPtr md(EVP_MD_fetch(nullptr, name, nullptr));
  if (!md) {
    fail(std::string("fetching digest ") + name);
  }
  return md;
}

std::string bn_bytes(const BIGNUM* bn) {
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// Reads one DER INTEGER at `pos` into a fixed-size big-endian field.
bool read_der_integer(std::string_view der, size_t& pos, char* field,
                      size_t size) {
  if (pos + 2 > der.size() || der[pos] != 0x02) {
    return false;
  }
  size_t len = static_cast<unsigned char>(der[pos + 1]);
  pos += 2;
  if (len > 0x7f || pos + len > der.size()) {
    return false;
  }
  std::string_view value = der.substr(pos, len);
  pos += len;
  while (!value.empty() && value.front() == '\0') {
    value.remove_prefix(1);
  }
  if (value.size() > size) {
    return false;
  }
  std::fill(field, field + size - value.size(), '\0');
  std::copy(value.begin(), value.end(), field + size - value.size());
  return true;
}

// Converts an ECDSA-Sig-Value (DER) to the RFC 6605 r||s form in `out`.
bool der_to_raw(std::string_view der, size_t field, std::string& out) {
  size_t pos = 0;
  if (der.size() < 2 || der[0] != 0x30) {
    return false;
  }
  size_t seq_len = static_cast<unsigned char>(der[1]);
  pos = 2;
  if (seq_len == 0x81) {
    pos = 3;
  }
  out.resize(2 * field);
  return read_der_integer(der, pos, out.data(), field) &&
         read_der_integer(der, pos, out.data() + field, field);
}

std::string raw_to_der(std::string_view raw) {
  auto integer = [](std::string_view v) {
    while (v.size() > 1 && v.front() == '\0') {
      v.remove_prefix(1);
    }
    std::string out("\x02", 1);
    bool pad = (static_cast<unsigned char>(v.front()) & 0x80) != 0;
    out.push_back(static_cast<char>(v.size() + (pad ? 1 : 0)));
    if (pad) {
      out.push_back('\0');
    }
    out += v;
    return out;
  };
  size_t half = raw.size() / 2;
  std::string body = integer(raw.substr(0, half)) + integer(raw.substr(half));
  std::string out("\x30", 1);
  if (body.size() > 0x7f) {
    out.push_back(static_cast<char>(0x81));
  }
  out.push_back(static_cast<char>(body.size()));
  return out + body;
}

// RSA and ECDSA: hash with a prefetched digest, then sign the digest with
// an EVP_PKEY_CTX initialized once.
class DigestThenSign final : public Signer {
 public:
  DigestThenSign(PkeyPtr key, const AlgorithmInfo& info)
      : key_(std::move(key)), info_(info), md_(fetch_digest(info.digest)) {
    md_ctx_.reset(EVP_MD_CTX_new());
    pkey_ctx_.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    if (!md_ctx_ || !pkey_ctx_ || EVP_PKEY_sign_init(pkey_ctx_.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(pkey_ctx_.get(), md_.get()) != 1) {
      fail("initializing a signing context");
    }
    if (info_.field_size == 0 &&
        EVP_PKEY_CTX_set_rsa_padding(pkey_ctx_.get(), RSA_PKCS1_PADDING) != 1) {
      fail("setting RSA padding");
    }
    der_.reserve(EVP_PKEY_get_size(key_.get()));
  }

  void sign(std::string_view data, std::string& signature) override {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_DigestInit_ex2(md_ctx_.get(), md_.get(), nullptr) != 1 ||
        EVP_DigestUpdate(md_ctx_.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(md_ctx_.get(), digest, &digest_len) != 1) {
      fail("hashing data to sign");
    }
    std::string& out = info_.field_size == 0 ? signature : der_;
    size_t len = EVP_PKEY_get_size(key_.get());
    out.resize(len);
    if (EVP_PKEY_sign(pkey_ctx_.get(),
                      reinterpret_cast<unsigned char*>(out.data()), &len,
                      digest, digest_len) != 1) {
      fail("signing");
    }
    out.resize(len);
    if (info_.field_size != 0 &&
        !der_to_raw(der_, info_.field_size, signature)) {
      throw std::runtime_error("OpenSSL returned a malformed ECDSA signature");
    }
  }

 private:
  PkeyPtr key_;
  const AlgorithmInfo& info_;
  MdPtr md_;
  MdCtxPtr md_ctx_;
  PkeyCtxPtr pkey_ctx_;
  std::string der_;
};

// EdDSA signs the message itself, one EVP_DigestSign per init.
class EdSigner final : public Signer {
 public:
  explicit EdSigner(PkeyPtr key) : key_(std::move(key)) {
    ctx_.reset(EVP_MD_CTX_new());
    if (!ctx_) {
      fail("allocating a signing context");
    }
  }

  void sign(std::string_view data, std::string& signature) override {
    size_t len = EVP_PKEY_get_size(key_.get());
    signature.resize(len);
    if (EVP_DigestSignInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nullptr,
                              key_.get(), nullptr) != 1 ||
        EVP_DigestSign(ctx_.get(),
                       reinterpret_cast<unsigned char*>(signature.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1) {
      fail("signing");
    }
    signature.resize(len);
  }

 private:
  PkeyPtr key_;
  MdCtxPtr ctx_;
};

// Builds a public EVP_PKEY from a DNSKEY public key field.
PkeyPtr public_key_from_dnskey(const AlgorithmInfo& info,
                               std::string_view pub) {
  auto bytes = [](std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  };
  if (info.group == nullptr && info.digest == nullptr) {
    int id =
        info.number == algorithm::kEd25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448;
    return PkeyPtr(
        EVP_PKEY_new_raw_public_key(id, nullptr, bytes(pub), pub.size()));
  }
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::string point;
  BnPtr n, e;
  if (info.group != nullptr) {
    point = std::string("\x04", 1) + std::string(pub);
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, info.group,
                                    0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
  } else {
    if (pub.empty()) {
      OSSL_PARAM_BLD_free(bld);
      return nullptr;
    }
    size_t exp_len = static_cast<unsigned char>(pub[0]);
    size_t pos = 1;
    if (exp_len == 0 && pub.size() >= 3) {
      exp_len = (static_cast<unsigned char>(pub[1]) << 8) |
                static_cast<unsigned char>(pub[2]);
      pos = 3;
    }
    if (pos + exp_len >= pub.size()) {
      OSSL_PARAM_BLD_free(bld);
      return nullptr;
    }
    e.reset(BN_bin2bn(bytes(pub.substr(pos)), exp_len, nullptr));
    n.reset(BN_bin2bn(bytes(pub.substr(pos + exp_len)),
                      pub.size() - pos - exp_len, nullptr));
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  OSSL_PARAM_BLD_free(bld);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, info.key_type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    key = nullptr;
    ERR_clear_error();
  }
  OSSL_PARAM_free(params);
  return PkeyPtr(key);
}

}  // namespace

void PkeyDeleter::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

bool algorithm_supported(uint8_t number) {
  const AlgorithmInfo* info = find_algorithm(number);
  if (info == nullptr) {
    return false;
  }
  EVP_KEYMGMT* mgmt = EVP_KEYMGMT_fetch(nullptr, info->key_type, nullptr);
  EVP_KEYMGMT_free(mgmt);
  ERR_clear_error();
  return mgmt != nullptr;
}

std::string algorithm_name(uint8_t number) {
  const AlgorithmInfo* info = find_algorithm(number);
  return info != nullptr ? info->name : "ALG" + std::to_string(number);
}

std::optional<uint8_t> algorithm_from_name(std::string_view text) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    std::string_view name = info.name;
    if (name.size() == text.size() &&
        std::equal(name.begin(), name.end(), text.begin(), [](char a, char b) {
          return a == std::toupper(static_cast<unsigned char>(b));
        })) {
      return info.number;
    }
  }
  if (!text.empty() && text.size() <= 3 &&
      std::all_of(text.begin(), text.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    int n = std::stoi(std::string(text));
    if (n <= 255) {
      return static_cast<uint8_t>(n);
    }
  }
  return std::nullopt;
}

PkeyPtr generate_private_key(uint8_t number, uint16_t bits) {
  const AlgorithmInfo& info = require_algorithm(number);
  EVP_PKEY* key = nullptr;
  if (info.group != nullptr) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", info.group);
  } else if (info.digest != nullptr) {
    size_t size = bits == 0 ? 2048 : bits;
    if (size < 1024 || size > 4096) {
      throw std::runtime_error("RSA key size " + std::to_string(size) +
                               " is outside 1024..4096 bits");
    }
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size);
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, info.key_type);
  }
  if (key == nullptr) {
    fail(std::string("generating a ") + info.name + " key");
  }
  return PkeyPtr(key);
}

std::string dnskey_public_key(EVP_PKEY* key, uint8_t number) {
  const AlgorithmInfo& info = require_algorithm(number);
  if (info.group != nullptr) {
    unsigned char point[1 + 2 * 66];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point,
                                        sizeof(point), &len) != 1 ||
        len != 1 + 2 * info.field_size || point[0] != 0x04) {
      fail("reading an EC public key");
    }
    return std::string(reinterpret_cast<char*>(point) + 1, len - 1);
  }
  if (info.digest == nullptr) {
    std::string out(info.field_size, '\0');
    size_t len = out.size();
    if (EVP_PKEY_get_raw_public_key(
            key, reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
      fail("reading an EdDSA public key");
    }
    out.resize(len);
    return out;
  }
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    fail("reading an RSA public key");
  }
  BnPtr n_owner(n), e_owner(e);
  std::string exponent = bn_bytes(e);
  std::string out;
  if (exponent.size() <= 255) {
    out.push_back(static_cast<char>(exponent.size()));
  } else {
    out.push_back('\0');
    out.push_back(static_cast<char>(exponent.size() >> 8));
    out.push_back(static_cast<char>(exponent.size() & 0xff));
  }
  return out + exponent + bn_bytes(n);
}

std::string private_key_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    BIO_free(bio);
    fail("encoding a private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, len);
  OPENSSL_cleanse(data, len);
  BIO_free(bio);
  return out;
}

PkeyPtr read_private_key_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  return PkeyPtr(key);
}

uint16_t key_tag(std::string_view rdata) {
  uint32_t ac = 0;
  for (size_t i = 0; i < rdata.size(); ++i) {
    uint32_t octet = static_cast<unsigned char>(rdata[i]);
    ac += (i & 1) ? octet : octet << 8;
  }
  ac += (ac >> 16) & 0xffff;
  return static_cast<uint16_t>(ac & 0xffff);
}

std::string ds_rdata(const zone::Name& owner, std::string_view dnskey_rdata,
                     uint8_t digest_type) {
  const char* digest_name = digest_type == kDigestSha1     ? "SHA1"
                            : digest_type == kDigestSha256 ? "SHA256"
                            : digest_type == kDigestSha384 ? "SHA384"
                                                           : nullptr;
  if (digest_name == nullptr || dnskey_rdata.size() < 4) {
    throw std::runtime_error("unsupported DS digest type " +
                             std::to_string(digest_type));
  }
  std::string input = owner.wire() + std::string(dnskey_rdata);
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (EVP_Q_digest(nullptr, digest_name, nullptr, input.data(), input.size(),
                   digest, &len) != 1) {
    fail("computing a DS digest");
  }
  uint16_t tag = key_tag(dnskey_rdata);
  std::string out;
  out.push_back(static_cast<char>(tag >> 8));
  out.push_back(static_cast<char>(tag & 0xff));
  out.push_back(dnskey_rdata[3]);
  out.push_back(static_cast<char>(digest_type));
  out.append(reinterpret_cast<char*>(digest), len);
  return out;
}

std::string nsec3_hash(const zone::Name& name, std::string_view salt,
                       uint16_t iterations) {
  static const MdPtr sha1 = fetch_digest("SHA1");
  thread_local MdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::string_view input = name.wire();
  for (int i = 0; i <= iterations; ++i) {
    if (EVP_DigestInit_ex2(ctx.get(), sha1.get(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), input.data(), input.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), salt.data(), salt.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) {
      fail("computing an NSEC3 hash");
    }
    input = std::string_view(reinterpret_cast<char*>(digest), len);
  }
  return std::string(input);
}

std::string base32hex_encode(std::string_view data) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : data) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  }
  return out;
}

std::unique_ptr<Signer> make_signer(PkeyPtr key, uint8_t number) {
  const AlgorithmInfo& info = require_algorithm(number);
  if (info.digest == nullptr) {
    return std::make_unique<EdSigner>(std::move(key));
  }
  return std::make_unique<DigestThenSign>(std::move(key), info);
}

bool verify_signature(uint8_t number, std::string_view public_key,
                      std::string_view data, std::string_view signature) {
  const AlgorithmInfo* info = find_algorithm(number);
  if (info == nullptr) {
    return false;
  }
  PkeyPtr key = public_key_from_dnskey(*info, public_key);
  if (!key) {
    return false;
  }
  std::string sig(signature);
  if (info->group != nullptr) {
    if (signature.size() != 2 * info->field_size) {
      return false;
    }
    sig = raw_to_der(signature);
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  int ok = EVP_DigestVerifyInit_ex(ctx.get(), nullptr, info->digest, nullptr,
                                   nullptr, key.get(), nullptr) == 1 &&
           EVP_DigestVerify(
               ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
               sig.size(), reinterpret_cast<const unsigned char*>(data.data()),
               data.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace signet::dnssec
