// ParseArn: checks a value against an ArnGrammar from the spec and names its parts.
//   arn:<partition>:<service>:<region>:<account>:<resource>
// The first five ':' split the header; the resource (which may itself hold ':', as IQNs do) is
// split by the grammar's separator into exactly as many parts as the grammar has segments.
// Pure function; any thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "spec/spec.h"

namespace chapcheck::spec {

// Parts by name: "partition", "service", "region", "account", and each named resource segment.
// A handful, so a flat list (one allocation; a map took one per part, and the spec verdict parses
// an ARN per request).
class ArnParts {
 public:
  ArnParts() = default;
  ArnParts(std::initializer_list<std::pair<std::string, std::string>> parts);
  // The part named `name`, added empty when there is none.
  std::string& operator[](std::string_view name);
  // The part named `name`; throws std::out_of_range when there is none.
  const std::string& at(std::string_view name) const;
  // The part named `name`, or nullptr.
  const std::string* Find(std::string_view name) const;
  std::size_t size() const { return parts_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> parts_;
};

// On failure the Error's message says which part is wrong and why; it quotes no value, since the
// caller decides whether the value may be shown.
Result<ArnParts> ParseArn(const ArnGrammar& grammar, std::string_view value);

// Fills a lookup key template ("arn:{partition}:...:{gatewayId}", "{$}") from parsed parts.
// Returns an error naming the first unknown placeholder.
Result<std::string> ExpandKey(std::string_view key_template, const ArnParts& parts,
                              std::string_view whole_value);

}  // namespace chapcheck::spec
