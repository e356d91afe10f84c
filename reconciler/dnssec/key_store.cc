#include "dnssec/key_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>

#include "base/file.h"
#include "dnssec/crypto.h"

namespace signet::dnssec {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kFileSuffix = ".key";
constexpr std::string_view kPemBegin = "-----BEGIN";

const char* role_name(model::KeyRole role) {
  switch (role) {
    case model::KeyRole::kKsk:
      return "ksk";
    case model::KeyRole::kZsk:
      return "zsk";
    case model::KeyRole::kCsk:
      return "csk";
  }
  return "csk";
}

std::optional<model::KeyRole> role_from_name(std::string_view name) {
  if (name == "ksk") {
    return model::KeyRole::kKsk;
  }
  if (name == "zsk") {
    return model::KeyRole::kZsk;
  }
  if (name == "csk") {
    return model::KeyRole::kCsk;
  }
  return std::nullopt;
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

std::optional<std::string> unhex(std::string_view text) {
  if (text.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] =
        std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (ec != std::errc() || end != text.data() + i + 2) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(value));
  }
  return out;
}

// File stem for a key: zone name with unusual octets escaped, algorithm
// and key tag, as in BIND's K<zone>+<alg>+<tag>.
std::string key_id(const zone::Name& zone, uint8_t algorithm, uint16_t tag) {
  std::string text = zone.is_root() ? "." : zone.text();
  if (text.size() > 1) {
    text.pop_back();
  }
  std::string safe;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.') {
      safe.push_back(c);
    } else {
      safe += "%" + hex(std::string_view(&c, 1));
    }
  }
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "+%03u+%05u", algorithm, tag);
  return "K" + safe + suffix;
}

struct TimingField {
  const char* name;
  UnixTime KeyTiming::*field;
};

constexpr TimingField kTimingFields[] = {
    {"created", &KeyTiming::created},
    {"publish", &KeyTiming::publish},
    {"active", &KeyTiming::active},
    {"inactive", &KeyTiming::inactive},
    {"delete", &KeyTiming::remove},
    {"ds-submit", &KeyTiming::ds_submit},
    {"ds-published", &KeyTiming::ds_published},
    {"ds-removed", &KeyTiming::ds_removed},
};

std::string format_metadata(const KeyInfo& key) {
  std::string out = "; Signet DNSSEC key. Private: keep this file mode 0600.\n";
  out += "zone: " + key.zone.text() + "\n";
  out += "algorithm: " + std::to_string(key.algorithm) + "\n";
  out += std::string("role: ") + role_name(key.role) + "\n";
  out += "flags: " + std::to_string(key.flags()) + "\n";
  out += "key-tag: " + std::to_string(key.key_tag) + "\n";
  out += "public-key: " + hex(key.public_key) + "\n";
  for (const TimingField& f : kTimingFields) {
    out +=
        std::string(f.name) + ": " + std::to_string(key.timing.*f.field) + "\n";
  }
  return out;
}

struct ParsedKeyFile {
  KeyInfo info;
  std::string pem;  // private key; cleared by the caller when unused
};

[[noreturn]] void bad_file(const fs::path& path, size_t line,
                           const std::string& what) {
  throw std::runtime_error(path.string() + ":" + std::to_string(line) + ": " +
                           what);
}

struct Field {
  std::string value;
  size_t line = 0;
};

ParsedKeyFile parse_key_file(const fs::path& path, const std::string& text) {
  ParsedKeyFile out;
  out.info.id = path.stem().string();
  std::map<std::string, Field, std::less<>> fields;
  size_t pos = 0;
  size_t line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string_view row(text.data() + pos, end - pos);
    ++line;
    if (row.starts_with(kPemBegin)) {
      out.pem = text.substr(pos);
      break;
    }
    pos = end + 1;
    if (row.empty() || row.front() == ';') {
      continue;
    }
    size_t colon = row.find(": ");
    if (colon == std::string_view::npos) {
      bad_file(path, line, "expected 'name: value'");
    }
    fields[std::string(row.substr(0, colon))] =
        Field{std::string(row.substr(colon + 2)), line};
  }
  auto field = [&](const char* name) -> const Field& {
    auto it = fields.find(name);
    if (it == fields.end()) {
      bad_file(path, line, std::string("missing field '") + name + "'");
    }
    return it->second;
  };
  auto number = [&](const char* name) -> int64_t {
    const Field& f = field(name);
    int64_t n = 0;
    auto [end, ec] =
        std::from_chars(f.value.data(), f.value.data() + f.value.size(), n);
    if (ec != std::errc() || end != f.value.data() + f.value.size()) {
      bad_file(path, f.line,
               std::string("field '") + name + "' is not a number: '" +
                   f.value + "'");
    }
    return n;
  };
  std::string error;
  auto zone = zone::Name::parse(field("zone").value, &error);
  if (!zone) {
    bad_file(path, field("zone").line, "invalid zone name: " + error);
  }
  out.info.zone = *zone;
  out.info.algorithm = static_cast<uint8_t>(number("algorithm"));
  auto role = role_from_name(field("role").value);
  if (!role) {
    bad_file(path, field("role").line, "role must be ksk, zsk or csk");
  }
  out.info.role = *role;
  out.info.key_tag = static_cast<uint16_t>(number("key-tag"));
  auto public_key = unhex(field("public-key").value);
  if (!public_key) {
    bad_file(path, field("public-key").line, "public-key is not hexadecimal");
  }
  out.info.public_key = *public_key;
  for (const TimingField& f : kTimingFields) {
    out.info.timing.*f.field = number(f.name);
  }
  if (out.pem.empty()) {
    bad_file(path, line, "missing the private key (PEM block)");
  }
  return out;
}

void wipe(std::string& secret) {
  std::fill(secret.begin(), secret.end(), '\0');
  secret.clear();
}

}  // namespace

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

FileKeyStore::FileKeyStore(fs::path folder) : folder_(std::move(folder)) {
  std::error_code ec;
  if (!fs::exists(folder_, ec)) {
    fs::create_directories(folder_);
    fs::permissions(folder_, fs::perms::owner_all, fs::perm_options::replace);
    return;
  }
  if (!fs::is_directory(folder_)) {
    throw std::runtime_error("key folder " + folder_.string() +
                             " is not a directory");
  }
  fs::perms perms = fs::status(folder_).permissions();
  if ((perms & (fs::perms::group_all | fs::perms::others_all)) !=
      fs::perms::none) {
    throw std::runtime_error("key folder " + folder_.string() +
                             " is accessible to group or others; run "
                             "'chmod 700 " +
                             folder_.string() + "'");
  }
}

std::vector<KeyInfo> FileKeyStore::list_keys(const zone::Name& zone) {
  std::vector<KeyInfo> keys;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder_)) {
    if (!entry.is_regular_file() ||
        entry.path().extension() != fs::path(kFileSuffix)) {
      continue;
    }
    std::string text = read_file(entry.path());
    ParsedKeyFile parsed = parse_key_file(entry.path(), text);
    wipe(parsed.pem);
    wipe(text);
    if (parsed.info.zone == zone) {
      keys.push_back(std::move(parsed.info));
    }
  }
  std::sort(keys.begin(), keys.end(), [](const KeyInfo& a, const KeyInfo& b) {
    return std::tie(a.timing.created, a.key_tag, a.id) <
           std::tie(b.timing.created, b.key_tag, b.id);
  });
  return keys;
}

KeyInfo FileKeyStore::create_key(const zone::Name& zone, model::KeyRole role,
                                 uint8_t algorithm, uint16_t bits,
                                 const KeyTiming& timing) {
  std::vector<KeyInfo> existing = list_keys(zone);
  for (int attempt = 0; attempt < 64; ++attempt) {
    PkeyPtr key = generate_private_key(algorithm, bits);
    KeyInfo info;
    info.zone = zone;
    info.algorithm = algorithm;
    info.role = role;
    info.public_key = dnskey_public_key(key.get(), algorithm);
    info.key_tag = dnssec::key_tag(info.dnskey_rdata());
    bool clash = std::any_of(
        existing.begin(), existing.end(),
        [&](const KeyInfo& k) { return k.key_tag == info.key_tag; });
    if (clash) {
      continue;  // key tags should tell a zone's keys apart
    }
    info.id = key_id(zone, algorithm, info.key_tag);
    info.timing = timing;
    if (info.timing.created == 0) {
      info.timing.created = timing.publish;
    }
    std::string pem = private_key_pem(key.get());
    std::string contents = format_metadata(info) + pem;
    write_file_atomic(folder_ / (info.id + std::string(kFileSuffix)), contents,
                      0600);
    wipe(pem);
    wipe(contents);
    return info;
  }
  throw std::runtime_error("could not find a free key tag for zone " +
                           zone.text());
}

void FileKeyStore::update_key(const KeyInfo& key) {
  fs::path path = folder_ / (key.id + std::string(kFileSuffix));
  std::string text = read_file(path);
  ParsedKeyFile parsed = parse_key_file(path, text);
  wipe(text);
  if (parsed.info.key_tag != key.key_tag || !(parsed.info.zone == key.zone)) {
    wipe(parsed.pem);
    throw std::runtime_error("key file " + path.string() +
                             " does not hold the key being updated");
  }
  parsed.info.timing = key.timing;
  std::string contents = format_metadata(parsed.info) + parsed.pem;
  write_file_atomic(path, contents, 0600);
  wipe(parsed.pem);
  wipe(contents);
}

std::unique_ptr<Signer> FileKeyStore::signer(const KeyInfo& key) {
  fs::path path = folder_ / (key.id + std::string(kFileSuffix));
  std::string text = read_file(path);
  ParsedKeyFile parsed = parse_key_file(path, text);
  wipe(text);
  PkeyPtr pkey = read_private_key_pem(parsed.pem);
  wipe(parsed.pem);
  if (!pkey) {
    throw std::runtime_error("key file " + path.string() +
                             " holds no readable private key");
  }
  if (dnskey_public_key(pkey.get(), parsed.info.algorithm) !=
      parsed.info.public_key) {
    throw std::runtime_error("key file " + path.string() +
                             ": private key does not match public-key");
  }
  return make_signer(std::move(pkey), parsed.info.algorithm);
}

}  // namespace signet::dnssec
