#include "model/policy.h"

namespace signet::model {

Policy default_policy() {
  return Policy{};
}

}  // namespace signet::model
