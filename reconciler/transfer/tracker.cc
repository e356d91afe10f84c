#include "transfer/tracker.h"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include "transfer/message.h"
#include "zone/rrset.h"

namespace signet::transfer {
namespace {

// Outstanding queries are forgotten after this long without an answer.
constexpr uint64_t kResponseTimeoutMs = 5000;
constexpr uint64_t kPollAfterTransferMs = 2000;

const TsigKey* find_key(const PublishedZone& zone, const std::string& name) {
  auto wanted = zone::Name::parse(name);
  for (const TsigKey& key : zone.tsig_keys) {
    if (wanted && zone::Name::parse(key.name) == wanted) {
      return &key;
    }
  }
  return nullptr;
}

}  // namespace

std::string normalize_address(const std::string& address) {
  char text[INET6_ADDRSTRLEN];
  unsigned char binary[16];
  if (inet_pton(AF_INET, address.c_str(), binary) == 1) {
    return inet_ntop(AF_INET, binary, text, sizeof text);
  }
  if (inet_pton(AF_INET6, address.c_str(), binary) == 1) {
    return inet_ntop(AF_INET6, binary, text, sizeof text);
  }
  return "";
}

SecondaryTracker::SecondaryTracker(const ServerOptions& options,
                                   const Clock& clock)
    : options_(options), clock_(clock), random_(std::random_device{}()) {}

void SecondaryTracker::publish(std::shared_ptr<const PublishedZone> zone) {
  std::lock_guard lock(mutex_);
  const zone::Name& origin = zone->zone->origin();
  ZoneState& state = zones_[origin];
  bool new_serial =
      !state.zone || state.zone->zone->serial() != zone->zone->serial();
  std::vector<Secondary> secondaries;
  for (const SecondaryPeer& peer : zone->secondaries) {
    Secondary secondary;
    if (Secondary* old = find(state, peer.name)) {
      secondary = *old;
    }
    secondary.peer = peer;
    secondary.address = normalize_address(peer.address);
    secondary.status.name = peer.name;
    secondary.status.address = secondary.address;
    secondary.status.port = peer.port;
    if (new_serial || secondary.status.last_notify_serial == 0) {
      secondary.notify_pending = true;
      secondary.next_notify_ms = 0;
      secondary.notify_delay_ms = options_.notify_retry_initial_ms;
      secondary.status.notify_attempts = 0;
      secondary.status.last_notify_serial = zone->zone->serial();
    }
    secondaries.push_back(std::move(secondary));
  }
  state.zone = std::move(zone);
  state.secondaries = std::move(secondaries);
  for (Secondary& secondary : state.secondaries) {
    update_sync(state, secondary);
  }
}

void SecondaryTracker::withdraw(const zone::Name& origin) {
  std::lock_guard lock(mutex_);
  zones_.erase(origin);
}

SecondaryTracker::Secondary* SecondaryTracker::find(ZoneState& zone,
                                                    const std::string& name) {
  for (Secondary& secondary : zone.secondaries) {
    if (secondary.peer.name == name) {
      return &secondary;
    }
  }
  return nullptr;
}

void SecondaryTracker::update_sync(const ZoneState& zone,
                                   Secondary& secondary) {
  secondary.status.in_sync =
      secondary.status.secondary_serial &&
      *secondary.status.secondary_serial == zone.zone->zone->serial();
}

std::optional<OutboundMessage> SecondaryTracker::build_query(
    const ZoneState& state, const Secondary& secondary, bool notify,
    uint64_t now_ms) {
  const PublishedZone& published = *state.zone;
  const zone::Zone& z = *published.zone;
  uint16_t id = static_cast<uint16_t>(random_());
  while (outstanding_.count(id)) {
    ++id;
  }

  std::string wire;
  MessageWriter writer(wire, kMinUdpPayload);
  Header header;
  header.id = id;
  header.opcode = notify ? opcode::kNotify : opcode::kQuery;
  header.aa = notify;
  writer.set_header(header);
  writer.add_question(z.origin(), zone::rrtype::SOA, zone::kClassIn);
  if (notify) {
    // RFC 1996 section 3.7: the new SOA may ride along as a hint.
    const zone::Rrset* soa = z.soa();
    writer.add_record(MessageWriter::Section::kAnswer, z.origin(),
                      zone::rrtype::SOA, zone::kClassIn, soa->ttl,
                      soa->rdatas.front());
  }
  writer.finish();

  Outstanding pending;
  const TsigKey* key = find_key(published, secondary.peer.tsig_key_name);
  if (key) {
    auto algorithm = tsig_algorithm_from_name(key->algorithm);
    if (algorithm) {
      TsigSigner signer(*key, *algorithm, "", clock_, options_.tsig_fudge);
      signer.sign(wire);
      pending.verifier = std::make_unique<TsigVerifier>(
          *key, *algorithm, signer.last_mac(), clock_);
    }
  }
  if (!pending.verifier) {
    spdlog::error(
        "no usable TSIG key for secondary; tenant={} zone={} secondary={} "
        "key={}",
        published.tenant, z.origin().text(), secondary.peer.name,
        secondary.peer.tsig_key_name);
    return std::nullopt;
  }
  pending.origin = z.origin();
  pending.secondary = secondary.peer.name;
  pending.notify = notify;
  pending.serial = z.serial();
  pending.address = secondary.address;
  pending.port = secondary.peer.port;
  pending.expires_ms = now_ms + kResponseTimeoutMs;
  outstanding_.emplace(id, std::move(pending));
  return OutboundMessage{secondary.address, secondary.peer.port,
                         normalize_address(secondary.peer.primary_address),
                         std::move(wire)};
}

std::vector<OutboundMessage> SecondaryTracker::take_due(uint64_t now_ms) {
  std::lock_guard lock(mutex_);
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    it = it->second.expires_ms <= now_ms ? outstanding_.erase(it) : ++it;
  }
  std::vector<OutboundMessage> due;
  UnixTime now = clock_.now();
  for (auto& [origin, state] : zones_) {
    for (Secondary& secondary : state.secondaries) {
      if (secondary.notify_pending && secondary.next_notify_ms <= now_ms) {
        auto& status = secondary.status;
        if (status.notify_attempts >= options_.notify_max_attempts) {
          secondary.notify_pending = false;
          spdlog::warn(
              "NOTIFY not acknowledged, giving up; tenant={} zone={} "
              "secondary={} address={} serial={} attempts={}",
              state.zone->tenant, origin.text(), secondary.peer.name,
              secondary.address, status.last_notify_serial,
              status.notify_attempts);
        } else if (auto message = build_query(state, secondary, true, now_ms)) {
          ++status.notify_attempts;
          status.last_notify_sent = now;
          secondary.next_notify_ms = now_ms + secondary.notify_delay_ms;
          secondary.notify_delay_ms *= 2;
          due.push_back(std::move(*message));
        } else {
          secondary.notify_pending = false;
        }
      }
      if (secondary.poll_after_transfer) {
        // Confirms the serial once the secondary has loaded the transfer.
        secondary.poll_after_transfer = false;
        secondary.next_poll_ms = now_ms + kPollAfterTransferMs;
      }
      if (options_.soa_poll_interval_ms > 0 &&
          secondary.next_poll_ms <= now_ms) {
        secondary.next_poll_ms = now_ms + options_.soa_poll_interval_ms;
        if (auto message = build_query(state, secondary, false, now_ms)) {
          secondary.status.last_poll = now;
          due.push_back(std::move(*message));
        }
      }
    }
  }
  return due;
}

bool SecondaryTracker::on_response(std::string_view wire,
                                   const std::string& address, uint16_t port) {
  auto message = parse_message(wire);
  if (!message || message->questions.size() != 1) {
    return false;
  }
  std::lock_guard lock(mutex_);
  auto it = outstanding_.find(message->header.id);
  if (it == outstanding_.end() || it->second.address != address ||
      it->second.port != port) {
    return false;
  }
  Outstanding& pending = it->second;
  std::string error;
  if (message->questions[0].name != pending.origin ||
      !pending.verifier->verify(wire, &error)) {
    spdlog::warn(
        "response from secondary rejected; zone={} address={} "
        "error={}",
        pending.origin.text(), address,
        error.empty() ? "question mismatch" : error);
    return false;
  }
  auto zone_it = zones_.find(pending.origin);
  Secondary* secondary = zone_it == zones_.end()
                             ? nullptr
                             : find(zone_it->second, pending.secondary);
  if (secondary && message->header.rcode == rcode::kNoError) {
    if (pending.notify) {
      if (pending.serial == secondary->status.last_notify_serial) {
        secondary->notify_pending = false;
      }
      secondary->status.last_notify_ack = clock_.now();
    } else {
      for (const Record& record : message->answers) {
        if (record.type == zone::rrtype::SOA &&
            record.owner == pending.origin) {
          secondary->status.secondary_serial = read_soa_serial(wire, record);
        }
      }
      update_sync(zone_it->second, *secondary);
    }
  } else if (secondary && pending.notify) {
    spdlog::warn(
        "secondary answered NOTIFY with an error; tenant={} zone={} "
        "secondary={} rcode={}",
        zone_it->second.zone->tenant, pending.origin.text(), pending.secondary,
        message->header.rcode);
  }
  outstanding_.erase(it);
  return true;
}

void SecondaryTracker::on_ixfr_request(const zone::Name& origin,
                                       const std::string& address,
                                       uint32_t serial) {
  std::lock_guard lock(mutex_);
  auto it = zones_.find(origin);
  if (it == zones_.end()) {
    return;
  }
  for (Secondary& secondary : it->second.secondaries) {
    if (secondary.address == address) {
      secondary.status.secondary_serial = serial;
      update_sync(it->second, secondary);
    }
  }
}

void SecondaryTracker::on_transfer_sent(const zone::Name& origin,
                                        const std::string& address,
                                        uint32_t serial, const char* type) {
  std::lock_guard lock(mutex_);
  auto it = zones_.find(origin);
  if (it == zones_.end()) {
    return;
  }
  for (Secondary& secondary : it->second.secondaries) {
    if (secondary.address == address) {
      auto& status = secondary.status;
      status.serial_served = serial;
      status.secondary_serial = serial;
      status.last_transfer = clock_.now();
      status.last_transfer_type = type;
      update_sync(it->second, secondary);
      secondary.poll_after_transfer = true;
    }
  }
}

std::vector<SecondaryStatus> SecondaryTracker::status(
    const zone::Name& origin) const {
  std::lock_guard lock(mutex_);
  std::vector<SecondaryStatus> out;
  auto it = zones_.find(origin);
  if (it != zones_.end()) {
    for (const Secondary& secondary : it->second.secondaries) {
      out.push_back(secondary.status);
    }
  }
  return out;
}

}  // namespace signet::transfer
