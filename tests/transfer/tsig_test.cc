// TSIG: HMAC known answers, key files, and request checks in the order and
// with the outcomes RFC 8945 section 5.2 gives.
#include "transfer/tsig.h"

#include <ldns/ldns.h>

#include <catch2/catch.hpp>

#include "dns_client.h"
#include "fixture.h"
#include "transfer/message.h"

namespace signet::testing {
namespace {

using transfer::TsigAlgorithm;
using transfer::TsigStatus;

std::string hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Replaces the MAC of the TSIG record that ends `wire` with `mac`.
std::string with_mac(const std::string& wire, const std::string& mac) {
  transfer::Message message = parse_or_fail(wire);
  auto record = transfer::parse_tsig_rdata(
      wire.substr(message.tsig->rdata_offset, message.tsig->rdata_length));
  std::string out = wire.substr(0, message.tsig->offset);
  out[11] = static_cast<char>(out[11] - 1);
  std::string rdata = record->algorithm.wire();
  for (int shift = 40; shift >= 0; shift -= 8) {
    rdata.push_back(static_cast<char>((record->time_signed >> shift) & 0xff));
  }
  auto put16 = [](std::string& s, uint16_t v) {
    s.push_back(static_cast<char>(v >> 8));
    s.push_back(static_cast<char>(v & 0xff));
  };
  put16(rdata, record->fudge);
  put16(rdata, static_cast<uint16_t>(mac.size()));
  rdata += mac;
  put16(rdata, record->original_id);
  put16(rdata, record->error);
  put16(rdata, 0);
  out += message.tsig->owner.wire();
  put16(out, 250);
  put16(out, 255);
  out.append(4, '\0');
  put16(out, static_cast<uint16_t>(rdata.size()));
  out += rdata;
  out[11] = static_cast<char>(out[11] + 1);
  return out;
}

TsigStatus check(const std::string& wire,
                 const std::vector<transfer::TsigKey>& keys,
                 transfer::TsigPolicy policy = {}) {
  transfer::Message message = parse_or_fail(wire);
  REQUIRE(message.tsig);
  return transfer::verify_tsig_request(wire, message.tsig->offset, keys,
                                       SystemClock::instance().now(), policy)
      .status;
}

}  // namespace

TEST_CASE("tsig HMAC matches RFC 2202 and RFC 4231 vectors") {
  struct Vector {
    TsigAlgorithm algorithm;
    std::string key;
    std::string data;
    std::string mac;
  };
  const std::string key20(20, '\x0b');
  const std::string hi = "Hi There";
  const std::string jefe_data = "what do ya want for nothing?";
  std::vector<Vector> vectors = {
      {TsigAlgorithm::kHmacMd5, std::string(16, '\x0b'), hi,
       "9294727a3638bb1c13f48ef8158bfc9d"},
      {TsigAlgorithm::kHmacMd5, "Jefe", jefe_data,
       "750c783e6ab0b503eaa86e310a5db738"},
      {TsigAlgorithm::kHmacSha1, key20, hi,
       "b617318655057264e28bc0b6fb378c8ef146be00"},
      {TsigAlgorithm::kHmacSha1, "Jefe", jefe_data,
       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {TsigAlgorithm::kHmacSha224, key20, hi,
       "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22"},
      {TsigAlgorithm::kHmacSha256, key20, hi,
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {TsigAlgorithm::kHmacSha256, "Jefe", jefe_data,
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {TsigAlgorithm::kHmacSha384, key20, hi,
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
       "faea9ea9076ede7f4af152e8b2fa9cb6"},
      {TsigAlgorithm::kHmacSha512, key20, hi,
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      {TsigAlgorithm::kHmacSha512, "Jefe", jefe_data,
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
  };
  for (const auto& v : vectors) {
    INFO(transfer::tsig_algorithm_name(v.algorithm).text() << " " << v.data);
    CHECK(hex(transfer::tsig_hmac(v.algorithm, v.key, v.data)) == v.mac);
    CHECK(transfer::tsig_mac_length(v.algorithm) == v.mac.size() / 2);
  }
}

TEST_CASE("tsig algorithm names parse in both spellings") {
  CHECK(transfer::tsig_algorithm_from_name("HMAC-SHA256") ==
        TsigAlgorithm::kHmacSha256);
  CHECK(transfer::tsig_algorithm_from_name("hmac-sha512.") ==
        TsigAlgorithm::kHmacSha512);
  CHECK(transfer::tsig_algorithm_from_name("hmac-md5.sig-alg.reg.int.") ==
        TsigAlgorithm::kHmacMd5);
  CHECK_FALSE(transfer::tsig_algorithm_from_name("hmac-sha3"));
  CHECK(transfer::tsig_algorithm_name(TsigAlgorithm::kHmacMd5).text() ==
        "hmac-md5.sig-alg.reg.int.");
}

TEST_CASE("tsig base64 round trip and rejects bad input") {
  for (std::string bytes : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10"}) {
    auto text = transfer::encode_base64(bytes);
    CHECK(transfer::decode_base64(text) == bytes);
  }
  CHECK(transfer::encode_base64("abc") == "YWJj");
  CHECK(transfer::decode_base64("YW Jj\n") == std::string("abc"));
  CHECK_FALSE(transfer::decode_base64("YW*j"));
  CHECK_FALSE(transfer::decode_base64("YQ==YQ"));
}

TEST_CASE("tsig BIND key file parses keys and reports errors by line") {
  std::string text =
      "# transfer keys\n"
      "key \"xfr.example.\" {\n"
      "  algorithm hmac-sha256; // the default\n"
      "  secret \"YWJjZGVm\";\n"
      "};\n"
      "/* a second key */ key second { algorithm hmac-sha512; "
      "secret \"eHl6\"; };\n";
  std::string error;
  auto keys = transfer::parse_bind_key_file(text, &error);
  INFO(error);
  REQUIRE(keys);
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].name == "xfr.example.");
  CHECK((*keys)[0].algorithm == "hmac-sha256");
  CHECK((*keys)[0].secret == "abcdef");
  CHECK((*keys)[1].secret == "xyz");

  struct Bad {
    std::string text;
    std::string message;
  };
  std::vector<Bad> bad = {
      {"key \"k\" {\n algorithm hmac-sha3;\n secret \"eHl6\";\n};\n",
       "line 2: unknown TSIG algorithm 'hmac-sha3'"},
      {"key \"k\" {\n algorithm hmac-sha256;\n secret \"e*l6\";\n};\n",
       "line 3: secret of key 'k' is not base64"},
      {"key \"k\" {\n algorithm hmac-sha256;\n};\n",
       "line 3: key 'k' needs an algorithm and a secret"},
      {"options { };\n", "line 1: expected 'key \"NAME\" {'"},
      {"key \"k\" {\n secret \"eHl6;\n};\n", "line 2: unterminated string"},
  };
  for (const auto& b : bad) {
    INFO(b.text);
    error.clear();
    CHECK_FALSE(transfer::parse_bind_key_file(b.text, &error));
    CHECK(error == b.message);
  }
}

TEST_CASE("tsig key file holds a clause or a bare secret") {
  TempFolder folder;
  write_text_file(folder.file("bind.key"),
                  "key \"a.\" { algorithm hmac-sha384; secret \"YWJj\"; };\n");
  write_text_file(folder.file("bare.key"), "YWJjZA==\n");
  write_text_file(folder.file("empty.key"), "\n");
  std::string error;
  auto from_clause = transfer::read_tsig_key_file(folder.file("bind.key"), "a",
                                                  "hmac-sha256", &error);
  REQUIRE(from_clause);
  CHECK(from_clause->algorithm == "hmac-sha384");
  CHECK(from_clause->secret == "abc");
  auto bare = transfer::read_tsig_key_file(folder.file("bare.key"), "b.",
                                           "hmac-sha256", &error);
  REQUIRE(bare);
  CHECK(bare->secret == "abcd");
  CHECK_FALSE(transfer::read_tsig_key_file(folder.file("bind.key"), "z.",
                                           "hmac-sha256", &error));
  CHECK(error == folder.file("bind.key") + ": no key named 'z.'");
  CHECK_FALSE(transfer::read_tsig_key_file(folder.file("empty.key"), "b.",
                                           "hmac-sha256", &error));
  CHECK(error == folder.file("empty.key") +
                     ": the file holds neither a key clause nor a base64 "
                     "secret");
  CHECK_FALSE(transfer::read_tsig_key_file(folder.file("missing.key"), "b.",
                                           "hmac-sha256", &error));
  CHECK(error ==
        folder.file("missing.key") + ": cannot open the TSIG key file");
}

TEST_CASE("tsig request checks follow RFC 8945 section 5.2") {
  transfer::TsigKey key{"xfr.example.", "hmac-sha256", random_secret()};
  std::vector<transfer::TsigKey> keys = {key};
  Query axfr("example.test.", zone::rrtype::AXFR);
  std::string mac;
  std::string signed_query = build_query(axfr, &key, &mac);

  CHECK(check(signed_query, keys) == TsigStatus::kValid);

  SECTION("unknown key name is BADKEY") {
    transfer::TsigKey other{"other.", "hmac-sha256", key.secret};
    CHECK(check(build_query(axfr, &other), keys) == TsigStatus::kBadKey);
  }
  SECTION("algorithm other than the key's is BADKEY") {
    transfer::TsigKey sha512 = key;
    sha512.algorithm = "hmac-sha512";
    CHECK(check(build_query(axfr, &sha512), keys) == TsigStatus::kBadKey);
  }
  SECTION("HMAC-MD5 only when allowed") {
    transfer::TsigKey md5{"md5.example.", "hmac-md5", random_secret(16)};
    std::string query = build_query(axfr, &md5);
    CHECK(check(query, {md5}) == TsigStatus::kBadKey);
    transfer::TsigPolicy allow;
    allow.allow_hmac_md5 = true;
    CHECK(check(query, {md5}, allow) == TsigStatus::kValid);
  }
  SECTION("wrong secret is BADSIG") {
    transfer::TsigKey forged = key;
    forged.secret = random_secret();
    CHECK(check(build_query(axfr, &forged), keys) == TsigStatus::kBadSig);
  }
  SECTION("changed message is BADSIG") {
    std::string altered = signed_query;
    altered[3] = static_cast<char>(altered[3] ^ 0x10);
    CHECK(check(altered, keys) == TsigStatus::kBadSig);
  }
  SECTION("time outside the fudge is BADTIME") {
    ManualClock past(SystemClock::instance().now() - 301);
    CHECK(check(build_query(axfr, &key, nullptr, &past), keys) ==
          TsigStatus::kBadTime);
    ManualClock near(SystemClock::instance().now() - 200);
    CHECK(check(build_query(axfr, &key, nullptr, &near), keys) ==
          TsigStatus::kValid);
  }
  SECTION("truncated MAC is BADTRUNC unless policy allows it") {
    std::string truncated = with_mac(signed_query, mac.substr(0, 16));
    CHECK(check(truncated, keys) == TsigStatus::kBadTrunc);
    transfer::TsigPolicy allow;
    allow.min_truncated_mac = 16;
    CHECK(check(truncated, keys, allow) == TsigStatus::kValid);
    std::string wrong = with_mac(signed_query, std::string(16, 'x'));
    CHECK(check(wrong, keys, allow) == TsigStatus::kBadSig);
  }
  SECTION("MAC under 10 octets or half the hash is FORMERR") {
    CHECK(check(with_mac(signed_query, mac.substr(0, 9)), keys) ==
          TsigStatus::kFormErr);
    CHECK(check(with_mac(signed_query, mac.substr(0, 15)), keys) ==
          TsigStatus::kFormErr);
    CHECK(check(with_mac(signed_query, mac + "x"), keys) ==
          TsigStatus::kFormErr);
    CHECK(check(with_mac(signed_query, ""), keys) == TsigStatus::kFormErr);
  }
}

TEST_CASE("tsig request signed by ldns verifies") {
  transfer::TsigKey key{"ldns.example.", "hmac-sha512", random_secret(64)};
  ldns_pkt* packet = nullptr;
  REQUIRE(ldns_pkt_query_new_frm_str(&packet, "example.test.",
                                     LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN,
                                     0) == LDNS_STATUS_OK);
  ldns_pkt_set_id(packet, 777);
  std::string secret = transfer::encode_base64(key.secret);
  REQUIRE(ldns_pkt_tsig_sign(packet, key.name.c_str(), secret.c_str(), 300,
                             "hmac-sha512.", nullptr) == LDNS_STATUS_OK);
  uint8_t* wire = nullptr;
  size_t size = 0;
  REQUIRE(ldns_pkt2wire(&wire, packet, &size) == LDNS_STATUS_OK);
  std::string message(reinterpret_cast<char*>(wire), size);
  std::free(wire);
  ldns_pkt_free(packet);
  CHECK(check(message, {key}) == TsigStatus::kValid);
}

TEST_CASE("tsig signer chains MACs across a message sequence") {
  transfer::TsigKey key{"chain.example.", "hmac-sha384", random_secret(48)};
  std::string request_mac;
  build_query(Query("example.test.", zone::rrtype::AXFR), &key, &request_mac);
  transfer::TsigSigner signer(key, TsigAlgorithm::kHmacSha384, request_mac,
                              SystemClock::instance());
  transfer::TsigVerifier verifier(key, TsigAlgorithm::kHmacSha384, request_mac,
                                  SystemClock::instance());
  for (int i = 0; i < 3; ++i) {
    std::string message = build_query(Query("example.test."));
    message[2] = static_cast<char>(0x84);  // a response
    signer.sign(message);
    std::string error;
    INFO("message " << i);
    CHECK(verifier.verify(message, &error));
    CHECK(error.empty());
  }
  // A message signed out of order breaks the chain.
  transfer::TsigSigner fresh(key, TsigAlgorithm::kHmacSha384, request_mac,
                             SystemClock::instance());
  std::string replay = build_query(Query("example.test."));
  fresh.sign(replay);
  std::string error;
  CHECK_FALSE(verifier.verify(replay, &error));
  CHECK(error == "TSIG MAC does not verify");
}

}  // namespace signet::testing
