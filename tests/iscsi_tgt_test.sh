#!/usr/bin/env bash
# The iSCSI probe against a real target: tgt's userspace tgtd on loopback (its own portal port
# and control port, a file-backed LUN in a temporary directory). Checks that the probe sees a
# CHAP login succeed, a wrong secret refused as an authentication failure (0x0201), mutual CHAP
# succeed with the right target secret and fail with a wrong one, and tgt's connection drops
# (tgtadm --op delete --mode conn) recorded as closed sessions.
# usage: iscsi_tgt_test.sh CHAPCHECK_BINARY      exit 77 (skipped) only when tgtd is not installed
set -u
chapcheck=$1
tgtd=$(command -v tgtd || echo /usr/sbin/tgtd)
tgtadm=$(command -v tgtadm || echo /usr/sbin/tgtadm)
[[ -x $tgtd && -x $tgtadm ]] || { echo "SKIP tgtd is not installed (scripts/bootstrap installs tgt)"; exit 77; }

tmp=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
# tgtd's control "port" names its IPC socket (/var/run/tgtd/socket.N): pick one nobody uses.
for ((n = 20000 + RANDOM % 20000; ; n++)); do [[ -e /var/run/tgtd/socket.$n ]] || break; done
ctl=$n
"$tgtd" -f --iscsi portal=127.0.0.1:$port -C $ctl >"$tmp/tgtd.log" 2>&1 &
TGTD=$!
adm() { "$tgtadm" -C $ctl --lld iscsi "$@"; }
stop_tgtd() {
  adm --op delete --mode target --tid 1 --force >/dev/null 2>&1
  adm --op delete --mode target --tid 2 --force >/dev/null 2>&1
  adm --op delete --mode system >/dev/null 2>&1
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 $TGTD 2>/dev/null || break; sleep 0.1; done
  kill -0 $TGTD 2>/dev/null && kill -9 $TGTD 2>/dev/null
  wait $TGTD 2>/dev/null
  rm -f /var/run/tgtd/socket.$ctl /var/run/tgtd/socket.$ctl.lock
  [[ -n ${HOLD:-} ]] && kill $HOLD 2>/dev/null
  rm -rf "$tmp"
}
trap stop_tgtd EXIT

for _ in $(seq 50); do adm --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done

t1=iqn.2026-11.test.chapcheck:one      # one-way CHAP
t2=iqn.2026-11.test.chapcheck:mutual   # CHAP both ways; the target answers as its IQN
ini=iqn.2026-11.test.chapcheck:initiator
export GOOD=goodsecret12 BAD=wrongsecret1 TSECRET=targetsecret1 TBAD=targetwrong12
dd if=/dev/zero of="$tmp/lun" bs=1M count=1 status=none
setup_ok=1
for tid in 1 2; do
  t=$t1; [[ $tid == 2 ]] && t=$t2
  adm --op new --mode target --tid $tid -T $t &&
    adm --op new --mode logicalunit --tid $tid --lun 1 -b "$tmp/lun" &&
    adm --op bind --mode target --tid $tid -I ALL || setup_ok=0
done
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
  output=$("$chapcheck" iscsi-probe login --portal 127.0.0.1:$port --initiator $ini --timeout-ms 5000 "$@" 2>&1)
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
"$chapcheck" iscsi-probe hold --portal 127.0.0.1:$port --target $t1 --initiator $ini --secret-env GOOD \
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
