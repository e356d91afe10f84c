#include "support/zone_files.h"

#include <ldns/ldns.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/secondaries.h"

namespace signet::testing {

TempFolder::TempFolder(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    throw std::runtime_error("cannot create a temporary folder " + pattern);
  }
  path_ = pattern;
}

TempFolder::~TempFolder() {
  if (!keep_) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

namespace {

// Converts one ldns record to canonical wire form.
std::optional<zone::Rr> to_rr(ldns_rr* rr, ldns_buffer* buffer) {
  ldns_rr2canonical(rr);
  const ldns_rdf* owner = ldns_rr_owner(rr);
  zone::Rr out;
  out.owner = zone::Name::from_canonical_wire(
      std::string(reinterpret_cast<const char*>(ldns_rdf_data(owner)),
                  ldns_rdf_size(owner)));
  out.type = static_cast<zone::RrType>(ldns_rr_get_type(rr));
  out.ttl = ldns_rr_ttl(rr);
  ldns_buffer_clear(buffer);
  if (ldns_rr_rdata2buffer_wire(buffer, rr) != LDNS_STATUS_OK) {
    return std::nullopt;
  }
  out.rdata.assign(reinterpret_cast<const char*>(ldns_buffer_begin(buffer)),
                   ldns_buffer_position(buffer));
  return out;
}

}  // namespace

std::shared_ptr<zone::Zone> load_master_file(const std::string& path,
                                             const zone::Name& origin,
                                             std::string* error) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (!file) {
    if (error) {
      *error = path + ": cannot open";
    }
    return nullptr;
  }
  auto result = std::make_shared<zone::Zone>(origin);
  ldns_rdf* current_origin = ldns_dname_new_frm_str(origin.text().c_str());
  ldns_rdf* previous = nullptr;
  uint32_t default_ttl = 3600;
  int line = 0;
  ldns_buffer* buffer = ldns_buffer_new(65535);
  bool ok = true;
  while (!std::feof(file)) {
    ldns_rr* rr = nullptr;
    ldns_status status = ldns_rr_new_frm_fp_l(
        &rr, file, &default_ttl, &current_origin, &previous, &line);
    if (status == LDNS_STATUS_SYNTAX_EMPTY ||
        status == LDNS_STATUS_SYNTAX_TTL ||
        status == LDNS_STATUS_SYNTAX_ORIGIN ||
        status == LDNS_STATUS_SYNTAX_INCLUDE) {
      continue;
    }
    if (status != LDNS_STATUS_OK) {
      if (error) {
        *error = path + ":" + std::to_string(line) + ": " +
                 ldns_get_errorstr_by_id(status);
      }
      ok = false;
      break;
    }
    auto converted = to_rr(rr, buffer);
    ldns_rr_free(rr);
    if (!converted) {
      if (error) {
        *error = path + ":" + std::to_string(line) + ": RDATA not encodable";
      }
      ok = false;
      break;
    }
    result->add(*converted);
  }
  ldns_buffer_free(buffer);
  ldns_rdf_deep_free(current_origin);
  if (previous) {
    ldns_rdf_deep_free(previous);
  }
  std::fclose(file);
  if (!ok) {
    return nullptr;
  }
  result->finalize();
  return result;
}

std::string make_zone_text(const std::string& origin, uint32_t serial,
                           size_t names, const std::string& extra) {
  std::string text = "$ORIGIN " + origin + "\n$TTL 3600\n";
  text += "@ IN SOA ns1 hostmaster " + std::to_string(serial) +
          " 3600 600 1209600 300\n";
  text +=
      "@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\n"
      "ns2 IN AAAA 2001:db8::2\n";
  for (size_t i = 1; i <= names; ++i) {
    text += "host" + std::to_string(i) + " IN A 198.51." +
            std::to_string((i / 256) % 256) + "." + std::to_string(i % 256) +
            "\n";
  }
  return text + extra;
}

ZoneSigner::ZoneSigner(std::string folder, std::string origin)
    : folder_(std::move(folder)), origin_(std::move(origin)) {}

bool ZoneSigner::make_keys(std::string* error) {
  std::string output;
  if (run_command({"ldns-keygen", "-a", "ED25519", "-k", origin_}, &output,
                  std::chrono::seconds(30), folder_) != 0) {
    *error = "ldns-keygen failed: " + output;
    return false;
  }
  ksk_ = output.substr(0, output.find('\n'));
  if (run_command({"ldns-keygen", "-a", "ED25519", origin_}, &output,
                  std::chrono::seconds(30), folder_) != 0) {
    *error = "ldns-keygen failed: " + output;
    return false;
  }
  zsk_ = output.substr(0, output.find('\n'));
  return true;
}

std::optional<std::string> ZoneSigner::sign(const std::string& text,
                                            const std::string& name, bool nsec3,
                                            std::string* error) {
  std::string input = folder_ + "/" + name;
  write_text_file(input, text);
  std::string output_path = input + ".signed";
  // Fixed times keep Ed25519 signatures identical across signings; the
  // window covers any test run from 2024 to 2036.
  std::vector<std::string> argv = {
      "ldns-signzone",  "-i", "20240101000000", "-e",
      "20360101000000", "-f", output_path};
  if (nsec3) {
    argv.insert(argv.end(), {"-n", "-t", "0"});
  }
  argv.insert(argv.end(), {input, folder_ + "/" + zsk_, folder_ + "/" + ksk_});
  std::string output;
  if (run_command(argv, &output, std::chrono::minutes(30), folder_) != 0) {
    *error = "ldns-signzone failed: " + output;
    return std::nullopt;
  }
  return output_path;
}

std::string ZoneSigner::trust_anchor_file() const {
  std::string key = read_text_file(ksk_file());
  // "owner IN DNSKEY 257 3 15 base64 ;{comment}"
  std::istringstream fields(key.substr(0, key.find(';')));
  std::string owner, klass, type, flags, protocol, algorithm, material, part;
  fields >> owner >> klass >> type >> flags >> protocol >> algorithm;
  while (fields >> part) {
    material += part;
  }
  std::string path = folder_ + "/trust-anchor.conf";
  write_text_file(path, "trust-anchors {\n  \"" + owner + "\" static-key " +
                            flags + " " + protocol + " " + algorithm + " \"" +
                            material + "\";\n};\n");
  return path;
}

}  // namespace signet::testing
