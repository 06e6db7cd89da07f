// LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver for the request targets (fuzz_mock_http,
// fuzz_spec_verdict): fuzz/request_mutator.h on the spec compiled into the binary, falling back
// to libFuzzer's own mutations for what is not a structured JSON request. Linked only into the
// libFuzzer builds (the replay builds have no LLVMFuzzerMutate).
#include <cstddef>
#include <cstdint>

#include "fuzz/request_mutator.h"
#include "spec/loader.h"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

const chapcheck::fuzz::RequestMutator& Mutator() {
  static const chapcheck::fuzz::RequestMutator mutator(chapcheck::spec::EmbeddedSpec());
  return mutator;
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  return Mutator().Mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2,
                                                 std::size_t size2, std::uint8_t* out, std::size_t max_out_size,
                                                 unsigned int seed) {
  return Mutator().CrossOver(std::string_view(reinterpret_cast<const char*>(data1), size1),
                             std::string_view(reinterpret_cast<const char*>(data2), size2), out, max_out_size, seed);
}
