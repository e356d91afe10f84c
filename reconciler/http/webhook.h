// Verification of forge push webhooks (GitHub, Gitea, GitLab).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/provider.h"

namespace signet::http {

// The outcome of one webhook request: the HTTP status to answer with, a
// reason for the log and the response body, and the event when verified.
struct WebhookResult {
  int status = 400;
  std::string reason;
  std::optional<PushEvent> push;  // set only for a verified push (200)
};

// Returns the value of a request header (case-insensitive), or "".
using HeaderLookup = std::function<std::string(const std::string& name)>;

// Checks one webhook request for `tenant` against its `secret` (nullopt
// when the tenant has none or does not exist) and parses the push event.
// The forge is recognized by its event header, X-Gitea-Event before
// X-Gitlab-Event before X-GitHub-Event, because Gitea also sends GitHub's
// headers. Each forge is verified the way it signs:
//   GitHub  X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the body
//   Gitea   X-Gitea-Signature: hex HMAC-SHA256 of the body
//   GitLab  X-Gitlab-Token: the secret itself
// and compared in constant time. The body is parsed only after the check
// passes. Results: 200 with `push` for a verified push; 200 without it for
// a verified GitHub or Gitea "ping" (sent when a hook is created); 401 for
// a missing or wrong signature or token, or no secret; 400 for an unknown
// forge or event, or a malformed body.
WebhookResult verify_webhook(const std::string& tenant,
                             const std::optional<std::string>& secret,
                             const HeaderLookup& header, std::string_view body);

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Compares two strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace signet::http
