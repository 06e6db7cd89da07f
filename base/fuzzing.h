// CHAPCHECK_NO_COVERAGE: marks a function whose comparisons are only loop bounds over bytes it
// copies or transforms by table (hex encoding, lower-casing), with no branch that depends on the
// input. In the libFuzzer builds such a function is compiled without coverage instrumentation:
// its edges and trace-cmp hooks tell the fuzzer nothing, yet they ran once per byte of every
// input. AddressSanitizer and UBSan still check it. Under g++ the macro is empty; under clang
// without -fsanitize-coverage the attribute has nothing to remove.
#pragma once

#if defined(__clang__)
#define CHAPCHECK_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define CHAPCHECK_NO_COVERAGE
#endif
