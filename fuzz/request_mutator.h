// RequestMutator: the structure-aware mutator behind LLVMFuzzerCustomMutator for the request
// targets (fuzz_mock_http, fuzz_spec_verdict). It reads a FuzzInput (generators/fuzz_input.h),
// scans the JSON body (spec/json_scan.h: no DOM, as this runs once per fuzz execution) and
// mutates member values by the classes the loaded spec gives them: lengths around each bound in
// its unit (for UTF-8 byte bounds, multi-byte characters that land on and just past the bound),
// characters at and just outside each charset's edges, wrong JSON types, missing, duplicate and
// unknown members, equal values for a "distinct" rule, and edits of an ARN along its grammar.
// Members it does not touch keep their JSON text byte for byte, and their order. No member
// name, bound or charset is written here: they all come from the spec. Inputs that are not
// structured JSON requests go to the fallback (LLVMFuzzerMutate).
// Immutable after construction; Mutate() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.h"

namespace chapcheck::fuzz {

// The mutator's random engine: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
// number generators", 2014), a UniformRandomBitGenerator. One is seeded per mutation, from
// libFuzzer's seed: seeding costs one store, where std::mt19937 filled 624 words (and then
// regenerated them on the first draw), a twentieth of a fuzz_spec_verdict execution under ASan.
class MutationRng {
 public:
  using result_type = std::uint64_t;
  explicit MutationRng(std::uint64_t seed) : state_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() {
    std::uint64_t z = state_ += 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

class RequestMutator {
 public:
  // Mutates data[0, size) in place into at most max_size bytes; returns the new size.
  using Fallback = std::function<std::size_t(std::uint8_t* data, std::size_t size, std::size_t max_size)>;

  explicit RequestMutator(const spec::Spec& spec);

  std::size_t Mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                     const Fallback& fallback) const;

  // Takes the headers of `a` and, member by member, values from `a` or `b` (both JSON objects);
  // otherwise a splice of the two. Returns the size written to out (at most max_size).
  std::size_t CrossOver(std::string_view a, std::string_view b, std::uint8_t* out, std::size_t max_size,
                        unsigned seed) const;

  // One to three mutations of a JSON object body; nullopt when `body` is not a JSON object.
  std::optional<std::string> MutateBody(std::string_view body, MutationRng& rng) const;

 private:
  struct MemberClass {
    std::string name;
    spec::JsonType type = spec::JsonType::kString;
    std::optional<spec::LengthBound> length;
    std::optional<spec::Charset> pattern;
    const spec::ArnGrammar* grammar = nullptr;
    std::string chars;               // the printable ASCII of `pattern` (a-z without one)
    std::vector<std::string> edges;  // EdgeChars of `pattern` (of [0-9a-z]+ without one)
    // With a grammar: EdgeChars of each ARN segment's charset (empty without one), partition,
    // service, region, account, then the resource segments.
    std::vector<std::vector<std::string>> segment_edges;
  };

  std::string LengthValue(const MemberClass& m, MutationRng& rng) const;
  std::string CharsetValue(const MemberClass& m, std::string_view current, MutationRng& rng) const;
  std::string ArnValue(const MemberClass& m, std::string_view current, MutationRng& rng) const;

  std::vector<MemberClass> members_;
  std::vector<std::vector<std::string>> distinct_;  // member groups of "distinct" rules
  std::string base_body_;                           // the spec's first example body
};

// Appends s as a JSON string the way nlohmann's dump(-1, ' ', false, error_handler_t::replace)
// writes one (the mutator's output format): '"', '\\' and U+0000..U+001F escaped (\b \f \n \r \t,
// else \u00xx), other UTF-8 as it is, and each invalid sequence as one U+FFFD. Also for fuzz_spec_verdict's
// replacement values, and for tests.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace chapcheck::fuzz
