// Mutator: spec-guided mutations of valid requests for the black-box fuzzer. Request number
// `index` of the sequence named by `seed` is a pure function of (seed, index): the same seed gives
// the same requests in the same order whatever the number of workers that send them.
//
// A mutant starts from a seed case (the generated cases, plus any corpus lines) and applies one to
// three mutations drawn from the spec, never from names written here:
//   member    lengths around each bound in its unit (multi-byte UTF-8 on and past byte bounds),
//             charset edges (allowed edges, forbidden ASCII, controls, multi-byte characters),
//             wrong JSON types, missing, duplicate and unknown members, equal "distinct" members
//   arn       the format grammar's parts edited: unknown gateway or target, other region,
//             account or partition, truncation, upper case, the world's other targets
//   header    X-Amz-Target prefixes and operation names (never a sibling operation: those are out
//             of scope and may change state), Content-Type variants, method and path
//   auth      each SigV4 failure mode
//   bytes     truncation, stray and invalid UTF-8 bytes, non-object bodies
// Every mutant carries the spec verdict for its request (its expectation), computed against the
// world the endpoint holds. Immutable after construction; Make() may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "generators/cases.h"
#include "spec/spec.h"
#include "spec/verdict.h"

namespace chapcheck::fuzz {

// splitmix64: small, fast, and the same on every platform (std:: distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  std::uint64_t Below(std::uint64_t n) { return n ? Next() % n : 0; }  // [0, n)
  bool OneIn(std::uint64_t n) { return Below(n) == 0; }

 private:
  std::uint64_t state_;
};

struct Mutant {
  generators::Case test_case;        // request, auth and the spec's expectation
  std::vector<std::string> secrets;  // values of the request's sensitive members
  std::string probe_initiator;       // a fresh InitiatorName it carries: the state around it can be judged
};

// The InitiatorName prefix of probe mutants ("fresh" initiators nobody else uses).
inline constexpr std::string_view kProbeInitiatorPrefix = "iqn.2026-11.org.chapcheck.probe:";

class Mutator {
 public:
  // `seeds`: the cases to start from (at least one); `world`: what exists on the endpoint.
  Mutator(const spec::Spec& spec, std::vector<generators::Case> seeds, spec::World world);

  Mutant Make(std::uint64_t seed, std::uint64_t index) const;

  // The same request judged again (after the minimiser changed it): expectation, rule, secrets.
  Mutant Judge(generators::Case c) const;

  const spec::Spec& spec() const { return spec_; }
  const spec::World& world() const { return world_; }
  std::size_t seed_count() const { return seeds_.size(); }

 private:
  struct Impl;
  struct Tables;
  const spec::Spec& spec_;
  std::shared_ptr<const Tables> tables_;
  std::vector<generators::Case> seeds_;
  std::vector<std::size_t> valid_seeds_;  // indices of seeds the spec accepts
  spec::World world_;
  std::vector<std::string> known_arns_;   // targets of the world, and a missing one on each gateway
};

// Values of the sensitive members of a JSON body (none when it is not a JSON object).
std::vector<std::string> SensitiveValues(const spec::Spec& spec, std::string_view body);

}  // namespace chapcheck::fuzz
