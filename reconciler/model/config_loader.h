// Loading of the operator configuration (signet.yaml).
#pragma once

#include <optional>
#include <string>

#include "model/config.h"
#include "model/diagnostic.h"

namespace signet::model {

// Reads and parses the operator configuration at `path`. Relative paths in
// it (state_dir, local repositories, key store, secret files) are made
// absolute against the folder that holds the file. Unknown keys,
// duplicates and bad values are errors with file:line:col. A file that
// cannot be read is an error at `path`. Check diagnostics.has_errors()
// before using the result.
OperatorConfig load_operator_config(const std::string& path,
                                    Diagnostics& diagnostics);

// Parses configuration text; `path` names the file in messages and its
// folder is the base for relative paths.
OperatorConfig parse_operator_config(const std::string& path,
                                     const std::string& text,
                                     Diagnostics& diagnostics);

// Parses "host:port", "[v6]:port", or a bare address with `default_port`.
// Returns nullopt with a message in `error` when invalid.
std::optional<ListenAddress> parse_listen_address(const std::string& text,
                                                  uint16_t default_port,
                                                  std::string* error);

}  // namespace signet::model
