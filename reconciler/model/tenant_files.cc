#include "model/tenant_files.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "model/yaml_reader.h"

namespace signet::model {

namespace {

const std::vector<std::string_view> kPolicyKeys = {
    "algorithm",  "keys", "denial",   "nsec3",
    "signatures", "ttl",  "rollover", "cds"};
const std::vector<std::string_view> kKeyKeys = {"role", "algorithm", "bits",
                                                "lifetime"};
const std::vector<std::string_view> kNsec3Keys = {"iterations", "salt",
                                                  "opt_out"};
const std::vector<std::string_view> kSignatureKeys = {
    "validity", "refresh", "jitter", "inception_offset"};
const std::vector<std::string_view> kTtlKeys = {"dnskey", "ds"};
const std::vector<std::string_view> kRolloverKeys = {
    "publish_safety", "retire_safety", "propagation_delay"};
const std::vector<std::string_view> kSecondaryKeys = {"address", "port",
                                                      "tsig_key"};

// RFC 8624 section 3.1: what implementations may sign with.
enum class Signing { kMustNot, kNotRecommended, kOk };

struct AlgorithmInfo {
  uint8_t number;
  std::string_view name;
  Signing signing;
  bool rsa;
  uint16_t fixed_bits;  // key size of non-RSA algorithms
};

constexpr AlgorithmInfo kAlgorithms[] = {
    {1, "RSAMD5", Signing::kMustNot, true, 0},
    {3, "DSA", Signing::kMustNot, false, 0},
    {5, "RSASHA1", Signing::kNotRecommended, true, 0},
    {6, "DSA-NSEC3-SHA1", Signing::kMustNot, false, 0},
    {7, "RSASHA1-NSEC3-SHA1", Signing::kNotRecommended, true, 0},
    {8, "RSASHA256", Signing::kOk, true, 0},
    {10, "RSASHA512", Signing::kNotRecommended, true, 0},
    {12, "ECC-GOST", Signing::kMustNot, false, 0},
    {13, "ECDSAP256SHA256", Signing::kOk, false, 256},
    {14, "ECDSAP384SHA384", Signing::kOk, false, 384},
    {15, "ED25519", Signing::kOk, false, 256},
    {16, "ED448", Signing::kOk, false, 456},
};

const AlgorithmInfo* find_algorithm(uint8_t number) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.number == number) {
      return &info;
    }
  }
  return nullptr;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::toupper(c));
  });
  return s;
}

bool valid_label_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                  c == '_' || c == '.';
         });
}

std::string role_name(KeyRole role) {
  switch (role) {
    case KeyRole::kKsk:
      return "ksk";
    case KeyRole::kZsk:
      return "zsk";
    case KeyRole::kCsk:
      break;
  }
  return "csk";
}

// Positions of the values that the policy-wide checks read.
struct PolicyLocations {
  Location signatures;
  Location iterations;
  Location salt;
};

void check_policy_at(const Policy& policy, const PolicyLocations& at,
                     Diagnostics& diagnostics);

class PolicyParser {
 public:
  PolicyParser(const std::string& path, Diagnostics& diagnostics)
      : reader_(path, diagnostics) {}

  std::optional<Policy> parse(const std::string& name,
                              const std::string& text) {
    std::optional<YAML::Node> root = reader_.load(text);
    if (!root) {
      return std::nullopt;
    }
    Policy policy = default_policy();
    policy.name = name;
    policy.location = Location{reader_.path(), 1, 1};
    std::vector<YamlEntry> entries =
        reader_.entries(*root, policy.location, "the policy", kPolicyKeys);
    for (const YamlEntry& e : entries) {
      if (e.key == "algorithm") {
        if (auto a = algorithm(e)) {
          default_algorithm_ = *a;
        }
      }
    }
    for (KeySpec& key : policy.keys) {
      key.algorithm = default_algorithm_;
    }
    for (const YamlEntry& e : entries) {
      parse_top(e, policy);
    }
    if (nsec3_given_ && policy.denial == Denial::kNsec) {
      denial_conflict_ = true;
    }
    PolicyLocations at{policy.location, policy.location, policy.location};
    if (signatures_location_.line > 0) {
      at.signatures = signatures_location_;
    }
    if (iterations_location_.line > 0) {
      at.iterations = iterations_location_;
    }
    if (salt_location_.line > 0) {
      at.salt = salt_location_;
    }
    check_policy_at(policy, at, reader_.diagnostics());
    return policy;
  }

 private:
  void parse_top(const YamlEntry& e, Policy& policy) {
    if (e.key == "keys") {
      parse_keys(e, policy);
    } else if (e.key == "denial") {
      if (auto s = reader_.text(e.value, e.location, "denial")) {
        if (*s == "nsec") {
          policy.denial = Denial::kNsec;
        } else if (*s == "nsec3") {
          policy.denial = Denial::kNsec3;
        } else {
          reader_.error(e.location,
                        "denial '" + *s + "' is unknown; use nsec or nsec3");
        }
      }
      denial_location_ = e.location;
    } else if (e.key == "nsec3") {
      nsec3_location_ = e.key_location;
      nsec3_given_ = true;
      parse_nsec3(e, policy.nsec3);
    } else if (e.key == "signatures") {
      signatures_location_ = e.key_location;
      for (const YamlEntry& f :
           reader_.entries(e.value, e.location, "signatures", kSignatureKeys)) {
        int64_t* target = f.key == "validity"  ? &policy.signature_validity
                          : f.key == "refresh" ? &policy.signature_refresh
                          : f.key == "jitter"  ? &policy.signature_jitter
                                               : &policy.inception_offset;
        set_duration(f, "signatures " + f.key, *target);
      }
    } else if (e.key == "ttl") {
      for (const YamlEntry& f :
           reader_.entries(e.value, e.location, "ttl", kTtlKeys)) {
        int64_t value = 0;
        if (set_duration(f, "ttl " + f.key, value, kMaxTtlValue)) {
          (f.key == "dnskey" ? policy.dnskey_ttl : policy.ds_ttl) =
              static_cast<uint32_t>(value);
        }
      }
    } else if (e.key == "rollover") {
      for (const YamlEntry& f :
           reader_.entries(e.value, e.location, "rollover", kRolloverKeys)) {
        int64_t* target = f.key == "publish_safety" ? &policy.publish_safety
                          : f.key == "retire_safety"
                              ? &policy.retire_safety
                              : &policy.propagation_delay;
        set_duration(f, "rollover " + f.key, *target);
      }
    } else if (e.key == "cds") {
      if (auto b = reader_.boolean(e.value, e.location, "cds")) {
        policy.cds = *b;
      }
    }
  }

  bool set_duration(const YamlEntry& f, const std::string& what,
                    int64_t& target, int64_t max = 10LL * 365 * 86400) {
    std::optional<int64_t> value =
        reader_.duration(f.value, f.location, what, 0, max);
    if (value) {
      target = *value;
    }
    return value.has_value();
  }

  std::optional<uint8_t> algorithm(const YamlEntry& e) {
    std::optional<std::string> s =
        reader_.text(e.value, e.location, "algorithm");
    if (!s) {
      return std::nullopt;
    }
    std::optional<uint8_t> number = algorithm_from_name(*s);
    const AlgorithmInfo* info = number ? find_algorithm(*number) : nullptr;
    if (info == nullptr) {
      reader_.error(e.location,
                    "algorithm '" + *s +
                        "' is not a DNSSEC signing algorithm; use "
                        "ECDSAP256SHA256 (13), ECDSAP384SHA384 (14), "
                        "ED25519 (15), ED448 (16) or RSASHA256 (8)");
      return std::nullopt;
    }
    if (info->signing == Signing::kMustNot) {
      reader_.error(e.location, "algorithm " + std::string(info->name) +
                                    " must not be used for signing (RFC 8624 "
                                    "section 3.1); use ECDSAP256SHA256");
      return std::nullopt;
    }
    if (info->signing == Signing::kNotRecommended) {
      reader_.warning(e.location,
                      "algorithm " + std::string(info->name) +
                          " is not recommended for signing (RFC 8624 section "
                          "3.1); prefer ECDSAP256SHA256");
    }
    return number;
  }

  void parse_keys(const YamlEntry& e, Policy& policy) {
    if (!e.value.IsSequence() || e.value.size() == 0) {
      reader_.error(e.location,
                    "keys must be a list of keys, each a mapping with a role "
                    "(csk, or ksk and zsk)");
      return;
    }
    policy.keys.clear();
    std::set<std::string> roles;
    for (auto& [node, where] : reader_.items(e.value, e.location)) {
      KeySpec key;
      key.algorithm = default_algorithm_;
      bool has_role = false;
      bool role_given = false;
      std::optional<int64_t> bits;
      Location bits_location = where;
      for (const YamlEntry& f :
           reader_.entries(node, where, "a key", kKeyKeys)) {
        if (f.key == "role") {
          role_given = true;
          has_role = parse_role(f, key);
        } else if (f.key == "algorithm") {
          if (auto a = algorithm(f)) {
            key.algorithm = *a;
          }
        } else if (f.key == "bits") {
          bits = reader_.integer(f.value, f.location, "key bits", 512, 16384);
          bits_location = f.location;
        } else if (f.key == "lifetime") {
          parse_lifetime(f, key);
        }
      }
      if (!has_role) {
        if (role_given) {
          continue;
        }
        reader_.error(where,
                      "a key has no role; add 'role:' with csk, ksk or "
                      "zsk");
        continue;
      }
      check_bits(key, bits, bits_location);
      if (!roles.insert(role_name(key.role)).second) {
        reader_.error(where, "the policy has two " + role_name(key.role) +
                                 " keys; keep one key per role");
        continue;
      }
      policy.keys.push_back(key);
    }
    bool csk = roles.count("csk") != 0;
    bool ksk = roles.count("ksk") != 0;
    bool zsk = roles.count("zsk") != 0;
    if (csk && (ksk || zsk)) {
      reader_.error(e.location,
                    "keys mix a csk with a ksk or zsk; use one "
                    "csk, or a ksk and a zsk");
    } else if (ksk != zsk) {
      reader_.error(e.location,
                    std::string("keys have a ") +
                        (ksk ? "ksk without a zsk" : "zsk without a ksk") +
                        "; add the other, or use one csk");
    }
  }

  bool parse_role(const YamlEntry& f, KeySpec& key) {
    std::optional<std::string> s =
        reader_.text(f.value, f.location, "key role");
    if (!s) {
      return false;
    }
    if (*s == "csk") {
      key.role = KeyRole::kCsk;
    } else if (*s == "ksk") {
      key.role = KeyRole::kKsk;
    } else if (*s == "zsk") {
      key.role = KeyRole::kZsk;
    } else {
      reader_.error(f.location,
                    "key role '" + *s + "' is unknown; use csk, ksk or zsk");
      return false;
    }
    return true;
  }

  void parse_lifetime(const YamlEntry& f, KeySpec& key) {
    if (f.value.IsScalar() && f.value.Scalar() == "unlimited") {
      key.lifetime = 0;
      return;
    }
    std::optional<int64_t> value = reader_.duration(
        f.value, f.location, "key lifetime", 0, 100LL * 365 * 86400);
    if (!value) {
      return;
    }
    if (*value > 0 && *value < 86400) {
      reader_.warning(f.location,
                      "key lifetime " + f.value.Scalar() +
                          " is under a day, so rollovers may overlap; use "
                          "at least 30d, or 'unlimited'");
    }
    key.lifetime = *value;
  }

  void check_bits(KeySpec& key, std::optional<int64_t> bits,
                  const Location& where) {
    const AlgorithmInfo* info = find_algorithm(key.algorithm);
    if (info == nullptr) {
      return;
    }
    if (info->rsa) {
      key.bits = static_cast<uint16_t>(bits.value_or(2048));
      if (key.bits < 2048) {
        reader_.error(where, "RSA key size " + std::to_string(key.bits) +
                                 " bits is too small; use 2048 or more");
      } else if (key.bits > 4096) {
        reader_.error(where, "RSA key size " + std::to_string(key.bits) +
                                 " bits is over the DNSSEC limit of 4096");
      }
      return;
    }
    if (bits && *bits != info->fixed_bits) {
      reader_.error(where, std::string(info->name) + " keys are always " +
                               std::to_string(info->fixed_bits) +
                               " bits; remove 'bits'");
    }
    key.bits = 0;
  }

  void parse_nsec3(const YamlEntry& e, Nsec3Params& nsec3) {
    for (const YamlEntry& f :
         reader_.entries(e.value, e.location, "nsec3", kNsec3Keys)) {
      if (f.key == "iterations") {
        if (auto n = reader_.integer(f.value, f.location, "nsec3 iterations", 0,
                                     65535)) {
          nsec3.iterations = static_cast<uint16_t>(*n);
          iterations_location_ = f.location;
        }
      } else if (f.key == "salt") {
        parse_salt(f, nsec3);
      } else if (f.key == "opt_out") {
        if (auto b = reader_.boolean(f.value, f.location, "nsec3 opt_out")) {
          nsec3.opt_out = *b;
        }
      }
    }
  }

  void parse_salt(const YamlEntry& f, Nsec3Params& nsec3) {
    std::optional<std::string> s =
        reader_.optional_text(f.value, f.location, "nsec3 salt");
    if (!s) {
      return;
    }
    std::string salt = *s == "-" ? "" : *s;
    bool hex = std::all_of(salt.begin(), salt.end(), [](unsigned char c) {
      return std::isxdigit(c) != 0;
    });
    if (!hex || salt.size() % 2 != 0 || salt.size() > 510) {
      reader_.error(f.location, "nsec3 salt '" + *s +
                                    "' is invalid; write up to 255 octets in "
                                    "hexadecimal, or \"\" for none");
      return;
    }
    nsec3.salt_hex = salt;
    salt_location_ = f.location;
  }

 public:
  // Positions of values that check_policy() does not know about.
  Location denial_location_;
  Location signatures_location_;
  Location nsec3_location_;
  Location iterations_location_;
  Location salt_location_;
  bool denial_conflict_ = false;
  bool nsec3_given_ = false;

 private:
  static constexpr int64_t kMaxTtlValue = 2147483647;
  YamlReader reader_;
  uint8_t default_algorithm_ = 13;
};

}  // namespace

std::optional<uint8_t> algorithm_from_name(const std::string& text) {
  unsigned number = 0;
  auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && ptr == text.data() + text.size()) {
    if (number > 255) {
      return std::nullopt;
    }
    return static_cast<uint8_t>(number);
  }
  std::string name = upper(text);
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.name == name) {
      return info.number;
    }
  }
  return std::nullopt;
}

std::string algorithm_name(uint8_t algorithm) {
  const AlgorithmInfo* info = find_algorithm(algorithm);
  return info != nullptr ? std::string(info->name) : std::to_string(algorithm);
}

namespace {

void check_policy_at(const Policy& policy, const PolicyLocations& at,
                     Diagnostics& diagnostics) {
  if (policy.signature_validity < 3600) {
    diagnostics.error(at.signatures,
                      "signatures validity " +
                          std::to_string(policy.signature_validity) +
                          "s is under an hour; use at least 1d");
  }
  if (policy.signature_refresh >= policy.signature_validity) {
    diagnostics.error(
        at.signatures,
        "signatures refresh (" + std::to_string(policy.signature_refresh) +
            "s) must be below validity (" +
            std::to_string(policy.signature_validity) +
            "s), or every signature is due for refresh when it is made");
  } else if (policy.signature_refresh + policy.signature_jitter >=
             policy.signature_validity) {
    diagnostics.error(at.signatures,
                      "signatures refresh plus jitter must be below "
                      "validity, or some signatures are due for "
                      "refresh when they are made; lower jitter");
  }
  if (policy.inception_offset >= policy.signature_validity) {
    diagnostics.error(at.signatures,
                      "signatures inception_offset must be below "
                      "validity");
  }
  if (policy.signature_refresh < 3600 &&
      policy.signature_refresh < policy.signature_validity) {
    diagnostics.warning(at.signatures,
                        "signatures refresh under an hour leaves "
                        "little time to fix a signing failure "
                        "before signatures expire");
  }
  if (policy.denial == Denial::kNsec3 && policy.nsec3.iterations > 100) {
    diagnostics.error(at.iterations,
                      "nsec3 iterations " +
                          std::to_string(policy.nsec3.iterations) +
                          " make validators treat the zone as insecure "
                          "or bogus (RFC 9276 section 3.2); use 0");
  } else if (policy.denial == Denial::kNsec3 && policy.nsec3.iterations > 0) {
    diagnostics.warning(at.iterations,
                        "nsec3 iterations " +
                            std::to_string(policy.nsec3.iterations) +
                            " add cost without adding protection; RFC "
                            "9276 section 3.1 says use 0");
  }
  if (policy.denial == Denial::kNsec3 && !policy.nsec3.salt_hex.empty()) {
    diagnostics.warning(at.salt,
                        "an nsec3 salt adds no protection; RFC 9276 "
                        "section 3.1 says use none (\"\")");
  }
}

}  // namespace

void check_policy(const Policy& policy, Diagnostics& diagnostics) {
  check_policy_at(
      policy,
      PolicyLocations{policy.location, policy.location, policy.location},
      diagnostics);
}

std::optional<Policy> parse_policy_file(const std::string& path,
                                        const std::string& name,
                                        const std::string& text,
                                        Diagnostics& diagnostics) {
  PolicyParser parser(path, diagnostics);
  std::optional<Policy> policy = parser.parse(name, text);
  if (policy && parser.denial_conflict_) {
    diagnostics.error(parser.nsec3_location_,
                      "nsec3 settings are given but denial is nsec; remove "
                      "them or set 'denial: nsec3'");
  }
  return policy;
}

std::vector<Secondary> parse_secondaries_file(const std::string& path,
                                              const std::string& text,
                                              Diagnostics& diagnostics) {
  YamlReader reader(path, diagnostics);
  std::vector<Secondary> out;
  std::optional<YAML::Node> root = reader.load(text);
  if (!root) {
    return out;
  }
  Location start{path, 1, 1};
  for (const YamlEntry& top :
       reader.entries(*root, start, "secondaries.yaml", {"secondaries"})) {
    for (const YamlEntry& e :
         reader.free_entries(top.value, top.location, "secondaries")) {
      if (!valid_label_name(e.key)) {
        reader.error(e.key_location, "secondary name '" + e.key +
                                         "' is invalid; use up to 64 letters, "
                                         "digits, '-', '_' and '.'");
        continue;
      }
      Secondary secondary;
      secondary.name = e.key;
      secondary.location = e.key_location;
      bool has_address = false;
      bool has_key = false;
      size_t errors_before = diagnostics.error_count();
      for (const YamlEntry& f :
           reader.entries(e.value, e.location, "secondary '" + e.key + "'",
                          kSecondaryKeys)) {
        if (f.key == "address") {
          has_address = true;
          auto s = reader.text(f.value, f.location, "address");
          unsigned char buf[16];
          if (s && inet_pton(AF_INET, s->c_str(), buf) != 1 &&
              inet_pton(AF_INET6, s->c_str(), buf) != 1) {
            reader.error(f.location, "address '" + *s +
                                         "' is not an IPv4 or IPv6 address; "
                                         "write e.g. 192.0.2.53 or "
                                         "2001:db8::53");
          } else if (s) {
            secondary.address = *s;
          }
        } else if (f.key == "port") {
          if (auto n = reader.integer(f.value, f.location, "port", 1, 65535)) {
            secondary.port = static_cast<uint16_t>(*n);
          }
        } else if (f.key == "tsig_key") {
          if (auto s = reader.text(f.value, f.location, "tsig_key")) {
            std::string key = *s;
            std::transform(key.begin(), key.end(), key.begin(), ::tolower);
            if (!key.empty() && key.back() == '.') {
              key.pop_back();
            }
            secondary.tsig_key_name = key;
            has_key = true;
          }
        }
      }
      if (!has_address) {
        reader.error(e.key_location, "secondary '" + e.key +
                                         "' has no address; add 'address:'");
      }
      if (!has_key && has_address) {
        reader.warning(e.key_location,
                       "secondary '" + e.key +
                           "' has no tsig_key, so its transfers are "
                           "authorized by address alone; add a TSIG key");
      }
      if (diagnostics.error_count() == errors_before) {
        out.push_back(std::move(secondary));
      }
    }
  }
  return out;
}

}  // namespace signet::model
