#!/bin/sh
# fuzz.signer-fault-is-named: fuzz_mock_http names a signer fault as one, on both of its paths.
#   signer_fault_test.sh FUZZ_MOCK_HTTP SEED   (SEED: a structured input in the signed mode that
#   the mock accepts)
# CHAPCHECK_FUZZ_SIGN_AS=wrong-signature signs with a wrong secret while the harness expects what
# the mode byte says:
#   - signed mode: the mock refuses, the spec (judging by the mode) accepts; the harness verifies
#     only then, and names the signer;
#   - expired mode: the wrong signature gets the same answer as an expired one
#     (InvalidSignatureException), so the harness verifies first, and names the signer.
# Without the fault, both inputs pass.
set -u
bin=$1 seed=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chapcheck-signer-fault.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
{ printf '\005'; tail -c +2 "$seed"; } >"$tmp/expired"
fail=0
expect() {  # expect INPUT TEXT
  out=$(CHAPCHECK_FUZZ_SIGN_AS=wrong-signature "$bin" "$1" 2>&1)
  if ! printf '%s\n' "$out" | grep -q "$2"; then
    echo "FAIL: $1 with a wrong-secret signer: no '$2'"
    printf '%s\n' "$out" | tail -n 5
    fail=1
  fi
}
expect "$seed" 'signer and verifier disagree: mode signed expects valid, the verifier reads bad-signature'
expect "$tmp/expired" 'signer and verifier disagree: mode expired expects expired, the verifier reads bad-signature'
if ! "$bin" "$seed" "$tmp/expired" >"$tmp/clean.log" 2>&1; then
  echo "FAIL: without the fault the inputs do not pass"
  tail -n 5 "$tmp/clean.log"
  fail=1
fi
[ "$fail" = 0 ] && echo "both paths name the signer"
exit "$fail"
