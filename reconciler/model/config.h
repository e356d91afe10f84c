// Operator configuration: where state lives, where to listen, and tenants.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/diagnostic.h"

namespace signet::model {

// A "host:port" or "[v6]:port" to listen on.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

// A TSIG key's name and algorithm; the secret is read from `secret_file`
// at run time and never stored in this struct's text form.
struct TsigKeyRef {
  std::string name;
  std::string algorithm = "hmac-sha256";
  std::string secret_file;
};

enum class KeyStoreKind { kFiles, kPkcs11 };

struct KeyStoreConfig {
  KeyStoreKind kind = KeyStoreKind::kFiles;
  std::string path;         // folder for kFiles; PKCS#11 module for kPkcs11
  std::string token_label;  // kPkcs11 only
  std::string pin_file;     // kPkcs11 only
};

// One tenant as the operator declares it.
struct Tenant {
  std::string name;
  Location location;
  std::string repository;  // local path, file://, https://, ssh://, git://
  std::string branch = "main";
  std::string subfolder;                   // inside the repository
  std::vector<std::string> allowed_zones;  // absolute zone names
  KeyStoreConfig keys;
  std::vector<TsigKeyRef> tsig_keys;  // keys the tenant's secondaries use
  std::string webhook_secret_file;
  int64_t fetch_interval = 60;  // seconds, for remote repositories
};

struct OperatorConfig {
  std::string path;  // the file this came from
  std::string state_dir = "state";
  std::vector<ListenAddress> dns_listen{{"127.0.0.1", 5300}};
  std::vector<ListenAddress> http_listen{{"127.0.0.1", 8053}};
  int journal_depth = 100;  // IXFR journal entries kept per zone
  std::vector<Tenant> tenants;
};

}  // namespace signet::model
