#include "kasp/key_schedule.h"

#include <algorithm>
#include <limits>

namespace signet::kasp {

namespace {

using dnssec::KeyInfo;

// RFC 7583 intervals derived from the policy.
struct Intervals {
  int64_t publish;      // Ipub: a new DNSKEY is in every cache
  int64_t ds_publish;   // the parent's new DS is in every cache
  int64_t retire_zone;  // Iret for zone signatures
  int64_t retire_key;   // Iret for DNSKEY signatures
};

Intervals intervals(const model::Policy& p, uint32_t max_ttl) {
  Intervals i;
  i.publish = p.propagation_delay + p.dnskey_ttl + p.publish_safety;
  i.ds_publish = p.propagation_delay + p.ds_ttl;
  i.retire_zone =
      p.propagation_delay + std::max<int64_t>(max_ttl, 0) + p.retire_safety;
  i.retire_key = p.propagation_delay + p.dnskey_ttl + p.retire_safety;
  return i;
}

bool matches(const KeyInfo& key, const model::KeySpec& spec) {
  return key.role == spec.role && key.algorithm == spec.algorithm;
}

std::vector<KeyInfo*> keys_of(std::vector<KeyInfo>& keys,
                              const model::KeySpec& spec) {
  std::vector<KeyInfo*> out;
  for (KeyInfo& key : keys) {
    if (matches(key, spec)) {
      out.push_back(&key);
    }
  }
  return out;  // keys are listed by creation time
}

// When the successor of `current` should be published so that it can
// take over at the end of `current`'s lifetime.
UnixTime rollover_start(const KeyInfo& current, const model::KeySpec& spec,
                        const Intervals& iv) {
  if (spec.lifetime <= 0 || current.timing.active == 0) {
    return 0;
  }
  int64_t lead = spec.role == model::KeyRole::kZsk
                     ? iv.publish
                     : std::max(iv.publish, iv.ds_publish);
  return current.timing.active + spec.lifetime - lead;
}

// The time `key`, a KSK or CSK waiting for its DS, may start signing.
UnixTime activation_after_ds(const KeyInfo& key, const Intervals& iv) {
  return std::max(key.timing.publish + iv.publish,
                  key.timing.ds_published + iv.ds_publish);
}

}  // namespace

KeySchedule::KeySchedule(dnssec::KeyStore& store, const Clock& clock)
    : store_(store), clock_(clock) {}

dnssec::KeySet KeySchedule::update(const zone::Name& zone,
                                   const model::Policy& policy,
                                   uint32_t max_ttl) {
  UnixTime now = clock_.now();
  Intervals iv = intervals(policy, max_ttl);
  std::vector<KeyInfo> keys = store_.list_keys(zone);
  bool created = false;

  for (const model::KeySpec& spec : policy.keys) {
    std::vector<KeyInfo*> generation = keys_of(keys, spec);
    if (generation.empty()) {
      dnssec::KeyTiming t;
      t.publish = now;
      t.active = now;
      t.ds_submit = spec.role == model::KeyRole::kZsk ? 0 : now;
      store_.create_key(zone, spec.role, spec.algorithm, spec.bits, t);
      created = true;
      continue;
    }
    KeyInfo& current = *generation.back();
    UnixTime start = rollover_start(current, spec, iv);
    if (start != 0 && now >= start) {
      dnssec::KeyTiming t;
      t.publish = now;
      if (spec.role == model::KeyRole::kZsk) {
        t.active =
            std::max(now + iv.publish, current.timing.active + spec.lifetime);
        current.timing.inactive = t.active;
        current.timing.remove = t.active + iv.retire_zone;
        store_.update_key(current);
      } else {
        t.ds_submit = now;  // double-DS: CDS for both keys from now on
      }
      store_.create_key(zone, spec.role, spec.algorithm, spec.bits, t);
      created = true;
    }
  }
  if (created) {
    keys = store_.list_keys(zone);
  }

  // A KSK or CSK whose DS the parent serves takes over from its
  // predecessor once both the DNSKEY and the DS have propagated.
  for (const model::KeySpec& spec : policy.keys) {
    if (spec.role == model::KeyRole::kZsk) {
      continue;
    }
    std::vector<KeyInfo*> generation = keys_of(keys, spec);
    for (size_t i = 1; i < generation.size(); ++i) {
      KeyInfo& next = *generation[i];
      KeyInfo& previous = *generation[i - 1];
      if (next.timing.active != 0 || next.timing.ds_published == 0) {
        continue;
      }
      next.timing.active = activation_after_ds(next, iv);
      store_.update_key(next);
      if (previous.timing.inactive == 0) {
        previous.timing.inactive = next.timing.active;
        int64_t retire = spec.role == model::KeyRole::kCsk
                             ? std::max(iv.retire_zone, iv.retire_key)
                             : iv.retire_key;
        previous.timing.remove = previous.timing.inactive + retire;
        store_.update_key(previous);
      }
    }
  }
  return key_set(keys, policy, now);
}

dnssec::KeySet KeySchedule::key_set(const std::vector<KeyInfo>& keys,
                                    const model::Policy& policy, UnixTime now) {
  dnssec::KeySet set;
  for (const KeyInfo& key : keys) {
    if (key.published_at(now)) {
      set.dnskeys.push_back(key);
    }
    if (key.active_at(now) && key.signs_zone()) {
      set.zone_signers.push_back(key);
    }
    if (key.active_at(now) && key.signs_keys()) {
      set.key_signers.push_back(key);
    }
    bool cds_time = key.timing.ds_submit != 0 && key.timing.ds_submit <= now &&
                    (key.timing.inactive == 0 || now < key.timing.inactive);
    if (policy.cds && key.signs_keys() && cds_time && key.published_at(now)) {
      set.cds.push_back(key);
    }
  }
  return set;
}

UnixTime KeySchedule::next_event_time(const zone::Name& zone,
                                      const model::Policy& policy,
                                      uint32_t max_ttl) {
  UnixTime now = clock_.now();
  Intervals iv = intervals(policy, max_ttl);
  std::vector<KeyInfo> keys = store_.list_keys(zone);
  UnixTime next = std::numeric_limits<UnixTime>::max();
  auto consider = [&](UnixTime t) {
    if (t > now && t < next) {
      next = t;
    }
  };
  for (const KeyInfo& key : keys) {
    const dnssec::KeyTiming& t = key.timing;
    for (UnixTime point :
         {t.publish, t.active, t.inactive, t.remove, t.ds_submit}) {
      consider(point);
    }
  }
  for (const model::KeySpec& spec : policy.keys) {
    std::vector<KeyInfo*> generation = keys_of(keys, spec);
    if (generation.empty()) {
      return now;  // update() creates the first key at once
    }
    UnixTime start = rollover_start(*generation.back(), spec, iv);
    if (start != 0) {
      consider(std::max(start, now + 1));
    }
  }
  return next == std::numeric_limits<UnixTime>::max() ? 0 : next;
}

bool KeySchedule::mark_ds_published(const zone::Name& zone, uint16_t key_tag,
                                    UnixTime when) {
  for (KeyInfo& key : store_.list_keys(zone)) {
    if (key.key_tag == key_tag) {
      key.timing.ds_published = when;
      store_.update_key(key);
      return true;
    }
  }
  return false;
}

bool KeySchedule::mark_ds_removed(const zone::Name& zone, uint16_t key_tag,
                                  UnixTime when) {
  for (KeyInfo& key : store_.list_keys(zone)) {
    if (key.key_tag == key_tag) {
      key.timing.ds_removed = when;
      store_.update_key(key);
      return true;
    }
  }
  return false;
}

}  // namespace signet::kasp
