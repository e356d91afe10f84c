#include "http/server.h"

#include <httplib.h>
#include <openssl/rand.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "http/webhook.h"

namespace signet::http {
namespace {

// The service's side of the interfaces, with a fixed snapshot.
class TestProvider : public StatusProvider {
 public:
  StatusSnapshot status() const override {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }
  std::optional<std::string> webhook_secret(
      const std::string& tenant) const override {
    auto it = secrets_.find(tenant);
    if (it == secrets_.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  void set(StatusSnapshot snapshot) {
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snapshot);
  }

  std::map<std::string, std::string> secrets_;

 private:
  mutable std::mutex mutex_;
  StatusSnapshot snapshot_;
};

class RecordingSink : public WebhookSink {
 public:
  void on_push(const PushEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  std::vector<PushEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<PushEvent> events_;
};

std::string random_secret() {
  unsigned char bytes[32];
  REQUIRE(RAND_bytes(bytes, sizeof bytes) == 1);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kPushBody =
    R"({"ref":"refs/heads/main","before":"00","after":")" + kCommit +
    R"(","repository":{"name":"zones"}})";

StatusSnapshot sample_status() {
  ZoneStatus zone;
  zone.name = "example.test.";
  zone.serial = 2026120401u;
  zone.commit = kCommit;
  zone.publish_time = 1796342400;
  zone.signature_expiry = 1797552000;
  zone.last_rejected_commit = "badbadbadbad";
  zone.last_rejection =
      "zones/example.test.yaml:3:1: <script>alert(1)</script>";
  zone.last_rejection_time = 1796342000;
  zone.publishes_total = 3;
  zone.rejections_total = 1;
  zone.sign_seconds_sum = 0.25;
  zone.sign_count = 3;
  zone.secondaries = {{"bind", 2026120401u, true},
                      {"knot", 2026120400u, false}};
  TenantStatus acme{"acme", true, "", 0, {zone}};
  TenantStatus odd{"we\"ird\\te\nnant", true, "fetch failed: timed out", 2, {}};
  return {1796342500, {acme, odd}};
}

// A server on a free loopback port with one tenant "acme" and a fresh
// secret.
struct Fixture {
  Fixture() {
    provider.secrets_["acme"] = secret;
    provider.set(sample_status());
    server.start();
    client =
        std::make_unique<httplib::Client>("127.0.0.1", server.ports().at(0));
  }

  httplib::Result post_hook(const std::string& tenant,
                            const httplib::Headers& headers,
                            const std::string& body,
                            const char* type = "application/json") {
    return client->Post(("/hooks/" + tenant).c_str(), headers, body, type);
  }

  std::string secret = random_secret();
  TestProvider provider;
  RecordingSink sink;
  Server server{ServerOptions{{{"127.0.0.1", 0}}, 4096}, provider, sink};
  std::unique_ptr<httplib::Client> client;
};

TEST_CASE("healthz and readyz", "[http]") {
  Fixture f;
  httplib::Result health = f.client->Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);

  CHECK(f.client->Get("/readyz")->status == 200);
  StatusSnapshot loading = sample_status();
  loading.tenants[1].loaded = false;
  f.provider.set(loading);
  httplib::Result ready = f.client->Get("/readyz");
  CHECK(ready->status == 503);
  CHECK(ready->body.find("we\"ird") != std::string::npos);
}

// Checks one exposition-format line: name, optional labels, value.
bool is_sample_line(const std::string& line) {
  static const std::regex kSample(
      R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")re"
      R"re((,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? )re"
      R"re(-?[0-9.e+-]+$)re");
  return std::regex_match(line, kSample);
}

TEST_CASE("metrics parse as Prometheus text", "[http]") {
  Fixture f;
  httplib::Result metrics = f.client->Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->get_header_value("Content-Type").rfind("text/plain", 0) == 0);

  std::istringstream lines(metrics->body);
  std::string line;
  std::set<std::string> typed;
  int samples = 0;
  while (std::getline(lines, line)) {
    CAPTURE(line);
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) {
      continue;
    }
    REQUIRE(is_sample_line(line));
    std::string name = line.substr(0, line.find_first_of("{ "));
    bool declared = typed.count(name) > 0 ||
                    typed.count(name.substr(0, name.rfind('_'))) > 0;
    CHECK(declared);
    ++samples;
  }
  CHECK(samples > 10);
  const std::string& body = metrics->body;
  CHECK_THAT(body,
             Catch::Contains(
                 "signet_zone_serial{tenant=\"acme\",zone=\"example.test.\"} "
                 "2026120401"));
  CHECK_THAT(body, Catch::Contains("signet_secondary_in_sync{tenant=\"acme\","
                                   "zone=\"example.test.\",secondary="
                                   "\"knot\"} 0"));
  CHECK_THAT(body, Catch::Contains("signet_rejections_total{tenant="
                                   "\"we\\\"ird\\\\te\\nnant\",zone=\"\"} 2"));
  CHECK_THAT(body, Catch::Contains("signet_sign_duration_seconds_count{tenant="
                                   "\"acme\",zone=\"example.test.\"} 3"));
}

TEST_CASE("status page escapes HTML", "[http]") {
  Fixture f;
  httplib::Result page = f.client->Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("<script>") == std::string::npos);
  CHECK_THAT(page->body, Catch::Contains("&lt;script&gt;alert(1)"));
  CHECK_THAT(page->body, Catch::Contains("we&quot;ird"));
  CHECK_THAT(page->body, Catch::Contains("2026120401"));
  CHECK_THAT(page->body, Catch::Contains("knot behind"));
  CHECK(page->body.find(f.secret) == std::string::npos);

  httplib::Result json = f.client->Get("/status.json");
  REQUIRE(json);
  nlohmann::json doc = nlohmann::json::parse(json->body);
  CHECK(doc["tenants"][0]["zones"][0]["serial"] == 2026120401u);
  CHECK(doc["tenants"][0]["zones"][0]["secondaries"][1]["in_sync"] == false);
  CHECK(doc["tenants"][1]["last_error"] == "fetch failed: timed out");
}

TEST_CASE("GitHub hook needs a valid signature", "[http]") {
  Fixture f;
  std::string signature = "sha256=" + hmac_sha256_hex(f.secret, kPushBody);
  httplib::Result ok = f.post_hook(
      "acme", {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", signature}},
      kPushBody);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  REQUIRE(f.sink.events().size() == 1);
  CHECK(f.sink.events()[0].tenant == "acme");
  CHECK(f.sink.events()[0].forge == Forge::kGitHub);
  CHECK(f.sink.events()[0].ref == "refs/heads/main");
  CHECK(f.sink.events()[0].after == kCommit);

  std::string wrong = "sha256=" + hmac_sha256_hex("not the secret", kPushBody);
  CHECK(
      f.post_hook("acme",
                  {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", wrong}},
                  kPushBody)
          ->status == 401);
  CHECK(f.post_hook("acme", {{"X-GitHub-Event", "push"}}, kPushBody)->status ==
        401);
  // A valid signature over another body does not verify this one.
  CHECK(f.post_hook(
             "acme",
             {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", signature}},
             kPushBody + " ")
            ->status == 401);
  CHECK(f.post_hook("acme",
                    {{"X-GitHub-Event", "push"},
                     {"X-Hub-Signature", "sha1=" + std::string(40, '0')}},
                    kPushBody)
            ->status == 401);
  CHECK(f.sink.events().size() == 1);
}

TEST_CASE("GitHub form-encoded hook", "[http]") {
  Fixture f;
  std::string body =
      "payload=" + httplib::detail::encode_query_param(kPushBody);
  std::string signature = "sha256=" + hmac_sha256_hex(f.secret, body);
  httplib::Result ok = f.post_hook(
      "acme", {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", signature}},
      body, "application/x-www-form-urlencoded");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  REQUIRE(f.sink.events().size() == 1);
  CHECK(f.sink.events()[0].after == kCommit);
}

TEST_CASE("Gitea hook needs a valid signature", "[http]") {
  Fixture f;
  // Gitea also sends GitHub's event header; its own signature decides.
  httplib::Headers good{
      {"X-Gitea-Event", "push"},
      {"X-GitHub-Event", "push"},
      {"X-Gitea-Signature", hmac_sha256_hex(f.secret, kPushBody)}};
  CHECK(f.post_hook("acme", good, kPushBody)->status == 200);
  REQUIRE(f.sink.events().size() == 1);
  CHECK(f.sink.events()[0].forge == Forge::kGitea);

  httplib::Headers bad{{"X-Gitea-Event", "push"},
                       {"X-Gitea-Signature", hmac_sha256_hex("x", kPushBody)}};
  CHECK(f.post_hook("acme", bad, kPushBody)->status == 401);
  CHECK(f.post_hook("acme", {{"X-Gitea-Event", "push"}}, kPushBody)->status ==
        401);
  CHECK(f.sink.events().size() == 1);
}

TEST_CASE("GitLab hook needs the token", "[http]") {
  Fixture f;
  CHECK(f.post_hook(
             "acme",
             {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", f.secret}},
             kPushBody)
            ->status == 200);
  REQUIRE(f.sink.events().size() == 1);
  CHECK(f.sink.events()[0].forge == Forge::kGitLab);

  CHECK(f.post_hook("acme",
                    {{"X-Gitlab-Event", "Push Hook"},
                     {"X-Gitlab-Token", f.secret + "x"}},
                    kPushBody)
            ->status == 401);
  CHECK(f.post_hook("acme", {{"X-Gitlab-Event", "Push Hook"}}, kPushBody)
            ->status == 401);
  CHECK(f.sink.events().size() == 1);
}

TEST_CASE("hook rejects other requests", "[http]") {
  Fixture f;
  auto github = [&](const std::string& event, const std::string& body) {
    return httplib::Headers{
        {"X-GitHub-Event", event},
        {"X-Hub-Signature-256", "sha256=" + hmac_sha256_hex(f.secret, body)}};
  };
  // Verified, but not a push.
  CHECK(f.post_hook("acme", github("issues", kPushBody), kPushBody)->status ==
        400);
  // A ping gets 200 but triggers nothing.
  CHECK(f.post_hook("acme", github("ping", "{}"), "{}")->status == 200);
  // Verified, but malformed.
  CHECK(f.post_hook("acme", github("push", "{not json"), "{not json")->status ==
        400);
  std::string no_after = R"({"ref":"refs/heads/main"})";
  CHECK(f.post_hook("acme", github("push", no_after), no_after)->status == 400);
  std::string bad_after = R"({"ref":"refs/heads/main","after":"../../x"})";
  CHECK(f.post_hook("acme", github("push", bad_after), bad_after)->status ==
        400);
  // No forge header at all.
  CHECK(f.post_hook("acme", {}, kPushBody)->status == 400);
  // Tenants without a secret, unknown or with odd names.
  CHECK(f.post_hook("nobody", github("push", kPushBody), kPushBody)->status ==
        401);
  CHECK(f.post_hook("a%0Ab", github("push", kPushBody), kPushBody)->status ==
        401);
  // Bodies over the limit.
  std::string big(8192, ' ');
  CHECK(f.post_hook("acme", github("push", big), big)->status == 413);
  // Only POST.
  CHECK(f.client->Get("/hooks/acme")->status == 404);
  CHECK(f.sink.events().empty());
}

TEST_CASE("constant-time compare", "[http]") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("", "a"));
  // RFC 4231 test case 2.
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("server reports unusable address", "[http]") {
  TestProvider provider;
  RecordingSink sink;
  Server first(ServerOptions{{{"127.0.0.1", 0}}}, provider, sink);
  first.start();
  uint16_t busy_port = first.ports().at(0);
  Server second(ServerOptions{{{"127.0.0.1", busy_port}}}, provider, sink);
  CHECK_THROWS_WITH(second.start(), "HTTP: cannot listen on 127.0.0.1:" +
                                        std::to_string(busy_port));
  first.stop();
  first.stop();
}

}  // namespace
}  // namespace signet::http
