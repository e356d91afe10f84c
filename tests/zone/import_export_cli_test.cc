// Runs the built `signet import` and `signet export` on files in a
// temporary folder.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class Folder {
 public:
  Folder() {
    root_ = fs::temp_directory_path() /
            ("signet-import-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter_++));
    fs::create_directories(root_);
  }
  ~Folder() { fs::remove_all(root_); }

  std::string path(const std::string& file) const {
    return (root_ / file).string();
  }
  std::string write(const std::string& file, const std::string& text) const {
    std::ofstream(root_ / file) << text;
    return path(file);
  }
  std::string read(const std::string& file) const {
    std::ifstream in(root_ / file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  Result signet(const std::string& args) const {
    std::string command = std::string(SIGNET_BINARY) + " " + args + " >'" +
                          path("stdout") + "' 2>'" + path("stderr") + "'";
    int status = std::system(command.c_str());
    return Result{WEXITSTATUS(status), read("stdout"), read("stderr")};
  }

 private:
  fs::path root_;
  static inline int counter_ = 0;
};

}  // namespace

TEST_CASE("import and export round-trip a zone", "[import]") {
  Folder folder;
  folder.write("hosts.zone", "www A 192.0.2.10\n  AAAA 2001:db8::10\n");
  std::string master =
      folder.write("example.zone",
                   "@ SOA ns1 hostmaster ( 7 7200 3600 1209600 300 )\n"
                   "@ NS ns1\n"
                   "ns1 A 192.0.2.53\n"
                   "$INCLUDE hosts.zone\n"
                   "txt 60 TXT \"two words\" \"and;more\"\n");

  Result imported = folder.signet(
      "import --origin example.com --ttl 3600 "
      "--output " +
      folder.path("example.com.yaml") + " " + master);
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  std::string yaml = folder.read("example.com.yaml");
  CHECK(yaml.rfind("zone: example.com", 0) == 0);
  CHECK(yaml.find("ttl: 3600") != std::string::npos);

  Result exported =
      folder.signet("export --serial 7 " + folder.path("example.com.yaml"));
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out ==
        "$ORIGIN example.com.\n"
        "example.com.\t3600\tIN\tSOA\tns1.example.com. "
        "hostmaster.example.com. 7 7200 3600 1209600 300\n"
        "example.com.\t3600\tIN\tNS\tns1.example.com.\n"
        "ns1.example.com.\t3600\tIN\tA\t192.0.2.53\n"
        "txt.example.com.\t60\tIN\tTXT\t\"two words\" \"and;more\"\n"
        "www.example.com.\t3600\tIN\tA\t192.0.2.10\n"
        "www.example.com.\t3600\tIN\tAAAA\t2001:db8::10\n");
}

TEST_CASE("import reports defects and exits 1", "[import]") {
  Folder folder;
  std::string master =
      folder.write("bad.zone",
                   "$TTL 300\n"
                   "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                   "@ NS ns1\n"
                   "@ CNAME elsewhere.example.\n"
                   "ns1 A 192.0.2.300\n");
  Result r = folder.signet("import --origin example.com " + master);
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == master +
                     ":5:7: error: invalid A data '192.0.2.300': Syntax "
                     "error, could not parse the RR's rdata\n");
}

TEST_CASE("import drops records the signer makes", "[import]") {
  Folder folder;
  std::string master =
      folder.write("signed.zone",
                   "$TTL 300\n"
                   "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                   "@ NS ns1\n"
                   "@ NSEC ns1.example.com. NS SOA RRSIG NSEC\n"
                   "ns1 A 192.0.2.53\n");
  Result r = folder.signet("import --origin example.com " + master);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("dropped 1 DNSSEC record(s)") != std::string::npos);
  CHECK(r.out.find("NSEC") == std::string::npos);
}

TEST_CASE("import and export exit 2 on I/O errors", "[import]") {
  Folder folder;
  Result import = folder.signet("import --origin example.com " +
                                folder.path("missing.zone"));
  CHECK(import.exit_code == 2);
  CHECK(import.err.find("cannot read master file") != std::string::npos);

  Result exporter = folder.signet("export " + folder.path("missing.yaml"));
  CHECK(exporter.exit_code == 2);

  Result usage = folder.signet("import " + folder.path("x.zone"));
  CHECK(usage.exit_code == 2);
}

TEST_CASE("export rejects an invalid zone file", "[import]") {
  Folder folder;
  std::string yaml = folder.write("example.com.yaml",
                                  "zone: example.com\n"
                                  "records:\n"
                                  "  www:\n"
                                  "    A: 192.0.2.300\n");
  Result r = folder.signet("export " + yaml);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(yaml + ":") == 0);
}
