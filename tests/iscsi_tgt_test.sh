#!/usr/bin/env bash
# The iSCSI probe against a real target: tgt's userspace tgtd on loopback (its own portal port
# and control port, a file-backed LUN in a temporary directory). Checks that the probe sees a
# CHAP login succeed, a wrong secret refused as an authentication failure (0x0201), mutual CHAP
# succeed with the right target secret and fail with a wrong one, and tgt's connection drops
# (tgtadm --op delete --mode conn) recorded as closed sessions.
# usage: iscsi_tgt_test.sh CHAPCHECK_BINARY      exit 77 (skipped) only when tgtd is not installed
set -u
chapcheck=$1
tmp=$(mktemp -d)
# shellcheck source=tests/tgt_lib.sh
source "$(dirname "$0")/tgt_lib.sh"
tgt_cleanup_extra() { [[ -n ${HOLD:-} ]] && kill $HOLD 2>/dev/null; }

t1=iqn.2026-11.test.chapcheck:one      # one-way CHAP
t2=iqn.2026-11.test.chapcheck:mutual   # CHAP both ways; the target answers as its IQN
ini=iqn.2026-11.test.chapcheck:initiator
export GOOD=goodsecret12 BAD=wrongsecret1 TSECRET=targetsecret1 TBAD=targetwrong12
setup_ok=1
new_target 1 $t1 && new_target 2 $t2 || setup_ok=0
adm --op new --mode account --user $ini --password $GOOD &&
  adm --op bind --mode account --tid 1 --user $ini &&
  adm --op bind --mode account --tid 2 --user $ini &&
  adm --op new --mode account --user $t2 --password $TSECRET &&
  adm --op bind --mode account --tid 2 --user $t2 --outgoing || setup_ok=0
[[ $setup_ok == 1 ]] || { echo "FAIL tgtd setup"; cat "$tmp/tgtd.log"; exit 1; }

pass=0 fail=0
expect() {  # expect NAME EXIT PATTERN -- probe args
  local name=$1 want_rc=$2 pattern=$3
  shift 4
  local output rc
  output=$("$chapcheck" iscsi-probe login --portal 127.0.0.1:$tgt_port --initiator $ini --timeout-ms 5000 "$@" 2>&1)
  rc=$?
  if [[ $rc == "$want_rc" ]] && grep -q -- "$pattern" <<<"$output"; then
    pass=$((pass + 1)); echo "ok   $name: $output"
  else
    fail=$((fail + 1)); echo "FAIL $name (exit $rc, want $want_rc and /$pattern/): $output"
  fi
  if grep -q -e "$GOOD" -e "$BAD" -e "$TSECRET" -e "$TBAD" <<<"$output"; then
    fail=$((fail + 1)); echo "FAIL $name: the output shows a secret"
  fi
}
expect chap-login-ok 0 "login: ok" -- --target $t1 --secret-env GOOD
expect wrong-secret-auth-failure 1 "auth failure (login status 0x0201)" -- --target $t1 --secret-env BAD
expect no-chap-refused 1 "login status 0x0201" -- --target $t1
expect mutual-chap-ok 0 "login: ok" -- --target $t2 --secret-env GOOD --target-secret-env TSECRET
expect mutual-wrong-target-secret 1 "target failed to authenticate" -- --target $t2 --secret-env GOOD --target-secret-env TBAD
expect mutual-not-offered-by-target 1 "login: " -- --target $t1 --secret-env GOOD --target-secret-env TSECRET
expect unknown-target-refused 1 "refused (login status 0x0203)" -- --target iqn.2026-11.test.chapcheck:nosuch --secret-env GOOD

# Drops: hold three sessions, let tgt delete their connections, and see each recorded as closed.
"$chapcheck" iscsi-probe hold --portal 127.0.0.1:$tgt_port --target $t1 --initiator $ini --secret-env GOOD \
  --sessions 3 --seconds 20 >"$tmp/hold" 2>&1 &
HOLD=$!
for _ in $(seq 100); do grep -q "^open " "$tmp/hold" && break; sleep 0.05; done
dropped=0
while read -r sid cid; do
  adm --op delete --mode conn --tid 1 --sid "$sid" --cid "$cid" && dropped=$((dropped + 1))
done < <(adm --op show --mode conn --tid 1 | awk '/^Session:/ {s=$2} /Connection:/ {print s, $2}')
wait $HOLD; hold_rc=$?; HOLD=
if [[ $hold_rc == 0 && $dropped == 3 ]] && grep -q "^open 3 " "$tmp/hold" && grep -q "^closed 3 of 3, still open 0" "$tmp/hold"; then
  pass=$((pass + 1)); echo "ok   drops-recorded: tgt dropped $dropped; $(tail -1 "$tmp/hold")"
else
  fail=$((fail + 1)); echo "FAIL drops-recorded (exit $hold_rc, tgt dropped $dropped):"; cat "$tmp/hold"
fi
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
