#!/usr/bin/env bash
# fuzz/coverage_ignorelist_test.sh BINARY...: fuzz/coverage_ignorelist.txt took effect in these
# libFuzzer binaries. In each, no library function (libstdc++, Boost, nlohmann/json: the list's
# "fun:" lines) calls a trace-cmp hook, and chapcheck's own functions do (so the check would
# see instrumentation where there is some). Fails, naming the functions, when a build compiled the
# libraries with coverage: a list clang does not apply (a "src:" pattern for headers matches
# nothing), a flag that went missing, or a stale object from a compiler cache.
#   OBJDUMP=objdump   the objdump to read them with (CMake passes CMAKE_OBJDUMP)
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BINARY..." >&2; exit 2; }
objdump=${OBJDUMP:-objdump}
command -v "$objdump" >/dev/null || { echo "FAIL: $objdump not found (binutils): cannot read the binaries" >&2; exit 2; }
# Library functions, by the same grammar as the list: std (St or an abbreviation), __gnu_cxx,
# boost, nlohmann; with qualifiers; and entities local to them (_ZZ); Asio's C helpers.
library_re=' <_ZZ?(N[KRO]?[KRO]?)?(St|S[abdios]|9__gnu_cxx|5boost|8nlohmann)| <boost_asio_'
status=0
for bin in "$@"; do
  [[ -x "$bin" ]] || { echo "FAIL: $bin is not an executable" >&2; status=1; continue; }
  # Per function (mangled name): how many calls to __sanitizer_cov_trace_* it makes.
  counts=$("$objdump" -d --no-show-raw-insn "$bin" |
    awk '/^[0-9a-f]+ <.*>:$/ { fn = $2; next } /call.*<__sanitizer_cov_trace_/ { n[fn]++ }
         END { for (f in n) print n[f], f }')
  library=$(grep -E "$library_re" <<<"$counts" || true)
  own=$(grep -cE ' <_ZZ?(N[KRO]?[KRO]?)?9chapcheck' <<<"$counts" || true)
  if [[ -n "$library" ]]; then
    echo "FAIL: $(basename "$bin"): $(wc -l <<<"$library") library functions carry trace-cmp hooks, e.g.:" >&2
    head -n 5 < <(sort -rn <<<"$library") | cut -c1-160 >&2
    status=1
  elif [[ "$own" -eq 0 ]]; then
    echo "FAIL: $(basename "$bin"): no chapcheck function carries a trace-cmp hook (not a fuzz build?)" >&2
    status=1
  else
    echo "ok: $(basename "$bin"): no library function instrumented; $own chapcheck functions are"
  fi
done
exit $status
