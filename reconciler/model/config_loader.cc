#include "model/config_loader.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "model/yaml_reader.h"

namespace signet::model {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string_view> kTopKeys = {
    "state_dir", "dns_listen", "http_listen", "journal_depth", "tenants"};
const std::vector<std::string_view> kTenantKeys = {
    "name",      "repository",          "branch",
    "subfolder", "allowed_zones",       "key_store",
    "tsig_keys", "webhook_secret_file", "fetch_interval"};
const std::vector<std::string_view> kKeyStoreKeys = {"type", "path", "module",
                                                     "token_label", "pin_file"};
const std::vector<std::string_view> kTsigKeys = {"name", "algorithm",
                                                 "secret_file"};
const std::vector<std::string_view> kTsigAlgorithms = {
    "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return s;
}

bool is_url(const std::string& location) {
  if (location.find("://") != std::string::npos) {
    return true;
  }
  // scp-like "user@host:path"
  size_t at = location.find('@');
  size_t colon = location.find(':');
  size_t slash = location.find('/');
  return at != std::string::npos && colon != std::string::npos && at < colon &&
         (slash == std::string::npos || colon < slash);
}

// Checks a zone name written in the configuration and returns it in lower
// case with a trailing dot. Escapes are not accepted here.
std::optional<std::string> normalize_zone_name(const std::string& text,
                                               std::string* problem) {
  if (text == ".") {
    return std::string(".");
  }
  std::string name = lower(text);
  if (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  if (name.empty()) {
    *problem = "the name is empty";
    return std::nullopt;
  }
  if (name.size() > 253) {
    *problem = "the name is over 253 characters";
    return std::nullopt;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    size_t end = dot == std::string::npos ? name.size() : dot;
    size_t length = end - start;
    if (length == 0) {
      *problem = "the name has an empty label";
      return std::nullopt;
    }
    if (length > 63) {
      *problem = "a label is over 63 characters";
      return std::nullopt;
    }
    for (size_t i = start; i < end; ++i) {
      char c = name[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_' || c == '*';
      if (!ok) {
        *problem = std::string("character '") + c + "' is not allowed";
        return std::nullopt;
      }
    }
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  return name + ".";
}

bool valid_tenant_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

class ConfigParser {
 public:
  ConfigParser(const std::string& path, Diagnostics& diagnostics)
      : reader_(path, diagnostics),
        base_(fs::absolute(fs::path(path)).parent_path()) {}

  OperatorConfig parse(const std::string& text) {
    OperatorConfig config;
    config.path = reader_.path();
    config.state_dir = resolve(config.state_dir);
    std::optional<YAML::Node> root = reader_.load(text);
    if (!root) {
      return config;
    }
    Location file_location{reader_.path(), 1, 1};
    for (const YamlEntry& e : reader_.entries(
             *root, file_location, "the operator configuration", kTopKeys)) {
      parse_top(e, config);
    }
    for (Tenant& tenant : config.tenants) {
      if (tenant.keys.kind == KeyStoreKind::kFiles &&
          tenant.keys.path.empty()) {
        tenant.keys.path = (fs::path(config.state_dir) / "keys" / tenant.name)
                               .lexically_normal()
                               .string();
      }
    }
    check_zone_overlap();
    return config;
  }

 private:
  std::string resolve(const std::string& path) const {
    fs::path p(path);
    if (p.is_relative()) {
      p = base_ / p;
    }
    return p.lexically_normal().string();
  }

  std::optional<std::string> path_value(const YamlEntry& e,
                                        std::string_view what) {
    std::optional<std::string> s = reader_.text(e.value, e.location, what);
    if (!s) {
      return std::nullopt;
    }
    return resolve(*s);
  }

  void parse_top(const YamlEntry& e, OperatorConfig& config) {
    if (e.key == "state_dir") {
      if (auto s = path_value(e, "state_dir")) {
        config.state_dir = *s;
      }
    } else if (e.key == "dns_listen") {
      config.dns_listen = listen_list(e, 53);
    } else if (e.key == "http_listen") {
      config.http_listen = listen_list(e, 80);
    } else if (e.key == "journal_depth") {
      if (auto n = reader_.integer(e.value, e.location, "journal_depth", 1,
                                   1000000)) {
        config.journal_depth = static_cast<int>(*n);
      }
    } else if (e.key == "tenants") {
      parse_tenants(e, config);
    }
  }

  std::vector<ListenAddress> listen_list(const YamlEntry& e,
                                         uint16_t default_port) {
    std::vector<ListenAddress> out;
    size_t errors_before = reader_.diagnostics().error_count();
    for (auto& [text, where] : reader_.text_list(e.value, e.location, e.key)) {
      std::string problem;
      if (auto address = parse_listen_address(text, default_port, &problem)) {
        out.push_back(*address);
      } else {
        reader_.error(where, e.key + " '" + text + "' is invalid: " + problem);
      }
    }
    if (out.empty() && reader_.diagnostics().error_count() == errors_before) {
      reader_.error(e.location, e.key + " is empty; give at least one address");
    }
    return out;
  }

  void parse_tenants(const YamlEntry& e, OperatorConfig& config) {
    if (!e.value.IsSequence()) {
      reader_.error(e.location,
                    "tenants must be a list of tenants, each a mapping with "
                    "name, repository and allowed_zones");
      return;
    }
    std::map<std::string, Location> names;
    for (auto& [node, where] : reader_.items(e.value, e.location)) {
      std::optional<Tenant> tenant = parse_tenant(node, where);
      if (!tenant) {
        continue;
      }
      auto [it, inserted] = names.emplace(tenant->name, tenant->location);
      if (!inserted) {
        reader_.error(tenant->location,
                      "duplicate tenant name '" + tenant->name +
                          "' (first declared at " + it->second.text() +
                          "); give each tenant its own name");
        continue;
      }
      config.tenants.push_back(std::move(*tenant));
    }
  }

  std::optional<Tenant> parse_tenant(const YAML::Node& node,
                                     const Location& where) {
    Tenant tenant;
    tenant.location = where;
    bool has_repository = false;
    for (const YamlEntry& e :
         reader_.entries(node, where, "a tenant", kTenantKeys)) {
      if (e.key == "name") {
        if (auto s = reader_.text(e.value, e.location, "tenant name")) {
          if (valid_tenant_name(*s)) {
            tenant.name = *s;
          } else {
            reader_.error(e.location,
                          "tenant name '" + *s +
                              "' is invalid; use up to 64 letters, digits, "
                              "'-', '_' and '.'");
          }
        }
      } else if (e.key == "repository") {
        if (auto s = reader_.text(e.value, e.location, "repository")) {
          tenant.repository = is_url(*s) ? *s : resolve(*s);
          has_repository = true;
        }
      } else if (e.key == "branch") {
        if (auto s = reader_.text(e.value, e.location, "branch")) {
          tenant.branch = *s;
        }
      } else if (e.key == "subfolder") {
        parse_subfolder(e, tenant);
      } else if (e.key == "allowed_zones") {
        parse_allowed_zones(e, tenant);
      } else if (e.key == "key_store") {
        parse_key_store(e, tenant);
      } else if (e.key == "tsig_keys") {
        parse_tsig_keys(e, tenant);
      } else if (e.key == "webhook_secret_file") {
        if (auto s = path_value(e, "webhook_secret_file")) {
          tenant.webhook_secret_file = *s;
        }
      } else if (e.key == "fetch_interval") {
        if (auto d = reader_.duration(e.value, e.location, "fetch_interval", 1,
                                      86400)) {
          tenant.fetch_interval = *d;
        }
      }
    }
    bool complete = true;
    if (tenant.name.empty()) {
      reader_.error(where, "a tenant has no name; add 'name:'");
      complete = false;
    }
    if (!has_repository) {
      reader_.error(where, "tenant '" + tenant.name +
                               "' has no repository; add 'repository:' with "
                               "a path or URL");
      complete = false;
    }
    return complete ? std::optional<Tenant>(std::move(tenant)) : std::nullopt;
  }

  void parse_subfolder(const YamlEntry& e, Tenant& tenant) {
    std::optional<std::string> s =
        reader_.optional_text(e.value, e.location, "subfolder");
    if (!s) {
      return;
    }
    fs::path p = fs::path(*s).lexically_normal();
    std::string normal = p.string();
    while (!normal.empty() && normal.back() == '/') {
      normal.pop_back();
    }
    if (normal == ".") {
      normal.clear();
    }
    if (p.is_absolute() || normal.rfind("..", 0) == 0) {
      reader_.error(e.location, "subfolder '" + *s +
                                    "' must be a relative path inside the "
                                    "repository");
      return;
    }
    tenant.subfolder = normal;
  }

  void parse_allowed_zones(const YamlEntry& e, Tenant& tenant) {
    std::set<std::string> seen;
    for (auto& [text, where] :
         reader_.text_list(e.value, e.location, "allowed zone")) {
      std::string problem;
      std::optional<std::string> name = normalize_zone_name(text, &problem);
      if (!name) {
        reader_.error(where,
                      "allowed zone '" + text + "' is invalid: " + problem);
        continue;
      }
      if (!seen.insert(*name).second) {
        reader_.error(
            where, "allowed zone '" + text + "' is listed twice; remove one");
        continue;
      }
      tenant.allowed_zones.push_back(*name);
      zone_owners_[*name].push_back({tenant.name, where});
    }
  }

  void parse_key_store(const YamlEntry& e, Tenant& tenant) {
    KeyStoreConfig& keys = tenant.keys;
    std::string type = "files";
    Location type_location = e.location;
    std::vector<YamlEntry> fields =
        reader_.entries(e.value, e.location, "key_store", kKeyStoreKeys);
    for (const YamlEntry& f : fields) {
      if (f.key == "type") {
        if (auto s = reader_.text(f.value, f.location, "key_store type")) {
          type = *s;
          type_location = f.location;
        }
      }
    }
    if (type == "files") {
      keys.kind = KeyStoreKind::kFiles;
    } else if (type == "pkcs11") {
      keys.kind = KeyStoreKind::kPkcs11;
    } else {
      reader_.error(type_location, "key_store type '" + type +
                                       "' is unknown; use files or pkcs11");
      return;
    }
    for (const YamlEntry& f : fields) {
      bool for_files = f.key == "path";
      bool for_pkcs11 =
          f.key == "module" || f.key == "token_label" || f.key == "pin_file";
      if ((for_files && keys.kind != KeyStoreKind::kFiles) ||
          (for_pkcs11 && keys.kind != KeyStoreKind::kPkcs11)) {
        reader_.error(f.key_location, "key_store key '" + f.key +
                                          "' does not apply to type " + type);
        continue;
      }
      if (f.key == "path" || f.key == "module") {
        if (auto s = path_value(f, "key_store " + f.key)) {
          keys.path = *s;
        }
      } else if (f.key == "pin_file") {
        if (auto s = path_value(f, "key_store pin_file")) {
          keys.pin_file = *s;
        }
      } else if (f.key == "token_label") {
        if (auto s = reader_.text(f.value, f.location, "token_label")) {
          keys.token_label = *s;
        }
      }
    }
    if (keys.kind == KeyStoreKind::kPkcs11 &&
        (keys.path.empty() || keys.token_label.empty())) {
      reader_.error(e.location,
                    "a pkcs11 key_store needs 'module' and 'token_label'");
    }
  }

  void parse_tsig_keys(const YamlEntry& e, Tenant& tenant) {
    if (!e.value.IsSequence()) {
      reader_.error(e.location,
                    "tsig_keys must be a list of keys, each a mapping with "
                    "name, algorithm and secret_file");
      return;
    }
    std::set<std::string> names;
    for (auto& [node, where] : reader_.items(e.value, e.location)) {
      TsigKeyRef key;
      bool has_secret = false;
      for (const YamlEntry& f :
           reader_.entries(node, where, "a TSIG key", kTsigKeys)) {
        if (f.key == "name") {
          if (auto s = reader_.text(f.value, f.location, "TSIG key name")) {
            std::string problem;
            if (auto n = normalize_zone_name(*s, &problem)) {
              key.name = n->size() > 1 ? n->substr(0, n->size() - 1) : *n;
            } else {
              reader_.error(f.location, "TSIG key name '" + *s +
                                            "' is invalid: " + problem);
            }
          }
        } else if (f.key == "algorithm") {
          if (auto s = reader_.text(f.value, f.location, "TSIG algorithm")) {
            std::string algorithm = lower(*s);
            if (std::find(kTsigAlgorithms.begin(), kTsigAlgorithms.end(),
                          algorithm) == kTsigAlgorithms.end()) {
              reader_.error(f.location, "TSIG algorithm '" + *s +
                                            "' is not supported; use one of " +
                                            join_list(kTsigAlgorithms));
            } else {
              key.algorithm = algorithm;
            }
          }
        } else if (f.key == "secret_file") {
          if (auto s = path_value(f, "secret_file")) {
            key.secret_file = *s;
            has_secret = true;
          }
        }
      }
      if (key.name.empty()) {
        reader_.error(where, "a TSIG key has no name; add 'name:'");
        continue;
      }
      if (!has_secret) {
        reader_.error(where, "TSIG key '" + key.name +
                                 "' has no secret_file; add the path of the "
                                 "file that holds its base64 secret");
        continue;
      }
      if (!names.insert(key.name).second) {
        reader_.error(where, "duplicate TSIG key name '" + key.name +
                                 "'; give each key its own name");
        continue;
      }
      tenant.tsig_keys.push_back(std::move(key));
    }
  }

  void check_zone_overlap() {
    for (const auto& [zone, owners] : zone_owners_) {
      for (size_t i = 1; i < owners.size(); ++i) {
        if (owners[i].first == owners[0].first) {
          continue;
        }
        reader_.error(owners[i].second,
                      "zone " + zone + " is allowed for tenant '" +
                          owners[i].first + "' and for tenant '" +
                          owners[0].first + "' (" + owners[0].second.text() +
                          "); a zone belongs to one tenant only");
      }
    }
  }

  YamlReader reader_;
  fs::path base_;
  std::map<std::string, std::vector<std::pair<std::string, Location>>>
      zone_owners_;
};

}  // namespace

std::optional<ListenAddress> parse_listen_address(const std::string& text,
                                                  uint16_t default_port,
                                                  std::string* error) {
  auto fail = [error](std::string message) -> std::optional<ListenAddress> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return std::nullopt;
  };
  std::string host = text;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) {
      return fail("missing ']' after the IPv6 address");
    }
    host = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return fail("expected ':port' after ']'");
      }
      port_text = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    size_t colon = text.find(':');
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) != 1 &&
      inet_pton(AF_INET6, host.c_str(), buf) != 1) {
    return fail("'" + host +
                "' is not an IPv4 or IPv6 address; write 127.0.0.1:5300 or "
                "[::1]:5300");
  }
  ListenAddress out{host, default_port};
  if (!port_text.empty() || text.back() == ':') {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(),
                                     port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() ||
        port == 0 || port > 65535) {
      return fail("port '" + port_text + "' is not a number from 1 to 65535");
    }
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

OperatorConfig parse_operator_config(const std::string& path,
                                     const std::string& text,
                                     Diagnostics& diagnostics) {
  return ConfigParser(path, diagnostics).parse(text);
}

OperatorConfig load_operator_config(const std::string& path,
                                    Diagnostics& diagnostics) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.error(Location{path, 0, 0},
                      "cannot read the operator configuration: " +
                          std::string(std::strerror(errno)));
    OperatorConfig config;
    config.path = path;
    return config;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_operator_config(path, text.str(), diagnostics);
}

}  // namespace signet::model
