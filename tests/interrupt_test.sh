#!/usr/bin/env bash
# Ctrl-C during `chapcheck run` against a separately started `chapcheck mock`: SIGINT (by PID)
# while the run is changing credentials must stop it with exit 130, say what it restored, write
# partial reports (the JUnit file still valid), and leave the target's CHAP credentials exactly as
# they were before the run, as the AWS CLI's describe-chap-credentials sees them.
# usage: interrupt_test.sh CHAPCHECK_BINARY
set -u
chapcheck=$1
# shellcheck source=tests/mock_for_awscli.sh
. "$(dirname "$0")/mock_for_awscli.sh"
need_awscli
tmp=$(mktemp -d)
mock_pid=
run_pid=
cleanup() {
  [[ -n $run_pid ]] && kill -KILL "$run_pid" 2>/dev/null
  [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

start_mock
aws_env
describe() {  # the target's credentials, sorted, secrets included (compared, never printed)
  "$aws" storagegateway describe-chap-credentials --endpoint-url "$url" --output json --target-arn "$arn" |
    /usr/bin/python3 -c 'import json, sys; print(json.dumps(sorted(json.load(sys.stdin)["ChapCredentials"], key=json.dumps), sort_keys=True))'
}
passed=0
failed=0
check() {  # check NAME STATUS DETAIL
  if [[ $2 == 0 ]]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); echo "FAIL $1"; echo "$3" | sed 's/^/     /' | head -20
  fi
}

before=$(describe)
[[ -n $before ]] || { echo "FAIL: describe-chap-credentials against the mock"; exit 1; }

# Repeated long enough that only the signal ends it; two jobs. (The examples name a gateway the
# ARNs given here do not describe, so they are left out.)
"$chapcheck" run --endpoint "$url" --target-arn "$arn" --disruptive --jobs 2 --filter '*-example.*' \
  --gtest_repeat=100000 --report-dir "$tmp/reports" >"$tmp/run.out" 2>&1 &
run_pid=$!
changed=1
for _ in $(seq 1 200); do
  [[ $(describe) != "$before" ]] && { changed=0; break; }
  sleep 0.05
done
check "the run changed the target's credentials while it ran" $changed "$(cat "$tmp/run.out")"
kill -INT "$run_pid"
wait "$run_pid"
rc=$?
run_pid=
out=$(cat "$tmp/run.out")
check "SIGINT: exit 130" $(( rc != 130 )) "exit $rc; $out"
grep -q "stopping: no new cases" <<<"$out"
check "it says it is stopping" $? "$out"
grep -q "^restored: credentials" <<<"$out" && grep -q "^note: interrupted by SIGINT" <<<"$out"
check "it says what it restored, and that the reports are partial" $? "$out"
check "the credentials equal those before the run" $(( $(describe | cksum | cut -d' ' -f1) != $(cksum <<<"$before" | cut -d' ' -f1) )) \
  "(secrets not shown)"
xmllint --noout --schema "$(dirname "$0")/data/junit/junit.xsd" "$tmp/reports/junit.xml" 2>/dev/null &&
  [[ -s $tmp/reports/index.html && -s $tmp/reports/summary.md ]]
check "the partial reports are written, junit.xml valid" $? "$(ls -l "$tmp/reports" 2>&1)"

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
