#include "kasp/zone_signer.h"

#include <stdexcept>

namespace signet::kasp {

ZoneSigner::ZoneSigner(dnssec::KeyStore& keys, const Clock& clock,
                       unsigned threads)
    : keys_(keys), clock_(clock), threads_(threads) {}

SignedVersion ZoneSigner::sign(std::shared_ptr<const zone::Zone>,
                               const model::Policy&, const SignedVersion*) {
  throw std::runtime_error("zone signing is not implemented yet");
}

}  // namespace signet::kasp
