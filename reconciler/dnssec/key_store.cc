#include "dnssec/key_store.h"

#include <stdexcept>

namespace signet::dnssec {

uint16_t KeyInfo::flags() const {
  return role == model::KeyRole::kZsk ? kFlagZone : (kFlagZone | kFlagSep);
}

std::string KeyInfo::dnskey_rdata() const {
  std::string out;
  uint16_t f = flags();
  out.push_back(static_cast<char>(f >> 8));
  out.push_back(static_cast<char>(f & 0xff));
  out.push_back(3);
  out.push_back(static_cast<char>(algorithm));
  out += public_key;
  return out;
}

bool KeyInfo::published_at(UnixTime t) const {
  return timing.publish != 0 && timing.publish <= t &&
         (timing.remove == 0 || t < timing.remove);
}

bool KeyInfo::active_at(UnixTime t) const {
  return timing.active != 0 && timing.active <= t &&
         (timing.inactive == 0 || t < timing.inactive);
}

FileKeyStore::FileKeyStore(std::filesystem::path folder)
    : folder_(std::move(folder)) {}

std::vector<KeyInfo> FileKeyStore::list_keys(const zone::Name&) {
  return {};
}

KeyInfo FileKeyStore::create_key(const zone::Name&, model::KeyRole, uint8_t,
                                 uint16_t, const KeyTiming&) {
  throw std::runtime_error("key generation is not implemented yet");
}

void FileKeyStore::update_key(const KeyInfo&) {}

std::unique_ptr<Signer> FileKeyStore::signer(const KeyInfo&) {
  throw std::runtime_error("signing is not implemented yet");
}

}  // namespace signet::dnssec
