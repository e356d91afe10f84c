// Conversion of record values written in YAML to presentation-format RDATA.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/yaml_reader.h"
#include "model/zone_file.h"

namespace signet::model {

// Converts one value of an RRset of `type` (upper-case mnemonic):
//  - a string is presentation-format RDATA, except for TXT and SPF, where
//    a string not starting with '"' or "\#" is the text itself;
//  - a mapping is the type's structured form (see structured_fields()).
// Problems are reported through `reader` at the offending node; returns
// nullopt after reporting.
std::optional<RecordValue> convert_value(YamlReader& reader,
                                         const std::string& type,
                                         const YAML::Node& node,
                                         const Location& where);

// The field names of `type`'s structured form, in RDATA order, or an empty
// list when the type has none.
std::vector<std::string_view> structured_fields(const std::string& type);

// Quotes `text` as one or more RFC 1035 character-strings of at most 255
// octets each, escaping '"', '\' and bytes outside printable ASCII.
std::string quote_text(std::string_view text);

// Quotes `text` as exactly one character-string. Returns nullopt when it is
// over 255 octets.
std::optional<std::string> quote_string(std::string_view text);

}  // namespace signet::model
