// DiffAgainstAwsModel: compares a spec with an AWS service model (botocore's service-2.json
// format, plain or gzip) and lists every difference in protocol, shapes, lengths, patterns,
// sensitivity, required members, output members and errors, so drift in AWS's model shows.
//
// Each difference has a key ("input.SecretToAuthenticateInitiator.length"), the spec's value and
// the model's. A difference that the spec lists in knownDifferences with the same key and the
// same AWS value is marked known, with the spec's reason; any other is new. A known difference
// whose AWS value changed is new (the model moved); one that no longer appears is a note.
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "spec/spec.h"

namespace chapcheck::spec {

struct Difference {
  std::string key;
  std::string spec_value;
  std::string aws_value;
  bool known = false;
  std::string why;  // the spec's reason, when known
};

struct ModelDiff {
  std::string model_summary;  // e.g. "storagegateway 2013-06-30, operation UpdateChapCredentials"
  std::vector<Difference> differences;
  std::vector<std::string> notes;  // observations that are not differences

  std::size_t new_count() const;
};

// Reads a model file; gzip-compressed files (service-2.json.gz) are inflated. At most 64 MiB.
Result<std::string> ReadModelFile(const std::string& path);

// The model text must be a botocore service model. Errors say what in the model is missing.
Result<ModelDiff> DiffAgainstAwsModel(const Spec& spec, std::string_view model_text);

}  // namespace chapcheck::spec
