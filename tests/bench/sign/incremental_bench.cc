// Measures signing of one changed record in a large zone: a full signing
// first, then an incremental one with a single A record changed.
// Usage: incremental_bench ZONE_FILE ORIGIN KEY_FOLDER POLICY(nsec|nsec3)
#include <chrono>
#include <iostream>

#include "kasp/zone_signer.h"
#include "model/diagnostic.h"
#include "zone/masterfile.h"

using namespace signet;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: incremental_bench ZONE ORIGIN KEYS nsec|nsec3\n";
    return 2;
  }
  model::Diagnostics diagnostics;
  auto origin = zone::Name::parse(argv[2]);
  auto input = zone::read_master_file(argv[1], *origin, diagnostics);
  if (!input) {
    for (const auto& d : diagnostics.all()) {
      std::cerr << d.text() << "\n";
    }
    return 1;
  }
  model::Policy policy = model::default_policy();
  policy.denial = std::string(argv[4]) == "nsec" ? model::Denial::kNsec
                                                 : model::Denial::kNsec3;
  dnssec::FileKeyStore store(argv[3]);
  ManualClock clock(SystemClock::instance().now());
  kasp::ZoneSigner signer(store, clock, 2);

  auto start = std::chrono::steady_clock::now();
  auto first_zone = std::make_shared<const zone::Zone>(*input);
  kasp::SignedVersion first = signer.sign(first_zone, policy, nullptr);
  double full = seconds_since(start);

  // Change the address of the first A RRset after the apex.
  for (const zone::Node& node : input->nodes()) {
    if (const zone::Rrset* a = node.find(zone::rrtype::A)) {
      zone::Rrset changed = *a;
      changed.rdatas = {std::string("\xc0\x00\x02\x63", 4)};
      input->replace_rrset(node.name, changed);
      break;
    }
  }
  input->set_serial(input->serial() + 1);
  auto second_zone = std::make_shared<const zone::Zone>(*input);
  start = std::chrono::steady_clock::now();
  kasp::SignedVersion second = signer.sign(second_zone, policy, &first);
  double incremental = seconds_since(start);

  std::cout << "full_seconds " << full << " full_rrsigs " << first.rrsigs_made
            << " incremental_seconds " << incremental << " incremental_rrsigs "
            << second.rrsigs_made << "\n";
  return 0;
}
