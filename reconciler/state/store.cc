#include "state/store.h"

namespace signet::state {

struct Store::Impl {
  std::string path;
};

Store::Store(const std::string& state_dir, const Clock&, StoreOptions)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = state_dir + "/signet.db";
  throw StoreError("state store not implemented yet");
}

Store::~Store() = default;

const std::string& Store::path() const {
  return impl_->path;
}

}  // namespace signet::state
