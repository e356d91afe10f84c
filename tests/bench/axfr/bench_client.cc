// Requests AXFR or IXFR over TCP with TSIG, reads and verifies the whole
// response, and prints the wall time of each run in milliseconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "transfer/message.h"
#include "transfer/tsig.h"
#include "zone/rrset.h"

namespace {

using namespace signet;

bool read_exact(int fd, char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = recv(fd, out + done, size - done, 0);
    if (n <= 0) {
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

struct Run {
  double milliseconds = 0;
  size_t records = 0;
  size_t messages = 0;
  std::string error;
};

Run run_once(const std::string& host, uint16_t port, const zone::Name& zone,
             uint16_t type, uint32_t serial, const transfer::TsigKey& key) {
  Run run;
  auto algorithm = *transfer::tsig_algorithm_from_name(key.algorithm);
  std::string query;
  transfer::MessageWriter writer(query, 512);
  transfer::Header header;
  header.id = 4321;
  writer.set_header(header);
  writer.add_question(zone, type, zone::kClassIn);
  if (type == zone::rrtype::IXFR) {
    std::string rdata(2, '\0');
    for (int shift = 24; shift >= 0; shift -= 8) {
      rdata.push_back(static_cast<char>((serial >> shift) & 0xff));
    }
    rdata.append(16, '\0');
    writer.add_record(transfer::MessageWriter::Section::kAuthority, zone,
                      zone::rrtype::SOA, zone::kClassIn, 0, rdata);
  }
  writer.finish();
  transfer::TsigSigner signer(key, algorithm, "", SystemClock::instance());
  signer.sign(query);
  transfer::TsigVerifier verifier(key, algorithm, signer.last_mac(),
                                  SystemClock::instance());

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  auto started = std::chrono::steady_clock::now();
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    run.error = "connect failed";
    close(fd);
    return run;
  }
  std::string framed(2, '\0');
  framed[0] = static_cast<char>(query.size() >> 8);
  framed[1] = static_cast<char>(query.size() & 0xff);
  framed += query;
  send(fd, framed.data(), framed.size(), 0);

  int soa_count = 0;
  std::string message;
  while (true) {
    char prefix[2];
    if (!read_exact(fd, prefix, 2)) {
      run.error = "connection closed early";
      break;
    }
    size_t length = (static_cast<uint8_t>(prefix[0]) << 8) |
                    static_cast<uint8_t>(prefix[1]);
    message.resize(length);
    if (!read_exact(fd, message.data(), length)) {
      run.error = "connection closed early";
      break;
    }
    ++run.messages;
    if (!verifier.verify(message, &run.error)) {
      break;
    }
    auto parsed = transfer::parse_message(message, &run.error);
    if (!parsed) {
      break;
    }
    if (parsed->header.rcode != 0) {
      run.error = "rcode " + std::to_string(parsed->header.rcode);
      break;
    }
    run.records += parsed->answers.size();
    for (const auto& record : parsed->answers) {
      if (record.type == zone::rrtype::SOA && record.owner == zone) {
        ++soa_count;
      }
    }
    // AXFR ends at its second SOA; a condensed IXFR at its fourth; a
    // single-SOA IXFR answer is complete in itself.
    bool ixfr_incremental = type == zone::rrtype::IXFR && run.records > 1 &&
                            soa_count >= 2 && parsed->answers.size() > 0;
    if ((type == zone::rrtype::AXFR && soa_count >= 2) ||
        (type == zone::rrtype::IXFR && run.records == 1) ||
        (ixfr_incremental && soa_count >= 4)) {
      break;
    }
  }
  run.milliseconds = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - started)
                         .count();
  close(fd);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    flags[argv[i]] = argv[i + 1];
  }
  if (!flags.count("--port") || !flags.count("--zone") ||
      !flags.count("--key-name") || !flags.count("--key-file")) {
    std::fprintf(stderr,
                 "usage: %s --port PORT --zone NAME --key-name NAME "
                 "--key-file BASE64_FILE [--type AXFR|IXFR] [--serial N] "
                 "[--repeat N]\n",
                 argv[0]);
    return 2;
  }
  std::string error;
  auto key = transfer::read_tsig_key_file(
      flags["--key-file"], flags["--key-name"], "hmac-sha256", &error);
  if (!key) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  auto zone = zone::Name::parse(flags["--zone"]).value();
  uint16_t type =
      flags["--type"] == "IXFR" ? zone::rrtype::IXFR : zone::rrtype::AXFR;
  uint32_t serial = flags.count("--serial") ? std::stoul(flags["--serial"]) : 0;
  int repeat = flags.count("--repeat") ? std::stoi(flags["--repeat"]) : 1;
  int status = 0;
  for (int i = 0; i < repeat; ++i) {
    Run run =
        run_once("127.0.0.1", static_cast<uint16_t>(std::stoi(flags["--port"])),
                 zone, type, serial, *key);
    std::printf("ms=%.3f records=%zu messages=%zu%s%s\n", run.milliseconds,
                run.records, run.messages,
                run.error.empty() ? "" : " error=", run.error.c_str());
    status |= run.error.empty() ? 0 : 1;
  }
  return status;
}
