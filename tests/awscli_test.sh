#!/usr/bin/env bash
# The official AWS CLI (Debian's awscli, unchanged) against `chapcheck mock`:
#   - update-chap-credentials succeeds and prints the echo;
#   - an 11-byte secret gets InvalidGatewayRequestException with errorCode InvalidParameters;
#   - a wrong secret key gets the signature error;
#   - describe-chap-credentials shows what was stored;
#   - the mock stops cleanly on SIGTERM.
# usage: awscli_test.sh CHAPCHECK_BINARY
set -u
chapcheck=$1
aws=/usr/bin/aws
if [[ ! -x $aws ]]; then
  echo "SKIP: Debian's awscli is not installed (scripts/bootstrap installs it)"
  exit 77
fi
tmp=$(mktemp -d)
mock_pid=
cleanup() {
  [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# MOCK_ARGS (e.g. "--defect no-echo") lets a person watch this test fail against a broken mock.
# shellcheck disable=SC2086
"$chapcheck" mock --listen 127.0.0.1:0 ${MOCK_ARGS:-} >"$tmp/mock.out" 2>&1 &
mock_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$tmp/mock.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^chapcheck mock: listening on //p' "$tmp/mock.out" | head -1)
[[ -n $url ]] || { echo "FAIL: the mock did not say where it listens"; cat "$tmp/mock.out"; exit 1; }

export HOME=$tmp AWS_CONFIG_FILE=$tmp/none AWS_SHARED_CREDENTIALS_FILE=$tmp/none AWS_PAGER="" \
  AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
arn='arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B/target/iqn.1997-05.com.amazon:myvolume'
iqn='iqn.1991-05.com.microsoft:computername.domain.example.com'
# shellcheck source=tests/check.sh
source "$(dirname "$0")/check.sh"
update() {
  "$aws" storagegateway update-chap-credentials --endpoint-url "$url" --output json \
    --target-arn "$arn" --initiator-name "$iqn" "$@"
}

out=$(update --secret-to-authenticate-initiator 333333333333 --secret-to-authenticate-target 444444444444 2>&1)
rc=$?
echo "$out" | /usr/bin/python3 -c "
import json, sys
j = json.load(sys.stdin)
assert j == {'TargetARN': '$arn', 'InitiatorName': '$iqn'}, j" >/dev/null 2>&1
check "update-chap-credentials succeeds and prints the echo" $(( rc != 0 || $? != 0 )) "$out"

out=$("$aws" storagegateway describe-chap-credentials --endpoint-url "$url" --output json --target-arn "$arn" 2>&1)
echo "$out" | /usr/bin/python3 -c "
import json, sys
c = [x for x in json.load(sys.stdin)['ChapCredentials'] if x['InitiatorName'] == '$iqn'][0]
assert c['SecretToAuthenticateInitiator'] == '333333333333' and c['SecretToAuthenticateTarget'] == '444444444444'" >/dev/null 2>&1
check "describe-chap-credentials shows the stored secrets" $? "$out"

out=$(update --secret-to-authenticate-initiator 11111111111 --debug 2>&1)
rc=$?
grep -q "An error occurred (InvalidGatewayRequestException)" <<<"$out" && grep -Eq '"errorCode": ?"InvalidParameters"' <<<"$out"
check "an 11-byte secret: InvalidGatewayRequestException, errorCode InvalidParameters" $(( rc == 0 || $? != 0 )) "$(grep -E 'error|Response body' <<<"$out")"

out=$(AWS_SECRET_ACCESS_KEY=not-the-right-secret update --secret-to-authenticate-initiator 555555555555 2>&1)
rc=$?
grep -q "InvalidSignatureException" <<<"$out"
check "a wrong secret key: the signature error" $(( rc == 0 || $? != 0 )) "$out"

out=$(AWS_ACCESS_KEY_ID=AKIAUNKNOWN000000000 update --secret-to-authenticate-initiator 555555555555 2>&1)
rc=$?
grep -q "UnrecognizedClientException" <<<"$out"
check "an unknown access key: UnrecognizedClientException" $(( rc == 0 || $? != 0 )) "$out"

kill -TERM "$mock_pid"
wait "$mock_pid"
rc=$?
mock_pid=
grep -q "chapcheck mock: stopped (SIGTERM)" "$tmp/mock.out"
check "the mock stops cleanly on SIGTERM" $(( rc != 0 || $? != 0 )) "$(cat "$tmp/mock.out")"

finish
