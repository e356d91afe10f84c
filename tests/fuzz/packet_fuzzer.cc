// Fuzz entry point for DNS message and TSIG parsing and for the request
// handling behind the server sockets. Built as a libFuzzer target with
// clang (-DSIGNET_FUZZ=ON) and as a corpus replay test otherwise.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "transfer/message.h"
#include "transfer/responder.h"
#include "transfer/tracker.h"
#include "transfer/tsig.h"

namespace {

using namespace signet;

// A published zone with one secondary at 127.0.0.1 and a fixed key, so
// inputs can reach the TSIG, SOA and transfer paths.
struct Target {
  transfer::ServerOptions options;
  ManualClock clock{1700000000};
  transfer::SecondaryTracker tracker{options, clock};
  std::shared_ptr<transfer::PublishedZone> published;
  std::unique_ptr<transfer::Responder> responder;

  Target() {
    auto origin = *zone::Name::parse("example.test.");
    auto z = std::make_shared<zone::Zone>(origin);
    std::string soa = origin.wire() + origin.wire() + std::string(20, '\1');
    z->add(origin, zone::rrtype::SOA, 3600, soa);
    z->add(*zone::Name::parse("www.example.test."), zone::rrtype::A, 60,
           std::string("\xc0\x00\x02\x01", 4));
    z->finalize();
    published = std::make_shared<transfer::PublishedZone>();
    published->zone = z;
    published->secondaries = {{"s", "127.0.0.1", 53, "key.", ""}};
    published->tsig_keys = {{"key.", "hmac-sha256", std::string(32, 'k')}};
    responder = std::make_unique<transfer::Responder>(
        options, clock,
        [this](const zone::Name& name)
            -> std::shared_ptr<const transfer::PublishedZone> {
          return name == published->zone->origin() ? published : nullptr;
        },
        tracker);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target target;
  std::string_view wire(reinterpret_cast<const char*>(data), size);

  if (auto message = transfer::parse_message(wire)) {
    for (const auto* section :
         {&message->answers, &message->authority, &message->additional}) {
      for (const auto& record : *section) {
        transfer::read_rdata(wire, record);
        transfer::read_soa_serial(wire, record);
      }
    }
    if (message->tsig) {
      transfer::verify_tsig_request(wire, message->tsig->offset,
                                    target.published->tsig_keys,
                                    target.clock.now());
    }
  }
  transfer::parse_tsig_rdata(wire);

  transfer::Request request{wire, "127.0.0.1", 5353, size % 2 == 0};
  transfer::Reply reply = target.responder->handle(request);
  if (reply.stream) {
    std::string out;
    for (int i = 0; i < 4 && reply.stream->next_message(out); ++i) {
    }
  }
  target.tracker.on_response(wire, "127.0.0.1", 53);
  return 0;
}
