// Policy lookup shared by `signet sign` and `signet keys`.
#pragma once

#include <optional>
#include <string>

#include "model/diagnostic.h"
#include "model/policy.h"

namespace signet::cli {

// Returns the built-in policy for "default", else reads `name_or_file` as
// a policy YAML file. Problems go to `diagnostics`, and to standard error
// when the file is missing or names no built-in policy.
std::optional<model::Policy> load_policy(const std::string& name_or_file,
                                         model::Diagnostics& diagnostics);

}  // namespace signet::cli
