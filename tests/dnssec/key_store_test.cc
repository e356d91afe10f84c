#include "dnssec/key_store.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "base/file.h"
#include "dnssec/crypto.h"
#include "support.h"

namespace signet::dnssec {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

const zone::Name kZone = *zone::Name::parse("example.org.");

}  // namespace

TEST_CASE("key store creates private folder and files") {
  testing::TempDir dir;
  FileKeyStore store(dir.path() / "tenant");
  CHECK(mode_of(dir.path() / "tenant") == 0700);
  KeyTiming timing;
  timing.publish = 1000;
  timing.active = 2000;
  KeyInfo key = store.create_key(kZone, model::KeyRole::kKsk,
                                 algorithm::kEcdsaP256Sha256, 0, timing);
  fs::path file = dir.path() / "tenant" / (key.id + ".key");
  REQUIRE(fs::exists(file));
  CHECK(mode_of(file) == 0600);
  std::string text = read_file(file);
  CHECK(text.find("-----BEGIN PRIVATE KEY-----") != std::string::npos);
  CHECK(text.find("role: ksk") != std::string::npos);
  CHECK(key.flags() == 257);
  CHECK(key.key_tag == key_tag(key.dnskey_rdata()));
  CHECK(key.timing.created == 1000);
}

TEST_CASE("key store rejects a folder open to others") {
  testing::TempDir dir;
  fs::create_directory(dir.path() / "open");
  fs::permissions(dir.path() / "open", fs::perms(0755),
                  fs::perm_options::replace);
  CHECK_THROWS_WITH(FileKeyStore(dir.path() / "open"),
                    Catch::Contains("accessible to group or others"));
}

TEST_CASE("key store lists and updates keys per zone") {
  testing::TempDir dir;
  FileKeyStore store(dir.path() / "keys");
  KeyTiming timing;
  timing.publish = 10;
  timing.active = 10;
  KeyInfo zsk = store.create_key(kZone, model::KeyRole::kZsk,
                                 algorithm::kEd25519, 0, timing);
  timing.publish = 20;
  KeyInfo ksk = store.create_key(kZone, model::KeyRole::kKsk,
                                 algorithm::kEd25519, 0, timing);
  store.create_key(*zone::Name::parse("other.org."), model::KeyRole::kCsk,
                   algorithm::kEd25519, 0, timing);

  std::vector<KeyInfo> keys = store.list_keys(kZone);
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].id == zsk.id);
  CHECK(keys[1].id == ksk.id);
  CHECK(keys[0].role == model::KeyRole::kZsk);
  CHECK(keys[0].public_key == zsk.public_key);

  zsk.timing.inactive = 500;
  zsk.timing.remove = 900;
  zsk.timing.ds_published = 77;
  store.update_key(zsk);
  keys = store.list_keys(kZone);
  CHECK(keys[0].timing.inactive == 500);
  CHECK(keys[0].timing.remove == 900);
  CHECK(keys[0].timing.ds_published == 77);
  CHECK(mode_of(dir.path() / "keys" / (zsk.id + ".key")) == 0600);
}

TEST_CASE("key store signer matches the public key") {
  testing::TempDir dir;
  FileKeyStore store(dir.path() / "keys");
  for (uint8_t alg : {8, 13, 15}) {
    INFO(algorithm_name(alg));
    KeyInfo key =
        store.create_key(kZone, model::KeyRole::kCsk, alg, 1024, KeyTiming{});
    auto signer = store.signer(key);
    std::string signature;
    signer->sign("payload", signature);
    CHECK(verify_signature(alg, key.public_key, "payload", signature));
  }
}

TEST_CASE("key store reports a damaged key file") {
  testing::TempDir dir;
  FileKeyStore store(dir.path() / "keys");
  write_file_atomic(dir.path() / "keys" / "Kbroken.key",
                    "zone: example.org.\nalgorithm: x\n", 0600);
  fs::path file = dir.path() / "keys" / "Kbroken.key";
  CHECK_THROWS_WITH(
      store.list_keys(kZone),
      file.string() + ":2: field 'algorithm' is not a number: 'x'");
}

}  // namespace signet::dnssec
