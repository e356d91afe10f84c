// DNSSEC key material and where it is kept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "model/policy.h"
#include "zone/name.h"

namespace signet::dnssec {

// DNSKEY flags (RFC 4034 section 2.1.1): ZONE, and SEP for KSKs and CSKs.
inline constexpr uint16_t kFlagZone = 0x0100;
inline constexpr uint16_t kFlagSep = 0x0001;

// RFC 7583 timing of one key. Every field is a Unix time; 0 means "not
// scheduled". `publish` <= now < `remove` puts the key in the DNSKEY RRset;
// `active` <= now < `inactive` makes it sign. For a KSK or CSK the parent's
// DS is driven by `ds_submit`, `ds_published` and `ds_removed`.
struct KeyTiming {
  UnixTime created = 0;
  UnixTime publish = 0;
  UnixTime active = 0;
  UnixTime inactive = 0;
  UnixTime remove = 0;        // RFC 7583 "Delete": leaves the DNSKEY RRset
  UnixTime ds_submit = 0;     // CDS/CDNSKEY published from this time on
  UnixTime ds_published = 0;  // the parent was seen serving the DS
  UnixTime ds_removed = 0;    // the parent was seen without the DS
};

// A key's public half and metadata; never the private key.
struct KeyInfo {
  std::string id;  // stable identifier in its store (the file stem)
  zone::Name zone;
  uint8_t algorithm = 0;
  model::KeyRole role = model::KeyRole::kCsk;
  uint16_t key_tag = 0;
  std::string public_key;  // DNSKEY Public Key field (RFC 4034 2.1.4)
  KeyTiming timing;

  uint16_t flags() const;
  // DNSKEY RDATA in wire form: flags, protocol 3, algorithm, public key.
  std::string dnskey_rdata() const;
  bool signs_keys() const { return role != model::KeyRole::kZsk; }
  bool signs_zone() const { return role != model::KeyRole::kKsk; }
  bool published_at(UnixTime t) const;
  bool active_at(UnixTime t) const;
};

// Signs buffers with one private key. Holds its own OpenSSL contexts, so
// one Signer must be used by one thread at a time; make one per thread.
class Signer {
 public:
  virtual ~Signer() = default;

  // Replaces `signature` with the DNSSEC-format signature of `data`
  // (RFC 5702, RFC 6605 r||s, RFC 8080). Throws std::runtime_error when the
  // crypto library fails.
  virtual void sign(std::string_view data, std::string& signature) = 0;
};

// Storage of a tenant's keys. FileKeyStore implements it, and a PKCS#11
// store fits behind the same interface. Methods may throw
// std::runtime_error (or std::system_error for I/O) with the key involved.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Returns the keys of `zone`, ordered by creation time then key tag.
  virtual std::vector<KeyInfo> list_keys(const zone::Name& zone) = 0;

  // Generates and stores a new key. `bits` is the RSA modulus size (0 picks
  // 2048); other algorithms ignore it. `timing` is stored as given, except
  // that `created` defaults to timing.publish when 0. The key tag is
  // unique among the zone's keys.
  virtual KeyInfo create_key(const zone::Name& zone, model::KeyRole role,
                             uint8_t algorithm, uint16_t bits,
                             const KeyTiming& timing) = 0;

  // Rewrites the timing of the key with `key.id`.
  virtual void update_key(const KeyInfo& key) = 0;

  // Returns a new signing handle for `key`.
  virtual std::unique_ptr<Signer> signer(const KeyInfo& key) = 0;
};

// Keys as files: one folder per tenant (mode 0700), one file per key (mode
// 0600) holding the metadata as "name: value" lines followed by the private
// key in PKCS#8 PEM. Files are replaced atomically.
class FileKeyStore final : public KeyStore {
 public:
  // Creates `folder` with mode 0700 when missing. Throws std::runtime_error
  // when it exists with group or other permission bits set.
  explicit FileKeyStore(std::filesystem::path folder);

  std::vector<KeyInfo> list_keys(const zone::Name& zone) override;
  KeyInfo create_key(const zone::Name& zone, model::KeyRole role,
                     uint8_t algorithm, uint16_t bits,
                     const KeyTiming& timing) override;
  void update_key(const KeyInfo& key) override;
  std::unique_ptr<Signer> signer(const KeyInfo& key) override;

  const std::filesystem::path& folder() const { return folder_; }

 private:
  std::filesystem::path folder_;
};

}  // namespace signet::dnssec
