#!/usr/bin/env bash
# chapcheck fuzz finds every defect switch that shows on the wire. Against the clean built-in mock
# a short run has no finding and its junit.xml validates; then, two at a time, one run per
# control-plane defect with --stop-on the check expected to catch it must report that check (a
# should-level finding for a should clause), and the reproducer of an accepted_iff_valid finding
# must replay as a failure against the same defect. The data-plane defects change only iSCSI
# connections, which HTTP alone cannot see: they are listed, not run. A defect missing from the
# table below fails the test, so a new switch gets an expectation. Also: exit 2 on a bad flag, 3
# for an unreachable endpoint, and --corpus loads generated cases and saves new ones.
# usage: fuzz_defects.sh CHAPCHECK_BINARY
set -u
chapcheck=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data_plane=" keep-connections drop-on-reject drop-other-targets drop-only-updated-initiator drop-late keep-old-secrets ignore-target-secret "
declare -A expect=(
  [secret-max-17]=accepted_iff_valid [secret-min-11]=accepted_iff_valid
  [secret-counts-characters]=accepted_iff_valid [iqn-rejects-colon]=accepted_iff_valid
  [iqn-allows-uppercase]=accepted_iff_valid [equal-secrets-accepted]=accepted_iff_valid
  [arn-not-validated]=error_code [lookup-before-validation]=error_code
  [legacy-prefix-rejected]=accepted_iff_valid [wrong-error-code]=error_code [wrong-status]=status_code
  [malformed-json-invalid-parameters]=error_type [namespaced-error-type]=error_envelope
  [no-error-code]=error_code [no-message]=error_envelope [no-request-id]=request_id
  [wrong-content-type]=content_type [no-echo]=echo [echo-secret]=no_secret_in_response
  [secret-in-error-message]=no_secret_in_response [no-auth]=accepted_iff_valid
  [ignore-signature]=accepted_iff_valid [no-clock-skew-check]=accepted_iff_valid
  [partial-update]=rejected_changes_nothing [unknown-target-created]=accepted_iff_valid
  [offline-gateway-accepted]=accepted_iff_valid
)
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

# Clean: no finding, a valid JUnit file with one test case per check.
out=$("$chapcheck" fuzz --duration 5s --seed 11 --report-dir "$tmp/clean" 2>&1); rc=$?
if [[ $rc == 0 ]] && grep -q "^0 findings, 0 should-level" <<<"$out" &&
   xmllint --noout --schema "$(dirname "$0")/data/junit/junit.xsd" "$tmp/clean/junit.xml" 2>/dev/null &&
   grep -q '<testcase name="accepted_iff_valid"' "$tmp/clean/junit.xml" && [[ -s $tmp/clean/summary.md ]]; then
  ok "clean mock: $(grep -o '^chapcheck fuzz: [0-9]* requests' <<<"$out" | cut -d' ' -f3) requests, no finding, junit.xml validates"
else
  bad "clean mock (exit $rc)"; tail -20 <<<"$out"
fi

run_defect() {  # defect check -> writes $tmp/$defect.out and .rc
  "$chapcheck" fuzz --duration 5s --stop-on "$2" --defect "$1" --report-dir "$tmp/$1" >"$tmp/$1.out" 2>&1
  echo $? >"$tmp/$1.rc"
}
defects=()
for defect in $("$chapcheck" mock --list-defects | grep -v '^ '); do
  if [[ $data_plane == *" $defect "* ]]; then
    printf '%-36s %s\n' "$defect" "(data plane: not observable over HTTP alone)"
  elif [[ -z ${expect[$defect]:-} ]]; then
    bad "$defect: no expected check in this test's table"
  else
    defects+=("$defect")
  fi
done
for ((i = 0; i < ${#defects[@]}; i += 2)); do
  run_defect "${defects[i]}" "${expect[${defects[i]}]}" &
  first=$!
  if ((i + 1 < ${#defects[@]})); then run_defect "${defects[i + 1]}" "${expect[${defects[i + 1]}]}"; fi
  wait "$first"
done
for defect in "${defects[@]}"; do
  check=${expect[$defect]}
  rc=$(cat "$tmp/$defect.rc")
  line=$(grep -E "^(FINDING|SHOULD ) $check: " -A2 "$tmp/$defect.out" | head -3)
  repro=$(sed -n 's/^ *chapcheck replay //p' <<<"$line")
  if [[ -z $line || $rc -gt 1 ]]; then
    bad "$defect: no $check finding (exit $rc)"; tail -5 "$tmp/$defect.out"; continue
  fi
  if [[ $line == FINDING* ]]; then
    # The minimised reproducer shows the failure again against the same defect.
    "$chapcheck" replay "$repro" --defect "$defect" >"$tmp/$defect.replay" 2>&1; replay_rc=$?
    # (replay compares the decision, status, type and code; it judges none of the other checks)
    if [[ $check == accepted_iff_valid && $replay_rc != 1 ]]; then
      bad "$defect: the reproducer $repro replays with exit $replay_rc"; cat "$tmp/$defect.replay"; continue
    fi
  fi
  ok "$(printf '%-34s %s' "$defect" "${line%%:*} $(grep -o 'in [0-9]* ms' "$tmp/$defect.out")")"
done

# Exit codes, and the corpus.
"$chapcheck" fuzz --duration 5x >/dev/null 2>&1; [[ $? == 2 ]] && ok "bad --duration: exit 2" || bad "bad --duration"
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x "$chapcheck" fuzz --endpoint http://127.0.0.1:1 --target-arn arn:x \
  --duration 1s >/dev/null 2>&1
[[ $? == 3 ]] && ok "unreachable endpoint: exit 3" || bad "unreachable endpoint"
"$chapcheck" generate --out "$tmp/corpus" >/dev/null
out=$("$chapcheck" fuzz --max-requests 3000 --corpus "$tmp/corpus" --report-dir "$tmp/c" 2>&1); rc=$?
saved=$(sed -n 's/^corpus: \([0-9]*\) new.*/\1/p' <<<"$out")
if [[ $rc == 0 && ${saved:-0} -gt 0 && $(wc -l <"$tmp/corpus/fuzz-seed1.jsonl") == "$saved" ]]; then
  ok "corpus: generated cases loaded, $saved new requests saved"
else
  bad "corpus (exit $rc)"; tail -5 <<<"$out"
fi
echo
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
