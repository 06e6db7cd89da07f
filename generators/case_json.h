// Reading a case back from the JSON line ToJsonLine() wrote (cases.jsonl of `chapcheck generate`,
// a reproducer of `chapcheck run` or `chapcheck fuzz`, a fuzz corpus line): id, name, family, rule,
// auth and the exact request (body, or bodyBase64 for bodies that are not UTF-8). The expectation
// is not read back: the caller decides again from the spec, or reads "expect" itself.
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "generators/cases.h"

namespace chapcheck::generators {

std::optional<AuthMode> AuthModeByName(std::string_view name);

// Errors name the field that is missing or malformed, never a value.
Result<Case> ParseCaseJson(std::string_view text);

}  // namespace chapcheck::generators
