// Test zones: generated master files, signed with ldns-signzone on keys
// made at run time, and loaded into zone::Zone with ldns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "zone/name.h"
#include "zone/zone.h"

namespace signet::testing {

// A folder under $TMPDIR (or /tmp) removed with its contents on
// destruction.
class TempFolder {
 public:
  explicit TempFolder(const std::string& prefix = "signet-test");
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

void write_text_file(const std::string& path, const std::string& text);
std::string read_text_file(const std::string& path);

// Loads a master file with ldns into a finalized zone in canonical form.
// Returns nullptr with the ldns error and line in `error`.
std::shared_ptr<zone::Zone> load_master_file(const std::string& path,
                                             const zone::Name& origin,
                                             std::string* error = nullptr);

// A master file for `origin` with `names` hosts (host1 … hostN, each with
// an A record), apex NS and SOA with the given serial, and a one-hour SOA
// refresh so that only NOTIFY makes secondaries transfer quickly.
std::string make_zone_text(const std::string& origin, uint32_t serial,
                           size_t names, const std::string& extra = "");

// Keys and signing for one zone in `folder`: an Ed25519 KSK and ZSK made by
// ldns-keygen, and signatures from ldns-signzone with fixed inception and
// expiration times. Ed25519 signatures are deterministic, so signing a
// changed zone again changes only the RRSIGs of what changed.
class ZoneSigner {
 public:
  ZoneSigner(std::string folder, std::string origin);

  // Creates the keys. Returns false with the tool output in `error`.
  bool make_keys(std::string* error);

  // Signs `text` (NSEC3 when `nsec3`), writes NAME.signed and returns its
  // path, or nullopt with the tool output in `error`.
  std::optional<std::string> sign(const std::string& text,
                                  const std::string& name, bool nsec3,
                                  std::string* error);

  // A delv/BIND trust-anchors clause for the KSK, written to a file.
  std::string trust_anchor_file() const;
  // The KSK's DNSKEY record file, for ldns-verify-zone -k.
  std::string ksk_file() const { return folder_ + "/" + ksk_ + ".key"; }

 private:
  std::string folder_;
  std::string origin_;
  std::string ksk_;
  std::string zsk_;
};

}  // namespace signet::testing
