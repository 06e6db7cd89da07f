// Loading a spec: text -> Spec, or an Error that names the JSON path and the reason.
// Never throws, never aborts, whatever the input; a spec that loads is internally consistent
// (every reference resolves, every bound is ordered). Conflicts between a consistent spec's rules
// and its own examples or documented alternatives are lint's business (spec/lint.h).
// Any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "spec/spec.h"

namespace chapcheck::spec {

// Parses spec text. `origin` names it in messages (a file name, "<embedded>").
Result<Spec> ParseSpec(std::string_view text, std::string_view origin);

// Reads and parses a file (at most 16 MiB).
Result<Spec> LoadSpec(const std::string& path);

// The spec compiled into the binary: spec/update_chap_credentials.json as of the build.
std::string_view EmbeddedSpecText();
Result<Spec> LoadEmbeddedSpec();

// The embedded spec, parsed once per process (thread-safe) and kept for its lifetime: for tests
// and fuzz targets, where the spec compiled in is a given. If it does not parse (a broken build:
// spec tests catch that), prints why to stderr and aborts.
const Spec& EmbeddedSpec();

}  // namespace chapcheck::spec
