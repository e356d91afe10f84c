#include "model/config_loader.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace signet::model {
namespace {

using test::TempDir;
using test::texts;

const char* const kFullConfig = R"(state_dir: state
dns_listen: [127.0.0.1:5300, "[::1]:5300"]
http_listen: 127.0.0.1:8053
journal_depth: 50
tenants:
  - name: example
    repository: tenants/example
    branch: production
    subfolder: dns/
    allowed_zones: [Example.com, uri.arpa.]
    tsig_keys:
      - name: Example-Transfer.
        algorithm: HMAC-SHA512
        secret_file: secrets/example-transfer.key
    webhook_secret_file: /etc/signet/webhook
    fetch_interval: 5m
  - name: remote
    repository: https://git.example.net/remote.git
    key_store:
      type: pkcs11
      module: /usr/lib/softhsm/libsofthsm2.so
      token_label: remote
      pin_file: pins/remote
)";

TEST_CASE("operator config reads every setting", "[config]") {
  TempDir dir;
  dir.write("signet.yaml", kFullConfig);
  Diagnostics diagnostics;
  OperatorConfig config =
      load_operator_config((dir.path() / "signet.yaml").string(), diagnostics);
  INFO(Catch::Detail::stringify(texts(diagnostics)));
  REQUIRE_FALSE(diagnostics.has_errors());
  CHECK(diagnostics.all().empty());

  CHECK(config.state_dir == (dir.path() / "state").string());
  REQUIRE(config.dns_listen.size() == 2);
  CHECK(config.dns_listen[0].host == "127.0.0.1");
  CHECK(config.dns_listen[0].port == 5300);
  CHECK(config.dns_listen[1].host == "::1");
  CHECK(config.dns_listen[1].port == 5300);
  REQUIRE(config.http_listen.size() == 1);
  CHECK(config.http_listen[0].port == 8053);
  CHECK(config.journal_depth == 50);
  REQUIRE(config.tenants.size() == 2);

  const Tenant& example = config.tenants[0];
  CHECK(example.name == "example");
  CHECK(example.location.line == 6);
  CHECK(example.repository == (dir.path() / "tenants/example").string());
  CHECK(example.branch == "production");
  CHECK(example.subfolder == "dns");
  CHECK(example.allowed_zones ==
        std::vector<std::string>{"example.com.", "uri.arpa."});
  CHECK(example.keys.kind == KeyStoreKind::kFiles);
  CHECK(example.keys.path == (dir.path() / "state/keys/example").string());
  REQUIRE(example.tsig_keys.size() == 1);
  CHECK(example.tsig_keys[0].name == "example-transfer");
  CHECK(example.tsig_keys[0].algorithm == "hmac-sha512");
  CHECK(example.tsig_keys[0].secret_file ==
        (dir.path() / "secrets/example-transfer.key").string());
  CHECK(example.webhook_secret_file == "/etc/signet/webhook");
  CHECK(example.fetch_interval == 300);

  const Tenant& remote = config.tenants[1];
  CHECK(remote.repository == "https://git.example.net/remote.git");
  CHECK(remote.branch == "main");
  CHECK(remote.keys.kind == KeyStoreKind::kPkcs11);
  CHECK(remote.keys.path == "/usr/lib/softhsm/libsofthsm2.so");
  CHECK(remote.keys.token_label == "remote");
  CHECK(remote.keys.pin_file == (dir.path() / "pins/remote").string());
}

TEST_CASE("operator config defaults", "[config]") {
  Diagnostics diagnostics;
  OperatorConfig config =
      parse_operator_config("/etc/signet/signet.yaml", "", diagnostics);
  CHECK_FALSE(diagnostics.has_errors());
  CHECK(config.state_dir == "/etc/signet/state");
  REQUIRE(config.dns_listen.size() == 1);
  CHECK(config.dns_listen[0].port == 5300);
  CHECK(config.journal_depth == 100);
  CHECK(config.tenants.empty());
}

TEST_CASE("operator config missing file", "[config]") {
  Diagnostics diagnostics;
  load_operator_config("/nonexistent/signet.yaml", diagnostics);
  REQUIRE(diagnostics.error_count() == 1);
  CHECK(diagnostics.all()[0].text() ==
        "/nonexistent/signet.yaml: error: cannot read the operator "
        "configuration: No such file or directory");
}

TEST_CASE("listen address forms", "[config]") {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  const Case good[] = {{"127.0.0.1:53", "127.0.0.1", 53},
                       {"127.0.0.1", "127.0.0.1", 5300},
                       {"[::1]:8053", "::1", 8053},
                       {"[::1]", "::1", 5300},
                       {"::1", "::1", 5300}};
  for (const Case& c : good) {
    INFO(c.text);
    std::string error;
    std::optional<ListenAddress> address =
        parse_listen_address(c.text, 5300, &error);
    REQUIRE(address.has_value());
    CHECK(address->host == c.host);
    CHECK(address->port == c.port);
  }
  for (const char* text : {"localhost:53", "127.0.0.1:0", "127.0.0.1:65536",
                           "[::1", "[::1]x", "1.2.3.4:port", ""}) {
    INFO(text);
    std::string error;
    CHECK_FALSE(parse_listen_address(text, 53, &error).has_value());
    CHECK_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace signet::model
