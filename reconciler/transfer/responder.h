// Answers one DNS request: access control, TSIG, SOA, AXFR and IXFR.
// Knows nothing of sockets, so tests can drive it directly.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "transfer/server.h"
#include "transfer/tracker.h"
#include "transfer/xfr.h"

namespace signet::transfer {

struct Request {
  std::string_view wire;
  std::string source_address;  // normalized, see normalize_address()
  uint16_t source_port = 0;
  bool tcp = false;
};

// The answer to a request: nothing, one message, or a transfer that the
// caller streams with XfrStream::next_message().
struct Reply {
  std::string message;
  std::unique_ptr<XfrStream> stream;
  // The secondary that receives `stream`, for the tracker.
  std::string secondary_address;
};

using ZoneLookup = std::function<std::shared_ptr<const PublishedZone>(
    const zone::Name& origin)>;

class Responder {
 public:
  Responder(const ServerOptions& options, const Clock& clock, ZoneLookup lookup,
            SecondaryTracker& tracker);

  // Returns the reply to `request`. Responses (QR set) and messages too
  // short for a header get an empty reply; the caller routes responses to
  // SecondaryTracker::on_response().
  Reply handle(const Request& request);

  // Returns true when one more warning about a rejected request or
  // connection may be logged this second. Counts the ones it suppresses
  // and logs their number when the next second starts. Not thread-safe:
  // call from the server's loop thread only.
  bool may_log();

 private:
  struct Context;

  Reply answer_query(Context& context);
  Reply answer_soa(Context& context);
  Reply answer_transfer(Context& context);
  std::string error_reply(const Context& context, uint8_t rcode);
  std::string finish(Context& context, std::string message, size_t offset);

  const ServerOptions& options_;
  const Clock& clock_;
  ZoneLookup lookup_;
  SecondaryTracker& tracker_;

  // Warnings about rejected requests and connections are limited per
  // second, because any host can cause them.
  int64_t log_second_ = 0;
  int logged_in_second_ = 0;
  size_t suppressed_ = 0;
};

}  // namespace signet::transfer
