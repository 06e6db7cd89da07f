#!/usr/bin/env bash
# fuzz/coverage_ignorelist_test.sh BINARY...: fuzz/coverage_ignorelist.txt took effect in these
# libFuzzer binaries. In each, no library function (libstdc++, Boost, nlohmann/json: the list's
# "fun:" lines) calls a coverage hook (__sanitizer_cov_trace_*), and some chapcheck function in
# one of them does (the iSCSI code keeps its hooks: so the check would see instrumentation where
# there is some). Fails, naming the functions, when a build compiled the
# libraries with coverage: a list clang does not apply (a "src:" pattern for headers matches
# nothing), a flag that went missing, or a stale object from a compiler cache.
# It also checks the text files of fuzz/CMakeLists.txt (compiled without trace-cmp, edges kept):
# the functions text_re names, in each binary that has them, carry no trace-cmp hook and have a
# function-entry PC in the binary's coverage PC table (__sancov_pcs).
#   OBJDUMP=objdump   the objdump to read them with (CMake passes CMAKE_OBJDUMP)
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BINARY..." >&2; exit 2; }
objdump=${OBJDUMP:-objdump}
command -v "$objdump" >/dev/null || { echo "FAIL: $objdump not found (binutils): cannot read the binaries" >&2; exit 2; }
# Library functions, by the same grammar as the list: std (St or an abbreviation), __gnu_cxx,
# boost, nlohmann; with qualifiers; and entities local to them (_ZZ); Asio's C helpers.
library_re=' <_ZZ?(N[KRO]?[KRO]?)?(St|S[abdios]|9__gnu_cxx|5boost|8nlohmann)| <boost_asio_'
# Functions of the text files: the JSON scanner, the verdict, the SigV4 verifier, the UTF-8
# reader, the JUnit writer's XML escaping.
text_re='_ZN9chapcheck(4spec8ScanJson|4spec6Decide|5sigv46Verify|4utf810SequenceAt|7reports7XmlSafe)'
# uncovered BINARY "ADDR SIZE NAME"...: the NAMEs with no function-entry PC (flag 1) in
# [ADDR, ADDR + SIZE) of the binary's __sancov_pcs table (pairs of 8-byte PC and flags).
uncovered() {
  local bin=$1
  shift
  "$objdump" -s -j __sancov_pcs "$bin" | python3 -c '
import re, sys
data = bytearray()
for line in sys.stdin:
    m = re.match(r"^ [0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})", line)
    if m:
        data += bytes.fromhex("".join(m.group(1).split()))
entries = [int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data) - 15, 16)
           if int.from_bytes(data[i + 8:i + 16], "little") & 1]
for function in sys.argv[1:]:
    addr, size, name = function.split()
    lo, hi = int(addr, 16), int(addr, 16) + int(size, 16)
    if not any(lo <= pc < hi for pc in entries):
        print(name)
' "$@"
}
status=0
own_total=0
for bin in "$@"; do
  [[ -x "$bin" ]] || { echo "FAIL: $bin is not an executable" >&2; status=1; continue; }
  # Per function (mangled name): how many calls to __sanitizer_cov_trace_* it makes (any hook,
  # for the library check), and how many of them are trace-cmp's (comparisons and switches: the
  # text files' check; their indirect-call hooks, trace_pc_indir, stay).
  disassembly=$("$objdump" -d --no-show-raw-insn "$bin")
  counts=$(awk '/^[0-9a-f]+ <.*>:$/ { fn = $2; next } /call.*<__sanitizer_cov_trace_/ { n[fn]++ }
                END { for (f in n) print n[f], f }' <<<"$disassembly")
  cmp_counts=$(awk '/^[0-9a-f]+ <.*>:$/ { fn = $2; next }
                    /call.*<__sanitizer_cov_trace_(const_)?cmp|call.*<__sanitizer_cov_trace_switch/ { n[fn]++ }
                    END { for (f in n) print n[f], f }' <<<"$disassembly")
  library=$(grep -E "$library_re" <<<"$counts" || true)
  own=$(grep -cE ' <_ZZ?(N[KRO]?[KRO]?)?9chapcheck' <<<"$counts" || true)
  own_total=$((own_total + own))
  if [[ -n "$library" ]]; then
    echo "FAIL: $(basename "$bin"): $(wc -l <<<"$library") library functions carry coverage hooks, e.g.:" >&2
    head -n 5 < <(sort -rn <<<"$library") | cut -c1-160 >&2
    status=1
  else
    echo "ok: $(basename "$bin"): no library function carries coverage hooks; $own chapcheck functions do"
  fi
  hooked=$(grep -E " <$text_re" <<<"$cmp_counts" || true)
  mapfile -t text < <("${NM:-nm}" -S "$bin" | awk '$3 == "T" || $3 == "t" { print $1, $2, $4 }' | grep -E " $text_re" || true)
  missing=$( ((${#text[@]} == 0)) || uncovered "$bin" "${text[@]}")
  if [[ -n "$hooked" ]]; then
    echo "FAIL: $(basename "$bin"): functions of the text files carry trace-cmp hooks:" >&2
    cut -c1-160 <<<"$hooked" >&2
    status=1
  fi
  if [[ -n "$missing" ]]; then
    echo "FAIL: $(basename "$bin"): functions of the text files have no coverage (not in the PC table):" >&2
    cut -c1-160 <<<"$missing" >&2
    status=1
  fi
  if [[ -z "$hooked" && -z "$missing" ]]; then
    echo "ok: $(basename "$bin"): ${#text[@]} functions of the text files have edges and no trace-cmp hook"
  fi
done
# The binary parsers (iSCSI) keep their hooks: with none anywhere, the reading above saw nothing.
if [[ "$own_total" -eq 0 ]]; then
  echo "FAIL: no chapcheck function in these binaries carries a coverage hook (not a fuzz build?)" >&2
  status=1
fi
exit $status
