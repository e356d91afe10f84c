#include "zone/build.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "model/record_forms.h"
#include "model/yaml_reader.h"
#include "zone/rdata.h"

namespace signet::zone {

namespace {

using model::Location;

// Presentation syntax of common types, for messages about invalid RDATA.
std::string syntax_hint(RrType type) {
  switch (type) {
    case rrtype::A:
      return "an IPv4 address, e.g. 192.0.2.1";
    case rrtype::AAAA:
      return "an IPv6 address, e.g. 2001:db8::1";
    case rrtype::NS:
    case rrtype::CNAME:
    case rrtype::DNAME:
    case rrtype::PTR:
      return "a domain name, e.g. host.example.com.";
    case rrtype::MX:
      return "'preference exchange', e.g. '10 mail.example.com.'";
    case rrtype::SRV:
      return "'priority weight port target', e.g. '10 5 5060 sip'";
    case rrtype::CAA:
      return "'flags tag \"value\"', e.g. '0 issue \"ca.example.net\"'";
    case rrtype::DS:
      return "'key_tag algorithm digest_type digest' with the digest in hex";
    case rrtype::SSHFP:
      return "'algorithm fingerprint_type fingerprint' with the fingerprint "
             "in hex";
    case rrtype::TLSA:
      return "'usage selector matching_type data' with the data in hex";
    case rrtype::NAPTR:
      return "'order preference \"flags\" \"service\" \"regexp\" "
             "replacement'";
    case rrtype::SVCB:
    case rrtype::HTTPS:
      return "'priority target key=value ...', e.g. '1 . alpn=h2,h3'";
    case rrtype::URI:
      return "'priority weight \"target\"', e.g. '10 1 "
             "\"https://example.com/\"'";
    case rrtype::TXT:
      return "quoted strings of at most 255 octets each";
    default:
      return "the type's presentation format, or RFC 3597 '\\# length hex'";
  }
}

// Mnemonics of the types ldns parses, for "did you mean" suggestions.
const std::vector<std::string>& known_type_names() {
  static const auto* names = [] {
    auto* out = new std::vector<std::string>;
    for (unsigned code = 1; code < 300; ++code) {
      std::string name = type_name(static_cast<RrType>(code));
      if (name.rfind("TYPE", 0) != 0) {
        out->push_back(name);
      }
    }
    return out;
  }();
  return *names;
}

bool is_signer_type(RrType type) {
  return type == rrtype::RRSIG || type == rrtype::NSEC ||
         type == rrtype::NSEC3 || type == rrtype::NSEC3PARAM ||
         type == rrtype::DNSKEY;
}

// Encodes TXT RDATA written as quoted strings of printable ASCII without
// escapes, separated by single spaces, as quote_text() writes them.
std::optional<std::string> parse_simple_txt(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '"') {
      return std::nullopt;
    }
    size_t close = i + 1;
    while (close < text.size() && text[close] != '"') {
      char c = text[close];
      if (c < 0x20 || c > 0x7e || c == '\\' || c == ';' || c == '(' ||
          c == ')') {
        return std::nullopt;
      }
      ++close;
    }
    size_t length = close - i - 1;
    if (close == text.size() || length > 255) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(length));
    out.append(text.substr(i + 1, length));
    i = close + 1;
    if (i < text.size() && (text[i] != ' ' || i + 1 == text.size())) {
      return std::nullopt;
    }
    if (i < text.size()) {
      ++i;
    }
  }
  if (out.empty()) {
    return std::nullopt;
  }
  return out;
}

// Encodes the most common RDATA without ldns, which costs about 20
// microseconds a record. Returns nullopt when `text` is not in the simple
// form handled here, and the caller falls back to parse_rdata(), so the
// result is the same canonical wire form either way.
std::optional<std::string> parse_simple_rdata(RrType type,
                                              const std::string& text,
                                              const Name& origin) {
  auto plain = [](std::string_view s) {
    return !s.empty() && s.find_first_of(" \t\n\"();") == std::string::npos;
  };
  if (type == rrtype::A || type == rrtype::AAAA) {
    unsigned char buf[16];
    int family = type == rrtype::A ? AF_INET : AF_INET6;
    if (!plain(text) || inet_pton(family, text.c_str(), buf) != 1) {
      return std::nullopt;
    }
    return std::string(reinterpret_cast<char*>(buf),
                       type == rrtype::A ? 4 : 16);
  }
  if (type == rrtype::NS || type == rrtype::CNAME || type == rrtype::PTR) {
    std::optional<Name> name =
        plain(text) ? Name::parse(text, origin) : std::nullopt;
    return name ? std::optional<std::string>(name->wire()) : std::nullopt;
  }
  if (type == rrtype::TXT) {
    return parse_simple_txt(text);
  }
  if (type == rrtype::MX) {
    size_t space = text.find(' ');
    if (space == std::string::npos) {
      return std::nullopt;
    }
    std::string_view exchange = std::string_view(text).substr(space + 1);
    unsigned preference = 0;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + space, preference);
    if (ec != std::errc() || end != text.data() + space || preference > 65535 ||
        !plain(exchange)) {
      return std::nullopt;
    }
    std::optional<Name> name = Name::parse(exchange, origin);
    if (!name) {
      return std::nullopt;
    }
    std::string out(1, static_cast<char>(preference >> 8));
    out.push_back(static_cast<char>(preference & 0xff));
    return out + name->wire();
  }
  return std::nullopt;
}

class ZoneBuilder {
 public:
  ZoneBuilder(const model::ZoneFile& file, const model::Policy& policy,
              model::Diagnostics& diagnostics, RecordLocations& locations)
      : file_(file),
        policy_(policy),
        diagnostics_(diagnostics),
        locations_(locations) {}

  std::optional<Zone> build() {
    std::string problem;
    std::optional<Name> origin = Name::parse(file_.zone, Name(), &problem);
    if (!origin) {
      diagnostics_.error(file_.zone_location, "zone name '" + file_.zone +
                                                  "' is invalid: " + problem);
      return std::nullopt;
    }
    origin_ = *origin;
    locations_.set_fallback(file_.zone_location);
    // Problems with the apex as a whole point at the zone key.
    locations_.set_owner(origin_, file_.zone_location);
    Zone zone(origin_);
    seen_.reserve(file_.records.size() + 1);
    add_soa(zone);
    for (const model::OwnerRecords& owner : file_.records) {
      add_owner(zone, owner);
    }
    zone.finalize();
    return zone;
  }

 private:
  std::optional<Name> parse_name(const std::string& text, const Location& where,
                                 const std::string& what) {
    std::string problem;
    std::optional<Name> name = Name::parse(text, origin_, &problem);
    if (!name) {
      diagnostics_.error(where,
                         what + " '" + text + "' is invalid: " + problem);
    }
    return name;
  }

  // The first apex NS target as written, for an SOA without `primary`.
  std::optional<std::pair<std::string, Location>> first_apex_ns() {
    for (const model::OwnerRecords& owner : file_.records) {
      std::optional<Name> name = Name::parse(owner.owner, origin_);
      if (!name || *name != origin_) {
        continue;
      }
      for (const model::RecordSet& set : owner.rrsets) {
        if (set.type == "NS" && !set.values.empty()) {
          return std::make_pair(set.values.front().rdata,
                                set.values.front().location);
        }
      }
    }
    return std::nullopt;
  }

  void add_soa(Zone& zone) {
    const model::SoaSettings& soa = file_.soa;
    std::string primary = soa.primary;
    Location primary_location = soa.primary_location;
    if (primary.empty()) {
      auto ns = first_apex_ns();
      if (!ns) {
        diagnostics_.error(soa.location,
                           "the SOA has no primary name server: add "
                           "'primary:' under 'soa:', or an NS record at the "
                           "apex (\"@\")");
        return;
      }
      std::tie(primary, primary_location) = *ns;
    }
    std::string contact = soa.contact.empty() ? "hostmaster" : soa.contact;
    std::optional<Name> mname =
        parse_name(primary, primary_location, "soa primary");
    std::optional<Name> rname = parse_name(
        contact, soa.contact.empty() ? soa.location : soa.contact_location,
        "soa contact");
    if (!mname || !rname) {
      return;
    }
    std::string text =
        mname->text() + " " + rname->text() + " 0 " +
        std::to_string(soa.refresh) + " " + std::to_string(soa.retry) + " " +
        std::to_string(soa.expire) + " " + std::to_string(soa.minimum);
    std::string problem;
    std::optional<std::string> rdata =
        parse_rdata(rrtype::SOA, text, origin_, &problem);
    if (!rdata) {
      diagnostics_.error(soa.location, "the SOA is invalid: " + problem);
      return;
    }
    zone.add(origin_, rrtype::SOA, soa.ttl.value_or(file_.ttl), *rdata);
    locations_.set(origin_, rrtype::SOA, soa.location);
  }

  void add_owner(Zone& zone, const model::OwnerRecords& owner) {
    std::optional<Name> name =
        parse_name(owner.owner, owner.location, "owner name");
    if (!name) {
      return;
    }
    for (const model::RecordSet& set : owner.rrsets) {
      add_rrset(zone, owner, *name, set);
    }
  }

  std::optional<RrType> check_type(const model::RecordSet& set) {
    std::optional<RrType> type = type_from_name(set.type);
    if (!type) {
      std::vector<std::string_view> names(known_type_names().begin(),
                                          known_type_names().end());
      std::string suggestion = model::closest_match(set.type, names);
      diagnostics_.error(
          set.location,
          "unknown record type '" + set.type + "';" +
              (suggestion.empty() ? ""
                                  : " did you mean '" + suggestion + "'?") +
              " write a type mnemonic such as A or MX, or TYPEnnn");
      return std::nullopt;
    }
    if (is_meta_type(*type)) {
      diagnostics_.error(set.location,
                         "type " + set.type +
                             " is a query or meta type and cannot be zone "
                             "data; remove it");
      return std::nullopt;
    }
    if (*type == rrtype::SOA) {
      diagnostics_.error(set.location,
                         "the SOA record is made from the 'soa:' settings; "
                         "move its fields there and remove it from records");
      return std::nullopt;
    }
    if (is_signer_type(*type)) {
      diagnostics_.error(set.location,
                         "type " + set.type +
                             " is made by the signer under policy '" +
                             policy_.name + "'; remove it from the zone file");
      return std::nullopt;
    }
    if ((*type == rrtype::CDS || *type == rrtype::CDNSKEY) && policy_.cds) {
      diagnostics_.error(set.location,
                         "type " + set.type + " is published by policy '" +
                             policy_.name +
                             "' (cds: true); remove it from the zone file "
                             "or set 'cds: false' in the policy");
      return std::nullopt;
    }
    return type;
  }

  // Returns where the RRset at `owner`/`type` was first written, or
  // nullptr when this is the first time, and then notes it.
  const model::RecordSet* written_before(const model::OwnerRecords& records,
                                         const Name& owner, RrType type,
                                         const model::RecordSet& set) {
    uint64_t key = NameHash()(owner) * 31 + type;
    auto [it, inserted] = seen_.try_emplace(key, Written{&records, &set, type});
    if (inserted) {
      return nullptr;
    }
    const Written& first = it->second;
    if (first.type == type) {
      std::optional<Name> first_owner = parse_name(
          first.records->owner, first.records->location, "owner name");
      if (first_owner && *first_owner == owner) {
        return first.set;
      }
    }
    // Two RRsets whose hashes collide, so the later one is kept by name.
    auto [c, fresh] = collided_.try_emplace(std::make_pair(owner, type), &set);
    return fresh ? nullptr : c->second;
  }

  void add_rrset(Zone& zone, const model::OwnerRecords& records,
                 const Name& owner, const model::RecordSet& set) {
    std::optional<RrType> type = check_type(set);
    if (!type) {
      return;
    }
    if (const model::RecordSet* first =
            written_before(records, owner, *type, set)) {
      diagnostics_.error(set.location,
                         "the " + set.type + " records of " + owner.text() +
                             " are also written at " + first->location.text() +
                             "; merge the two into one list");
      return;
    }
    locations_.set(owner, *type, set.location);
    uint32_t ttl = set.ttl.value_or(file_.ttl);
    std::set<std::string> rdatas;
    for (const model::RecordValue& value : set.values) {
      std::optional<std::string> rdata = convert(*type, set.type, value);
      if (!rdata) {
        continue;
      }
      if (!rdatas.insert(*rdata).second) {
        diagnostics_.warning(value.location,
                             "duplicate " + set.type + " record '" +
                                 value.rdata + "' at " + owner.text() +
                                 "; it is published once, remove the copy");
        continue;
      }
      zone.add(owner, *type, ttl, std::move(*rdata));
    }
  }

  std::optional<std::string> convert(RrType type, const std::string& type_text,
                                     const model::RecordValue& value) {
    bool names_ok = true;
    for (const model::NameField& field : value.names) {
      if (field.text != "." &&
          !parse_name(field.text, field.location, type_text + " name")) {
        names_ok = false;
      }
    }
    if (!names_ok) {
      return std::nullopt;
    }
    std::optional<std::string> rdata =
        parse_simple_rdata(type, value.rdata, origin_);
    if (rdata) {
      return rdata;
    }
    rdata = parse_rdata(type, value.rdata, origin_);
    if (!rdata) {
      diagnostics_.error(value.location, type_text + " value '" + value.rdata +
                                             "' is invalid; write " +
                                             syntax_hint(type));
    }
    return rdata;
  }

  const model::ZoneFile& file_;
  const model::Policy& policy_;
  model::Diagnostics& diagnostics_;
  RecordLocations& locations_;
  Name origin_;
  // Each RRset written so far under a 64-bit hash of owner and type, with
  // where it was written. No names are kept, which saves a copy of every
  // owner name. A hash seen again is checked in full by parsing the
  // earlier owner once more. That happens for real duplicates and, rarely,
  // for collisions, which collided_ then keeps by name.
  struct Written {
    const model::OwnerRecords* records;
    const model::RecordSet* set;
    RrType type;
  };
  std::unordered_map<uint64_t, Written> seen_;
  std::map<std::pair<Name, RrType>, const model::RecordSet*> collided_;
};

}  // namespace

namespace {

// Entries below which sorting on a second thread is not worth starting it.
constexpr size_t kParallelSortSize = 50000;

}  // namespace

uint64_t RecordLocations::owner_key(const Name& owner) {
  return NameHash()(owner);
}

uint64_t RecordLocations::rrset_key(const Name& owner, RrType type) {
  return owner_key(owner) * 31 + type;
}

void RecordLocations::set(const Name& owner, RrType type,
                          const model::Location& location) {
  if (file_.empty()) {
    file_ = location.file;
  }
  owners_.push_back(Entry{owner_key(owner), location.line, location.column,
                          static_cast<uint32_t>(owners_.size())});
  rrsets_.push_back(Entry{rrset_key(owner, type), location.line,
                          location.column,
                          static_cast<uint32_t>(rrsets_.size())});
  sealed_ = false;
}

void RecordLocations::set_owner(const Name& owner,
                                const model::Location& location) {
  if (file_.empty()) {
    file_ = location.file;
  }
  owners_.push_back(Entry{owner_key(owner), location.line, location.column,
                          static_cast<uint32_t>(owners_.size())});
  sealed_ = false;
}

void RecordLocations::seal() {
  // Equal keys stay in the order they were set in. A large zone's two
  // lists, millions of entries each, sort side by side.
  auto sort_owners = [this] { std::sort(owners_.begin(), owners_.end()); };
  if (owners_.size() < kParallelSortSize) {
    sort_owners();
    std::sort(rrsets_.begin(), rrsets_.end());
  } else {
    std::thread owners(sort_owners);
    std::sort(rrsets_.begin(), rrsets_.end());
    owners.join();
  }
  sealed_ = true;
}

RecordLocations RecordLocations::moved(const RecordLocations& previous,
                                       const std::vector<LineMove>& moves,
                                       const RecordLocations& added) {
  // Moves the kept entries of one list and merges those of `added` in,
  // keeping the list sorted.
  auto merge = [&moves](const std::vector<Entry>& kept,
                        std::vector<Entry> more) {
    // Equal keys sort by order, and added ones follow the kept ones.
    for (Entry& entry : more) {
      entry.order += static_cast<uint32_t>(kept.size());
    }
    std::vector<Entry> out;
    out.reserve(kept.size() + more.size());
    auto next = more.begin();
    for (Entry entry : kept) {
      auto range = std::upper_bound(
          moves.begin(), moves.end(), entry.line,
          [](int line, const LineMove& move) { return line < move.first; });
      if (range != moves.begin() && entry.line < (range - 1)->end) {
        if ((range - 1)->dropped) {
          continue;
        }
        entry.line += (range - 1)->delta;
      }
      for (; next != more.end() && *next < entry; ++next) {
        out.push_back(*next);
      }
      out.push_back(entry);
    }
    out.insert(out.end(), next, more.end());
    return out;
  };
  RecordLocations out;
  out.file_ = previous.file_.empty() ? added.file_ : previous.file_;
  out.fallback_ = previous.fallback_;
  out.rrsets_ = merge(previous.rrsets_, added.rrsets_);
  out.owners_ = merge(previous.owners_, added.owners_);
  return out;
}

const RecordLocations::Entry* RecordLocations::lookup(
    const std::vector<Entry>& entries, bool sealed, uint64_t key, bool last) {
  if (!sealed) {
    const Entry* found = nullptr;
    for (const Entry& e : entries) {
      if (e.key == key && (found == nullptr || last)) {
        found = &e;
      }
    }
    return found;
  }
  auto by_key = [](const Entry& a, const Entry& b) { return a.key < b.key; };
  auto [begin, end] = std::equal_range(entries.begin(), entries.end(),
                                       Entry{key, 0, 0, 0}, by_key);
  if (begin == end) {
    return nullptr;
  }
  return last ? &*(end - 1) : &*begin;
}

model::Location RecordLocations::at(const Entry& entry) const {
  return model::Location{file_, entry.line, entry.column};
}

model::Location RecordLocations::find(const Name& owner, RrType type) const {
  if (const Entry* e = lookup(rrsets_, sealed_, rrset_key(owner, type), true)) {
    return at(*e);
  }
  if (const Entry* e = lookup(owners_, sealed_, owner_key(owner), false)) {
    return at(*e);
  }
  return fallback_;
}

SourceMap RecordLocations::source_map() const {
  return [this](const Name& owner, RrType type) { return find(owner, type); };
}

std::optional<Zone> build_zone(const model::ZoneFile& file,
                               const model::Policy& policy,
                               model::Diagnostics& diagnostics,
                               RecordLocations* locations) {
  RecordLocations scratch;
  RecordLocations& where = locations != nullptr ? *locations : scratch;
  ZoneBuilder builder(file, policy, diagnostics, where);
  std::optional<Zone> zone = builder.build();
  where.seal();
  return zone;
}

}  // namespace signet::zone
