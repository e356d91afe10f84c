#include "model/source.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "base/file.h"
#include "model/diagnostic.h"

namespace fs = std::filesystem;
using signet::model::FolderSource;

namespace {

// A fresh folder under the system temp folder, removed at scope exit.
struct TempFolder {
  fs::path path;
  TempFolder() {
    std::string pattern =
        (fs::temp_directory_path() / "signet-source-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempFolder() { fs::remove_all(path); }
};

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read_error(const FolderSource& source, const std::string& path) {
  try {
    source.read(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("folder source reads regular files", "[source]") {
  TempFolder tenant;
  write(tenant.path / "zones" / "a.yaml", "zone: a\n");
  FolderSource source(tenant.path.string());
  CHECK(source.read("zones/a.yaml") == "zone: a\n");
  CHECK_FALSE(source.read("zones/missing.yaml").has_value());
  CHECK_FALSE(source.read("secondaries.yaml").has_value());
  CHECK(source.list("zones") == std::vector<std::string>{"a.yaml"});
}

TEST_CASE("folder source rejects symbolic links", "[source]") {
  TempFolder outside;
  write(outside.path / "secret.key", "not for tenants\n");
  TempFolder tenant;
  write(tenant.path / "zones" / "a.yaml", "zone: a\n");
  fs::create_symlink(outside.path / "secret.key",
                     tenant.path / "zones" / "leak.yaml");
  fs::create_directory_symlink(outside.path, tenant.path / "policies");
  FolderSource source(tenant.path.string());

  CHECK(source.list("zones") ==
        std::vector<std::string>{"a.yaml", "leak.yaml"});
  std::string error = read_error(source, "zones/leak.yaml");
  CHECK(error.find("zones/leak.yaml is a symbolic link") == 0);
  CHECK(error.find("not for tenants") == std::string::npos);
  CHECK(read_error(source, "policies/secret.key")
            .find("policies/secret.key is a symbolic link") == 0);
}

TEST_CASE("folder source rejects devices", "[source]") {
  FolderSource source("/dev");
  CHECK(read_error(source, "zero") == "zero is not a regular file");
}

TEST_CASE("diagnostics escape control characters", "[diagnostic]") {
  signet::model::Diagnostics diagnostics;
  diagnostics.error({"zones/a\nb.yaml", 3, 1},
                    "unknown type 'x\n2026 info forged\x1b[31m'");
  REQUIRE(diagnostics.all().size() == 1);
  CHECK(diagnostics.all()[0].text() ==
        "zones/a\\x0ab.yaml:3:1: error: unknown type "
        "'x\\x0a2026 info forged\\x1b[31m'");
}

TEST_CASE("read_file rejects devices", "[file]") {
  CHECK_THROWS_WITH(signet::read_file("/dev/zero"),
                    Catch::Contains("/dev/zero is not a regular file"));
}

TEST_CASE("atomic writer replaces a file only on commit", "[file]") {
  TempFolder dir;
  fs::path target = dir.path / "zone.signed";
  write(target, "old\n");
  {
    signet::AtomicFileWriter writer(target, 0600);
    writer.write("new ");
    writer.write("text\n");
    CHECK(signet::read_file(target) == "old\n");
    writer.commit();
  }
  CHECK(signet::read_file(target) == "new text\n");
  CHECK((fs::status(target).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));

  // A writer given up before commit() leaves the file and no temporary.
  {
    signet::AtomicFileWriter writer(target);
    writer.write("lost\n");
  }
  CHECK(signet::read_file(target) == "new text\n");
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    (void)entry;
    ++files;
  }
  CHECK(files == 1);
}
