#include "transfer/responder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "transfer/message.h"
#include "zone/rrset.h"

namespace signet::transfer {
namespace {

// RFC 1982 serial number arithmetic: true when `a` precedes `b`.
bool serial_less(uint32_t a, uint32_t b) {
  return a != b && static_cast<int32_t>(b - a) > 0;
}

Reply message_reply(std::string message) {
  Reply reply;
  reply.message = std::move(message);
  return reply;
}

const char* tsig_status_text(TsigStatus status) {
  switch (status) {
    case TsigStatus::kFormErr:
      return "malformed TSIG";
    case TsigStatus::kBadKey:
      return "BADKEY";
    case TsigStatus::kBadSig:
      return "BADSIG";
    case TsigStatus::kBadTime:
      return "BADTIME";
    case TsigStatus::kBadTrunc:
      return "BADTRUNC";
    default:
      return "valid";
  }
}

}  // namespace

struct Responder::Context {
  const Request& request;
  Message message;
  std::shared_ptr<const PublishedZone> zone;
  TsigCheck tsig;
  std::unique_ptr<TsigSigner> signer;

  const Question& question() const { return message.questions.front(); }
  // RFC 3225 section 3: the response copies the query's DO bit.
  bool dnssec_ok() const { return message.edns && message.edns->dnssec_ok; }
  size_t max_size() const {
    if (request.tcp) {
      return kMaxTcpMessage;
    }
    size_t payload = message.edns ? message.edns->udp_payload : 0;
    return std::clamp(payload, kMinUdpPayload, kMaxUdpPayload);
  }
};

Responder::Responder(const ServerOptions& options, const Clock& clock,
                     ZoneLookup lookup, SecondaryTracker& tracker)
    : options_(options),
      clock_(clock),
      lookup_(std::move(lookup)),
      tracker_(tracker) {}

std::string Responder::finish(Context& context, std::string message,
                              size_t offset) {
  if (context.signer) {
    context.signer->sign(message, offset);
  }
  return message;
}

// A response with the question echoed and no records: REFUSED, FORMERR,
// NOTAUTH, or a NOERROR with TC set that sends the client to TCP.
std::string Responder::error_reply(const Context& context, uint8_t rcode) {
  std::string out;
  MessageWriter writer(out, context.max_size());
  Header header;
  header.id = context.message.header.id;
  header.qr = true;
  header.opcode = context.message.header.opcode;
  header.rd = context.message.header.rd;
  header.rcode = rcode;
  writer.set_header(header);
  if (context.message.questions.size() == 1) {
    const Question& q = context.question();
    writer.add_question(q.name, q.type, q.qclass);
  }
  if (context.message.edns) {
    writer.add_opt(kMaxUdpPayload, 0, context.dnssec_ok());
  }
  writer.finish();
  return out;
}

bool Responder::may_log() {
  constexpr int kMaxWarningsPerSecond = 20;
  int64_t second = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  if (second != log_second_) {
    if (suppressed_ > 0) {
      spdlog::warn("rejected requests not logged; count={}", suppressed_);
    }
    log_second_ = second;
    logged_in_second_ = 0;
    suppressed_ = 0;
  }
  if (logged_in_second_ < kMaxWarningsPerSecond) {
    ++logged_in_second_;
    return true;
  }
  ++suppressed_;
  return false;
}

Reply Responder::handle(const Request& request) {
  auto header = parse_header(request.wire);
  if (!header || header->qr) {
    return {};
  }
  std::string error;
  auto message = parse_message(request.wire, &error);
  Context context{request, {}, nullptr, {}, nullptr};
  if (!message) {
    context.message.header = *header;
    spdlog::debug("malformed request; address={} error={}",
                  request.source_address, error);
    return message_reply(error_reply(context, rcode::kFormErr));
  }
  context.message = std::move(*message);
  return answer_query(context);
}

Reply Responder::answer_query(Context& context) {
  const Message& message = context.message;
  if (message.header.opcode != opcode::kQuery) {
    return message_reply(error_reply(context, rcode::kRefused));
  }
  if (message.questions.size() != 1) {
    return message_reply(error_reply(context, rcode::kFormErr));
  }
  if (message.edns && message.edns->version != 0) {
    // BADVERS (16): extended RCODE 1 with a zero header RCODE.
    std::string out;
    MessageWriter writer(out, context.max_size());
    Header header;
    header.id = message.header.id;
    header.qr = true;
    writer.set_header(header);
    writer.add_question(context.question().name, context.question().type,
                        context.question().qclass);
    writer.add_opt(kMaxUdpPayload, 1);
    writer.finish();
    return message_reply(out);
  }

  context.zone = lookup_(context.question().name);
  if (!context.zone) {
    return message_reply(error_reply(context, rcode::kRefused));
  }
  if (message.tsig) {
    const auto& keys = context.zone->tsig_keys;
    context.tsig =
        verify_tsig_request(context.request.wire, message.tsig->offset, keys,
                            clock_.now(), options_.tsig);
    const TsigCheck& check = context.tsig;
    if (check.status != TsigStatus::kValid && may_log()) {
      spdlog::warn("TSIG check failed; tenant={} zone={} address={} error={}",
                   context.zone->tenant, context.question().name.text(),
                   context.request.source_address,
                   tsig_status_text(check.status));
    }
    switch (check.status) {
      case TsigStatus::kFormErr:
        return message_reply(error_reply(context, rcode::kFormErr));
      case TsigStatus::kBadKey:
      case TsigStatus::kBadSig: {
        std::string out = error_reply(context, rcode::kNotAuth);
        append_unsigned_tsig_error(out, 0, *check.record,
                                   check.status == TsigStatus::kBadKey
                                       ? tsig_error::kBadKey
                                       : tsig_error::kBadSig);
        return message_reply(out);
      }
      case TsigStatus::kBadTime:
      case TsigStatus::kBadTrunc: {
        std::string out = error_reply(context, rcode::kNotAuth);
        TsigSigner signer(*check.key,
                          *tsig_algorithm_from_name(check.key->algorithm),
                          check.record->mac, clock_, options_.tsig_fudge);
        signer.sign_error(out, 0,
                          check.status == TsigStatus::kBadTime
                              ? tsig_error::kBadTime
                              : tsig_error::kBadTrunc,
                          check.record->time_signed);
        return message_reply(out);
      }
      default:
        context.signer = std::make_unique<TsigSigner>(
            *check.key, *tsig_algorithm_from_name(check.key->algorithm),
            check.record->mac, clock_, options_.tsig_fudge);
    }
  }
  if (context.question().qclass != zone::kClassIn) {
    return message_reply(
        finish(context, error_reply(context, rcode::kRefused), 0));
  }
  switch (context.question().type) {
    case zone::rrtype::SOA:
      return answer_soa(context);
    case zone::rrtype::AXFR:
    case zone::rrtype::IXFR:
      return answer_transfer(context);
    default:
      return message_reply(
          finish(context, error_reply(context, rcode::kRefused), 0));
  }
}

Reply Responder::answer_soa(Context& context) {
  const PublishedZone& zone = *context.zone;
  bool declared = std::any_of(zone.secondaries.begin(), zone.secondaries.end(),
                              [&](const SecondaryPeer& peer) {
                                return normalize_address(peer.address) ==
                                       context.request.source_address;
                              });
  if (!declared && !context.signer) {
    return message_reply(error_reply(context, rcode::kRefused));
  }

  const zone::Zone& z = *zone.zone;
  // RFC 3225 section 3: a query with DO set gets the RRSIGs of the answer.
  // An IXFR answered with the SOA alone stays a single record, because
  // clients read that as "no change".
  const zone::Rrset* rrsigs = nullptr;
  if (context.dnssec_ok() && context.question().type == zone::rrtype::SOA) {
    if (const zone::Node* apex = z.find(z.origin())) {
      rrsigs = apex->find_rrsig(zone::rrtype::SOA);
    }
  }

  std::string out;
  MessageWriter writer(out, context.max_size());
  Header header;
  header.id = context.message.header.id;
  header.qr = true;
  header.aa = true;
  header.rd = context.message.header.rd;
  writer.set_header(header);
  writer.add_question(context.question().name, context.question().type,
                      zone::kClassIn);

  bool fits = writer.add_record(MessageWriter::Section::kAnswer, z.origin(),
                                zone::rrtype::SOA, zone::kClassIn, z.soa()->ttl,
                                z.soa()->rdatas.front());
  if (rrsigs) {
    for (const std::string& rdata : rrsigs->rdatas) {
      fits = fits && writer.add_record(MessageWriter::Section::kAnswer,
                                       z.origin(), zone::rrtype::RRSIG,
                                       zone::kClassIn, rrsigs->ttl, rdata);
    }
  }
  if (context.message.edns) {
    fits = fits && writer.add_opt(kMaxUdpPayload, 0, context.dnssec_ok());
  }

  if (!fits) {
    // The answer does not fit the client's UDP payload size, so TC with no
    // records sends the client to TCP (RFC 2181 section 9).
    out = error_reply(context, rcode::kNoError);
    out[2] = static_cast<char>(out[2] | 0x06);  // AA and TC
    return message_reply(finish(context, std::move(out), 0));
  }
  writer.finish();
  return message_reply(finish(context, std::move(out), 0));
}

Reply Responder::answer_transfer(Context& context) {
  const PublishedZone& zone = *context.zone;
  const Question& question = context.question();
  const char* type = question.type == zone::rrtype::AXFR ? "AXFR" : "IXFR";
  const std::string& address = context.request.source_address;

  // Only a declared secondary, from its own address, with its own key.
  const SecondaryPeer* peer = nullptr;
  for (const SecondaryPeer& candidate : zone.secondaries) {
    if (normalize_address(candidate.address) == address && context.tsig.key &&
        zone::Name::parse(candidate.tsig_key_name) ==
            zone::Name::parse(context.tsig.key->name)) {
      peer = &candidate;
      break;
    }
  }
  if (!peer || !context.signer) {
    if (may_log()) {
      spdlog::warn(
          "transfer refused; tenant={} zone={} address={} type={} "
          "signed={}",
          zone.tenant, question.name.text(), address, type,
          context.signer != nullptr);
    }
    return message_reply(
        finish(context, error_reply(context, rcode::kRefused), 0));
  }

  const zone::Zone& z = *zone.zone;
  std::unique_ptr<XfrStream> stream;
  if (question.type == zone::rrtype::AXFR) {
    if (!context.request.tcp) {
      // RFC 5936 section 4.2 defines AXFR over TCP only; TC sends the
      // client there without a large answer to a spoofable source.
      std::string out = error_reply(context, rcode::kNoError);
      out[2] |= 0x02;
      return message_reply(finish(context, std::move(out), 0));
    }
    stream = XfrStream::full(context.zone, XfrStream::Kind::kAxfr);
  } else {
    const Record* soa = nullptr;
    for (const Record& record : context.message.authority) {
      if (record.type == zone::rrtype::SOA && record.owner == z.origin()) {
        soa = &record;
      }
    }
    auto client_serial =
        soa ? read_soa_serial(context.request.wire, *soa) : std::nullopt;
    if (!client_serial) {
      return message_reply(
          finish(context, error_reply(context, rcode::kFormErr), 0));
    }
    tracker_.on_ixfr_request(z.origin(), address, *client_serial);
    // RFC 1995 section 2: a current client, or any IXFR over UDP, gets the
    // current SOA alone; a UDP client then retries over TCP.
    if (!serial_less(*client_serial, z.serial()) || !context.request.tcp) {
      return answer_soa(context);
    }
    if (auto diff = condense_journal(zone, *client_serial)) {
      stream = XfrStream::incremental(context.zone, std::move(*diff));
    } else {
      stream = XfrStream::full(context.zone, XfrStream::Kind::kIxfr);
    }
  }
  spdlog::info(
      "transfer started; tenant={} zone={} secondary={} address={} "
      "type={} serial={} incremental={}",
      zone.tenant, z.origin().text(), peer->name, address, type, z.serial(),
      stream->incremental());
  stream->set_request(context.message.header.id, question.name, question.type);
  stream->set_signer(std::move(context.signer));
  Reply reply;
  reply.stream = std::move(stream);
  reply.secondary_address = address;
  return reply;
}

}  // namespace signet::transfer
