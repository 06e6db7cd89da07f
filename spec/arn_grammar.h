// ParseArn: checks a value against an ArnGrammar from the spec and names its parts.
//   arn:<partition>:<service>:<region>:<account>:<resource>
// The first five ':' split the header; the resource (which may itself hold ':', as IQNs do) is
// split by the grammar's separator into exactly as many parts as the grammar has segments.
// Pure function; any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "spec/spec.h"

namespace chapcheck::spec {

// Parts by name: "partition", "service", "region", "account", and each named resource segment.
using ArnParts = std::map<std::string, std::string, std::less<>>;

// On failure the Error's message says which part is wrong and why; it quotes no value, since the
// caller decides whether the value may be shown.
Result<ArnParts> ParseArn(const ArnGrammar& grammar, std::string_view value);

// Fills a lookup key template ("arn:{partition}:...:{gatewayId}", "{$}") from parsed parts.
// Returns an error naming the first unknown placeholder.
Result<std::string> ExpandKey(std::string_view key_template, const ArnParts& parts,
                              std::string_view whole_value);

}  // namespace chapcheck::spec
