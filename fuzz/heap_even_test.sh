#!/bin/sh
# fuzz.heap-stays-even: fuzz_mock_http's inputs leave the heap with as many blocks as they found it
# (the buffers it keeps between inputs, evened by its ballast), so libFuzzer's leak re-runs stay
# rare: at most one input in a thousand makes more malloc than free calls. Without the ballast,
# one in twelve did. The other way round too: a ballast that freed more than the buffers grew
# would hide leaks of the code under test.
#   heap_even_test.sh FUZZ_MOCK_HTTP REGRESSIONS_DIR [RUNS]
set -u
bin=$1 runs=${3:-20000}
. "$(dirname "$0")/test_lib.sh"
fuzz_test_corpus heap-even "$2"
CHAPCHECK_FUZZ_COUNT_UNEVEN=1 "$bin" -runs="$runs" -seed=1 -max_len=4096 -artifact_prefix="$tmp/" "$tmp/corpus" \
  >"$tmp/log" 2>&1
status=$?
line=$(grep 'inputs made more malloc than free calls, [0-9]* more free calls' "$tmp/log")
if [ "$status" -ne 0 ] || [ -z "$line" ]; then
  echo "FAIL: the run ended with status $status, or printed no count; last lines:"
  tail -n 15 "$tmp/log"
  exit 1
fi
echo "$line"
uneven=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) of \([0-9]*\) inputs.*/\1/')
inputs=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) of \([0-9]*\) inputs.*/\2/')
more_frees=$(printf '%s\n' "$line" | sed 's/.*calls, \([0-9]*\) more free calls.*/\1/')
if [ "$inputs" -lt "$runs" ]; then
  echo "FAIL: $inputs inputs counted, fewer than the $runs runs asked for"
  exit 1
fi
if [ $((uneven * 1000)) -gt "$inputs" ]; then
  echo "FAIL: more than one input in a thousand made more malloc than free calls"
  exit 1
fi
if [ $((more_frees * 1000)) -gt "$inputs" ]; then
  echo "FAIL: more than one input in a thousand made more free than malloc calls"
  exit 1
fi
