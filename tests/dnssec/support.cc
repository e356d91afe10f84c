#include "support.h"

#include <ldns/ldns.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <stdexcept>

#include "base/file.h"
#include "zone/rdata.h"

namespace signet::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::random_device rd;
  for (;;) {
    path_ = fs::temp_directory_path() /
            ("signet-dnssec-" + std::to_string(rd()) + std::to_string(rd()));
    if (fs::create_directory(path_)) {
      fs::permissions(path_, fs::perms::owner_all, fs::perm_options::replace);
      return;
    }
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path test_data(const std::string& relative) {
  return fs::path(SIGNET_TEST_DATA) / relative;
}

namespace {

zone::Zone convert(ldns_zone* parsed, const std::string& origin) {
  zone::Zone out(*zone::Name::parse(origin));
  auto add = [&](ldns_rr* rr) {
    ldns_rr2canonical(rr);
    ldns_rdf* owner = ldns_rr_owner(rr);
    std::string wire(reinterpret_cast<const char*>(ldns_rdf_data(owner)),
                     ldns_rdf_size(owner));
    ldns_buffer* buf = ldns_buffer_new(512);
    if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
      ldns_buffer_free(buf);
      throw std::runtime_error("ldns could not encode a record");
    }
    std::string rdata(reinterpret_cast<const char*>(ldns_buffer_begin(buf)),
                      ldns_buffer_position(buf));
    ldns_buffer_free(buf);
    out.add(zone::Name::from_canonical_wire(wire), ldns_rr_get_type(rr),
            ldns_rr_ttl(rr), rdata);
  };
  if (ldns_zone_soa(parsed) != nullptr) {
    add(ldns_zone_soa(parsed));
  }
  ldns_rr_list* rrs = ldns_zone_rrs(parsed);
  for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) {
    add(ldns_rr_list_rr(rrs, i));
  }
  out.finalize();
  return out;
}

zone::Zone read_from(FILE* file, const std::string& origin,
                     const std::string& what) {
  ldns_rdf* origin_rdf = ldns_dname_new_frm_str(origin.c_str());
  ldns_zone* parsed = nullptr;
  int line = 0;
  ldns_status status = ldns_zone_new_frm_fp_l(&parsed, file, origin_rdf, 3600,
                                              LDNS_RR_CLASS_IN, &line);
  ldns_rdf_deep_free(origin_rdf);
  if (status != LDNS_STATUS_OK) {
    throw std::runtime_error(what + ":" + std::to_string(line) + ": " +
                             ldns_get_errorstr_by_id(status));
  }
  zone::Zone out = convert(parsed, origin);
  ldns_zone_deep_free(parsed);
  return out;
}

}  // namespace

zone::Zone read_zone(const fs::path& path, const std::string& origin) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    throw std::runtime_error("cannot open " + path.string());
  }
  zone::Zone out = read_from(file, origin, path.string());
  std::fclose(file);
  return out;
}

zone::Zone parse_zone(const std::string& text, const std::string& origin) {
  FILE* file = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  zone::Zone out = read_from(file, origin, "<text>");
  std::fclose(file);
  return out;
}

std::string zone_text(const zone::Zone& zone) {
  std::string out;
  zone.for_each_rr([&](const zone::Rr& rr) {
    out += zone::format_rr(rr);
    out += '\n';
  });
  return out;
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    result.output.append(buf.data(), n);
  }
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string verify_zone(const zone::Zone& zone, const fs::path& folder,
                        int64_t when) {
  fs::path file = folder / "signed.zone";
  write_file_atomic(file, zone_text(zone));
  char stamp[32];
  std::time_t t = static_cast<std::time_t>(when);
  std::tm tm;
  gmtime_r(&t, &tm);
  std::strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
  std::string ldns = "timeout 120 ldns-verify-zone -V 1 -t " +
                     std::string(stamp) + " " + file.string();
  CommandResult r = run_command(ldns);
  if (r.status != 0) {
    return ldns + "\n" + r.output;
  }
  // dnssec-verify checks signature times against the system clock (BIND
  // 9.18 has no option for another time, and hangs under faketime), so it
  // runs only when `when` is close to now.
  if (std::abs(when - static_cast<int64_t>(std::time(nullptr))) > 600) {
    return "";
  }
  // dnssec-verify requires a non-SEP key per algorithm unless -z tells it
  // that the zone is signed with SEP keys (CSKs) alone.
  bool all_sep = true;
  if (const zone::Rrset* dnskeys =
          zone.find(zone.origin(), zone::rrtype::DNSKEY)) {
    for (const std::string& rdata : dnskeys->rdatas) {
      all_sep = all_sep && (rdata[1] & 1) != 0;
    }
  }
  std::string bind = std::string("timeout 120 dnssec-verify -q ") +
                     (all_sep ? "-z " : "") + "-o " + zone.origin().text() +
                     " " + file.string();
  r = run_command(bind);
  if (r.status != 0) {
    return bind + "\n" + r.output;
  }
  return "";
}

}  // namespace signet::testing
