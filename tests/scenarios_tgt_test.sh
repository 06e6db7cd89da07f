#!/usr/bin/env bash
# The connection scenarios end to end against a real iSCSI target: tgtd on loopback serves two
# targets, and tests/tgt_gateway.py stands in for the gateway's control plane (it applies
# UpdateChapCredentials to tgt's accounts and drops the target's connections before answering).
# `chapcheck run --iscsi-portal ... --disruptive` (no cases, scenarios only) must pass all seven
# connection checks; with the double's keep-connections defect the drop checks must fail.
# usage: scenarios_tgt_test.sh CHAPCHECK_BINARY     exit 77 (skipped) only when tgtd is not installed
set -u
chapcheck=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
# shellcheck source=tests/tgt_lib.sh
source "$here/tgt_lib.sh"
tgt_cleanup_extra() { [[ -n ${GATEWAY:-} ]] && kill $GATEWAY 2>/dev/null && wait $GATEWAY 2>/dev/null; }

gw=arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-12A3456B
t1=iqn.1997-05.com.amazon:myvolume
t2=iqn.1997-05.com.amazon:othervolume
new_target 1 $t1 && new_target 2 $t2 || { echo "FAIL tgtd setup"; cat "$tmp/tgtd.log"; exit 1; }
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
unset AWS_SESSION_TOKEN AWS_PROFILE

start_gateway() {  # start_gateway [--defect NAME]
  "$here/tgt_gateway.py" --ctl $tgt_ctl --target 1=$t1 --target 2=$t2 "$@" >"$tmp/gateway.out" 2>&1 &
  GATEWAY=$!
  for _ in $(seq 100); do grep -q "^listening " "$tmp/gateway.out" && break; sleep 0.05; done
  gw_port=$(awk '/^listening/ {print $2}' "$tmp/gateway.out")
}
stop_gateway() { kill $GATEWAY 2>/dev/null; wait $GATEWAY 2>/dev/null; GATEWAY=; }
run_scenarios() {  # output of chapcheck run, scenarios only
  "$chapcheck" run --endpoint http://127.0.0.1:$gw_port --target-arn $gw/target/$t1 --other-target-arn $gw/target/$t2 \
    --iscsi-portal 127.0.0.1:$tgt_port --disruptive --drop-deadline 2000 --filter 'scenario.*' \
    --report-dir "$tmp/reports-$1" 2>&1
}
row() { awk -v n="$1" '$1 == n {print $2, $3, $4, $5}' <<<"$2"; }  # passed failed should skipped

pass=0 fail=0
checks="connections_closed_on_update other_initiators_closed_on_update other_targets_untouched old_secret_refused_new_accepted
        target_authenticates_with_target_secret mutual_chap_off_without_target_secret rejected_keeps_connections"

start_gateway
out=$(run_scenarios clean); rc=$?
stop_gateway
bad=0
for c in $checks; do [[ $(row $c "$out") == "1 0 0 0" ]] || bad=1; done
if [[ $rc == 0 && $bad == 0 ]] && grep -q "drop_latency_ms" "$tmp/reports-clean/junit.xml"; then
  pass=$((pass + 1)); echo "ok   all seven connection checks pass against tgt"
  grep "^note: " <<<"$out"
else
  fail=$((fail + 1)); echo "FAIL clean run (exit $rc)"; echo "$out"
fi

start_gateway --defect keep-connections
out=$(run_scenarios defect); rc=$?
stop_gateway
if [[ $rc == 1 && $(row connections_closed_on_update "$out") == "0 1 0 0" &&
      $(row other_initiators_closed_on_update "$out") == "0 1 0 0" && $(row other_targets_untouched "$out") == "1 0 0 0" ]]; then
  pass=$((pass + 1)); echo "ok   keep-connections is caught by connections_closed_on_update and other_initiators_closed_on_update"
else
  fail=$((fail + 1)); echo "FAIL keep-connections not caught (exit $rc)"; echo "$out"
fi
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
