#!/bin/sh
# fuzz.kept-buffers-match-fresh: fuzz_mock_http with CHAPCHECK_FUZZ_CHECK_REUSE=1 sends each of
# 10,000 fuzzed inputs through fresh objects too, and aborts when the kept buffers wrote other
# bytes, or read or answered otherwise (a reuse fault the differential cannot see).
#   reuse_check_test.sh FUZZ_MOCK_HTTP REGRESSIONS_DIR [RUNS]
set -u
bin=$1 runs=${3:-10000}
. "$(dirname "$0")/test_lib.sh"
fuzz_test_corpus reuse-check "$2"
if ! CHAPCHECK_FUZZ_CHECK_REUSE=1 "$bin" -runs="$runs" -seed=1 -max_len=4096 -artifact_prefix="$tmp/" "$tmp/corpus" \
     >"$tmp/log" 2>&1; then
  echo "FAIL: a finding; last lines:"
  grep -m 3 'fuzz_mock_http:' "$tmp/log"
  tail -n 15 "$tmp/log"
  exit 1
fi
grep -E '^Done [0-9]+ runs' "$tmp/log" || { echo "FAIL: the run did not finish"; tail -n 15 "$tmp/log"; exit 1; }
