// Findings of the black-box fuzzer: deduplicated by (check, rule), so that one broken clause is
// one finding however many requests hit it, and minimised: the first request that showed it is
// shrunk (members dropped, values shortened, extra headers dropped) for as long as the same check
// still fails for the same rule.
// FindingSet is not synchronised: the caller serialises access. Shrink() and Minimise() are pure
// apart from the oracle they call; any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conformance/checks.h"
#include "conformance/client.h"
#include "fuzz/mutations.h"

namespace chapcheck::fuzz {

struct FindingKey {
  std::string check;  // the check that failed
  std::string rule;   // the spec rule that decided the request ("" when the spec accepts it)
  auto operator<=>(const FindingKey&) const = default;
};

struct FuzzFinding {
  FindingKey key;
  conformance::Status status = conformance::Status::kFail;  // kFail, or kShould for should-level clauses
  Mutant first;                   // the request that showed it first (lowest index)
  std::uint64_t index = 0;        // its index in the sequence
  conformance::Finding finding;   // what the check said
  conformance::Exchange exchange;
  std::uint64_t hits = 0;         // requests that showed it
};

class FindingSet {
 public:
  // Records a hit; keeps the one with the lowest index as the example. True when the key is new.
  bool Add(FuzzFinding f);
  const std::map<FindingKey, FuzzFinding>& all() const { return findings_; }
  std::size_t size() const { return findings_.size(); }
  // Must-level findings only (should-level ones are reported but are not failures).
  std::size_t failures() const;

 private:
  std::map<FindingKey, FuzzFinding> findings_;
};

// Smaller variants of a request, smallest steps last: each member dropped, each string value
// halved and shortened by one character, each header the protocol does not need dropped.
std::vector<spec::Request> Shrink(const spec::Spec& spec, const spec::Request& request);

// Shrinks `start` while `still_fails` holds for the re-judged candidate, trying at most `budget`
// candidates. `still_fails` gets a candidate whose expectation the Mutator recomputed.
Mutant Minimise(const Mutator& mutator, Mutant start, const std::function<bool(const Mutant&)>& still_fails, int budget);

}  // namespace chapcheck::fuzz
