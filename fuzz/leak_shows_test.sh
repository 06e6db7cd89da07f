#!/bin/sh
# fuzz.leak-still-shows: a block leaked in every input (CHAPCHECK_FUZZ_INJECT_LEAK=1, as a leaking
# mock would) is still found by libFuzzer and LeakSanitizer, whatever fuzz_mock_http's ballast
# evens out for its own buffers.
#   leak_shows_test.sh FUZZ_MOCK_HTTP REGRESSIONS_DIR
set -u
bin=$1
. "$(dirname "$0")/test_lib.sh"
fuzz_test_corpus leak-shows "$2"
CHAPCHECK_FUZZ_INJECT_LEAK=1 "$bin" -runs=2000 -seed=1 -max_len=4096 -artifact_prefix="$tmp/" "$tmp/corpus" \
  >"$tmp/log" 2>&1
status=$?
if [ "$status" -eq 0 ] || ! grep -q 'ERROR: LeakSanitizer: detected memory leaks' "$tmp/log"; then
  echo "FAIL: a leak in every input was not reported (status $status); last lines:"
  tail -n 15 "$tmp/log"
  exit 1
fi
echo "the injected leak was reported (status $status)"
