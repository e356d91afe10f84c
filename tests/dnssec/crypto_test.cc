// Known-answer tests from the RFCs, one table row per published vector.
#include "dnssec/crypto.h"

#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "dnssec/rrsig.h"
#include "zone/rdata.h"

namespace signet::dnssec {
namespace {

std::string base64_decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  REQUIRE(n >= 0);
  size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kDigits[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

zone::Name name(const char* text) {
  return *zone::Name::parse(text);
}

// DNSKEY RDATA from flags, algorithm and the base64 public key.
std::string dnskey(uint16_t flags, uint8_t alg, const char* public_key) {
  std::string rdata;
  rdata.push_back(static_cast<char>(flags >> 8));
  rdata.push_back(static_cast<char>(flags & 0xff));
  rdata.push_back(3);
  rdata.push_back(static_cast<char>(alg));
  return rdata + base64_decode(public_key);
}

// The data an RRSIG over one record covers.
std::string signed_data(const RrsigFields& fields, const char* signer,
                        const char* owner, zone::RrType type,
                        const char* rdata_text) {
  std::string data;
  append_rrsig_header(fields, name(signer), data);
  zone::Rrset rrset{type, fields.original_ttl, {}};
  rrset.rdatas.push_back(*zone::parse_rdata(type, rdata_text, name(signer)));
  append_signed_records(name(owner), rrset, fields.original_ttl, data);
  return data;
}

}  // namespace

TEST_CASE("NSEC3 hashes match RFC 5155 appendix A") {
  struct Vector {
    const char* name;
    const char* hash;
  };
  // Salt aabbccdd, 12 extra iterations.
  const Vector vectors[] = {
      {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
      {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
      {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
      {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
      {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
      {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
      {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
      {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
      {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
      {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
      {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
  };
  const std::string salt("\xaa\xbb\xcc\xdd", 4);
  for (const Vector& v : vectors) {
    INFO(v.name);
    CHECK(base32hex_encode(nsec3_hash(name(v.name), salt, 12)) == v.hash);
  }
}

TEST_CASE("key tags and DS digests match the RFC examples") {
  struct Vector {
    const char* source;
    const char* owner;
    uint16_t flags;
    uint8_t algorithm;
    const char* public_key;
    uint16_t key_tag;
    uint8_t digest_type;
    const char* digest;
  };
  const char* const kRfc4034Key =
      "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/"
      "2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/"
      "M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/"
      "rljwvFw==";
  const Vector vectors[] = {
      {"RFC 4034 5.4", "dskey.example.com.", 256, 5, kRfc4034Key, 60485, 1,
       "2bb183af5f22588179a53b0a98631fad1a292118"},
      {"RFC 4509 2.3", "dskey.example.com.", 256, 5, kRfc4034Key, 60485, 2,
       "d4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a"},
      {"RFC 6605 6.1", "example.net.", 257, 13,
       "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+"
       "MAnLr+Wi9xMWyQLc8NAA==",
       55648, 2,
       "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17"},
      {"RFC 6605 6.2", "example.net.", 257, 14,
       "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/"
       "egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/"
       "mlVNgF6W/qTI37m40",
       10771, 4,
       "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0563a9b5"
       "f4d288405c3008a946df983d6"},
      {"RFC 8080 6.1 first", "example.com.", 257, 15,
       "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", 3613, 2,
       "3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b"},
      {"RFC 8080 6.1 second", "example.com.", 257, 15,
       "zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=", 35217, 2,
       "401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c"},
  };
  for (const Vector& v : vectors) {
    INFO(v.source);
    std::string rdata = dnskey(v.flags, v.algorithm, v.public_key);
    CHECK(key_tag(rdata) == v.key_tag);
    std::string ds = ds_rdata(name(v.owner), rdata, v.digest_type);
    CHECK(hex(ds.substr(4)) == v.digest);
    CHECK(static_cast<uint8_t>(ds[2]) == v.algorithm);
    CHECK(static_cast<uint8_t>(ds[3]) == v.digest_type);
  }
}

TEST_CASE("Ed25519 signatures match RFC 8080") {
  struct Vector {
    const char* private_key;
    uint16_t key_tag;
    const char* signature;
  };
  // RFC 8080 section 6.1 as corrected by erratum 4935.
  const Vector vectors[] = {
      {"ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=", 3613,
       "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+"
       "QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg=="},
      {"DSSF3o0s0f+ElWzj9E/Osxw8hLpk55chkmx0LYN5WiY=", 35217,
       "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7A"
       "QR0O7KuI5k2pcBg=="},
  };
  for (const Vector& v : vectors) {
    INFO(v.key_tag);
    std::string seed = base64_decode(v.private_key);
    PkeyPtr key(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
    REQUIRE(key);
    std::string public_key = dnskey_public_key(key.get(), algorithm::kEd25519);
    CHECK(key_tag(dnskey(257, 15, "") + public_key) == v.key_tag);

    RrsigFields fields{zone::rrtype::MX, 15,         2,        3600,
                       1440021600,       1438207200, v.key_tag};
    std::string data = signed_data(fields, "example.com.", "example.com.",
                                   zone::rrtype::MX, "10 mail.example.com.");
    auto signer = make_signer(std::move(key), algorithm::kEd25519);
    std::string signature;
    signer->sign(data, signature);
    CHECK(signature == base64_decode(v.signature));
    CHECK(verify_signature(15, public_key, data, signature));
  }
}

TEST_CASE("ECDSA signatures from RFC 6605 verify") {
  struct Vector {
    const char* source;
    uint8_t algorithm;
    const char* public_key;
    uint16_t key_tag;
    uint32_t expiration;
    uint32_t inception;
    const char* signature;
  };
  const Vector vectors[] = {
      {"RFC 6605 6.1", 13,
       "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+"
       "MAnLr+Wi9xMWyQLc8NAA==",
       55648, 1284026679, 1281607479,
       "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+"
       "3SNruPFKG7tZoLBLlUzGGus"
       "7ZwmwWep666VCw=="},
      {"RFC 6605 6.2", 14,
       "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/"
       "egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/"
       "mlVNgF6W/qTI37m40",
       10771, 1284027625, 1281608425,
       "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr7"
       "4"
       "hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm"},
  };
  for (const Vector& v : vectors) {
    INFO(v.source);
    RrsigFields fields{zone::rrtype::A, v.algorithm, 3,        3600,
                       v.expiration,    v.inception, v.key_tag};
    std::string data = signed_data(fields, "example.net.", "www.example.net.",
                                   zone::rrtype::A, "192.0.2.1");
    std::string signature = base64_decode(v.signature);
    CHECK(verify_signature(v.algorithm, base64_decode(v.public_key), data,
                           signature));
    signature[5] ^= 1;
    CHECK_FALSE(verify_signature(v.algorithm, base64_decode(v.public_key), data,
                                 signature));
  }
}

TEST_CASE("generated keys sign and verify for every algorithm") {
  for (uint8_t alg : {8, 10, 13, 14, 15, 16}) {
    if (!algorithm_supported(alg)) {
      WARN("OpenSSL lacks " << algorithm_name(alg));
      continue;
    }
    INFO(algorithm_name(alg));
    PkeyPtr key = generate_private_key(alg, 0);
    std::string public_key = dnskey_public_key(key.get(), alg);
    PkeyPtr reread = read_private_key_pem(private_key_pem(key.get()));
    REQUIRE(reread);
    CHECK(dnskey_public_key(reread.get(), alg) == public_key);
    auto signer = make_signer(std::move(reread), alg);
    std::string signature;
    signer->sign("data to sign", signature);
    CHECK(verify_signature(alg, public_key, "data to sign", signature));
    signer->sign("other data", signature);
    CHECK(verify_signature(alg, public_key, "other data", signature));
    CHECK_FALSE(verify_signature(alg, public_key, "data to sign", signature));
  }
}

TEST_CASE("algorithm names parse and print") {
  CHECK(algorithm_from_name("ecdsap256sha256") == 13);
  CHECK(algorithm_from_name("ED25519") == 15);
  CHECK(algorithm_from_name("8") == 8);
  CHECK_FALSE(algorithm_from_name("RSAMD5X"));
  CHECK(algorithm_name(14) == "ECDSAP384SHA384");
  CHECK(algorithm_name(200) == "ALG200");
}

}  // namespace signet::dnssec
