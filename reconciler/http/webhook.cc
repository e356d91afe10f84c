#include "http/webhook.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace signet::http {

namespace {

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

// Decodes application/x-www-form-urlencoded text.
std::string url_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(
          std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// GitHub and Gitea can send the JSON as the "payload" form field.
std::string json_text(const HeaderLookup& header, std::string_view body) {
  std::string type = lower(header("Content-Type"));
  if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return std::string(body);
  }
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    std::string_view field =
        body.substr(start, end == std::string_view::npos ? end : end - start);
    if (field.rfind("payload=", 0) == 0) {
      return url_decode(field.substr(8));
    }
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  return "";
}

// Shortens untrusted header text for messages and replaces control bytes.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
  }
  return out;
}

bool is_commit_id(const std::string& text) {
  if (text.size() != 40 && text.size() != 64) {
    return false;
  }
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// Parses the ref and the new commit id shared by all three forges' push
// payloads.
WebhookResult parse_push(const std::string& tenant, Forge forge,
                         const HeaderLookup& header, std::string_view body) {
  nlohmann::json payload =
      nlohmann::json::parse(json_text(header, body), nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) {
    return {400, "body is not a JSON object", std::nullopt};
  }
  auto ref = payload.find("ref");
  auto after = payload.find("after");
  if (ref == payload.end() || !ref->is_string() || after == payload.end() ||
      !after->is_string()) {
    return {400, "push payload has no \"ref\" or \"after\" string",
            std::nullopt};
  }
  std::string after_id = lower(after->get<std::string>());
  if (!is_commit_id(after_id)) {
    return {400, "push payload \"after\" is not a commit id", std::nullopt};
  }
  PushEvent event{tenant, forge, ref->get<std::string>(), after_id};
  return {200, "push accepted", event};
}

WebhookResult check_signature(const std::string& expected_hex,
                              const std::string& received, const char* header) {
  if (received.empty()) {
    return {401, std::string("missing ") + header + " header", std::nullopt};
  }
  if (!constant_time_equal(lower(received), expected_hex)) {
    return {401, std::string("wrong ") + header, std::nullopt};
  }
  return {200, "", std::nullopt};
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
       &length);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0xf]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Hashing first makes the comparison length-independent for tokens.
  unsigned char ha[SHA256_DIGEST_LENGTH];
  unsigned char hb[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), ha);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), hb);
  return CRYPTO_memcmp(ha, hb, sizeof ha) == 0 && a.size() == b.size();
}

WebhookResult verify_webhook(const std::string& tenant,
                             const std::optional<std::string>& secret,
                             const HeaderLookup& header,
                             std::string_view body) {
  Forge forge;
  std::string event;
  if (!(event = header("X-Gitea-Event")).empty()) {
    forge = Forge::kGitea;
  } else if (!(event = header("X-Gitlab-Event")).empty()) {
    forge = Forge::kGitLab;
  } else if (!(event = header("X-GitHub-Event")).empty()) {
    forge = Forge::kGitHub;
  } else {
    return {400,
            "no X-GitHub-Event, X-Gitea-Event or X-Gitlab-Event header; "
            "only GitHub, Gitea and GitLab webhooks are supported",
            std::nullopt};
  }
  if (!secret || secret->empty()) {
    return {401, "no webhook secret is configured for this tenant",
            std::nullopt};
  }

  WebhookResult check;
  switch (forge) {
    case Forge::kGitHub: {
      std::string received = header("X-Hub-Signature-256");
      if (!received.empty() && lower(received).rfind("sha256=", 0) != 0) {
        return {401, "X-Hub-Signature-256 does not start with sha256=",
                std::nullopt};
      }
      check = check_signature(hmac_sha256_hex(*secret, body),
                              received.empty() ? "" : received.substr(7),
                              "X-Hub-Signature-256");
      break;
    }
    case Forge::kGitea:
      check = check_signature(hmac_sha256_hex(*secret, body),
                              header("X-Gitea-Signature"), "X-Gitea-Signature");
      break;
    case Forge::kGitLab: {
      std::string token = header("X-Gitlab-Token");
      if (token.empty()) {
        return {401, "missing X-Gitlab-Token header", std::nullopt};
      }
      if (!constant_time_equal(token, *secret)) {
        return {401, "wrong X-Gitlab-Token", std::nullopt};
      }
      check.status = 200;
      break;
    }
  }
  if (check.status != 200) {
    return check;
  }

  if (forge != Forge::kGitLab && event == "ping") {
    return {200, "ping accepted", std::nullopt};
  }
  bool is_push =
      forge == Forge::kGitLab ? event == "Push Hook" : event == "push";
  if (!is_push) {
    return {400, "event \"" + printable(event) + "\" is not a push",
            std::nullopt};
  }
  return parse_push(tenant, forge, header, body);
}

}  // namespace signet::http
