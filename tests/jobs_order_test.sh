#!/usr/bin/env bash
# The reports do not depend on how the cases were run: `chapcheck run` against the built-in mock
# with one job, and with four jobs in a shuffled order, list the same JUnit test cases in the same
# order (case order), with the same outcomes.
# usage: jobs_order_test.sh CHAPCHECK_BINARY
set -u
chapcheck=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Each test case of junit.xml: name, classname, and whether it failed or was skipped.
cases() {
  tr -d '\n' <"$1" | sed -E 's/>[[:space:]]+</></g' | grep -o '<testcase [^>]*>\(<failure\|<skipped\)\?' | sed -E 's/ time="[^"]*"//'
}
"$chapcheck" run --defect secret-max-17 --report-dir "$tmp/one" >"$tmp/one.out" 2>&1
rc1=$?
"$chapcheck" run --defect secret-max-17 --jobs 4 --gtest_shuffle --report-dir "$tmp/four" >"$tmp/four.out" 2>&1
rc4=$?
one=$(cases "$tmp/one/junit.xml")
four=$(cases "$tmp/four/junit.xml")
if [[ $rc1 == 1 && $rc4 == 1 && -n $one && $one == "$four" ]] && grep -q "<failure" <<<"$one"; then
  echo "ok   $(wc -l <<<"$one") JUnit test cases, in the same order with the same outcomes (exit 1 both times)"
  exit 0
fi
echo "FAIL: exit $rc1 and $rc4; first difference:"
diff <(echo "$one") <(echo "$four") | head -5
exit 1
