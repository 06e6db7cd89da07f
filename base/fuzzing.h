// CHAPCHECK_NO_COVERAGE: marks a function whose comparisons are only loop bounds over bytes it
// copies, skips or transforms by table (hex encoding, lower-casing, runs of plain bytes), with no
// branch whose outcome the fuzzer could use. In the libFuzzer builds such a function is compiled
// without coverage instrumentation: its edges and trace-cmp hooks tell the fuzzer nothing (libFuzzer
// keeps 1- and 2-byte comparisons only for -use_value_profile, which chapcheck does not use), yet
// they ran once per byte of every input. Its callers stay instrumented, so the branches on what it
// returns still count. AddressSanitizer and UBSan still check it.
// It is also noinline: the coverage pass runs after inlining, so a function inlined into an
// instrumented caller would be instrumented as part of it, attribute or not.
// Under g++ the macro is empty; under clang without -fsanitize-coverage there is nothing to remove
// (it then only keeps the function out of line).
#pragma once

#if defined(__clang__)
#define CHAPCHECK_NO_COVERAGE __attribute__((no_sanitize("coverage"), noinline))
#else
#define CHAPCHECK_NO_COVERAGE
#endif
