#!/usr/bin/env bash
# A real initiator (Debian's libiscsi-bin tools, unchanged) against `chapcheck mock --iscsi-listen`:
#   - iscsi-inq and iscsi-readcapacity16 log in with CHAP (MD5, the only CHAP_A libiscsi offers)
#     to gateway sgw-12A3456B's myvolume and get the standard INQUIRY and the 1 TiB capacity;
#   - iscsi-ls -s discovers both of that portal's targets and their LUNs;
#   - mutual CHAP (target_user/target_password in the URL): libiscsi checks the target's proof;
#   - a wrong initiator secret fails with authentication failure; a wrong target secret on the
#     initiator side makes libiscsi refuse the target's proof;
#   - with --defect ignore-target-secret libiscsi refuses the target's proof (the defect is seen);
#   - the mock stops cleanly on SIGTERM.
# usage: iscsi_libiscsi_test.sh CHAPCHECK_BINARY
set -u
chapcheck=$1
for tool in iscsi-inq iscsi-ls iscsi-readcapacity16; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (scripts/bootstrap installs libiscsi-bin)"
    exit 77
  fi
done
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_mock NAME [ARGS...]: starts a mock, sets $port to gateway sgw-12A3456B's portal port.
start_mock() {
  local name=$1
  shift
  "$chapcheck" mock --listen 127.0.0.1:0 --iscsi-listen 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>&1 &
  local pid=$!
  pids+=("$pid")
  eval "${name}_pid=$pid"
  for _ in $(seq 1 100); do
    grep -q "for gateway sgw-12A3456B" "$tmp/$name.out" 2>/dev/null && break
    sleep 0.05
  done
  port=$(sed -n 's/^chapcheck mock: iSCSI portal on 127\.0\.0\.1:\([0-9]*\) for gateway sgw-12A3456B$/\1/p' "$tmp/$name.out")
  [[ -n $port ]] || { echo "FAIL: the mock did not print gateway sgw-12A3456B's portal"; cat "$tmp/$name.out"; exit 1; }
}

# shellcheck source=tests/check.sh
source "$(dirname "$0")/check.sh"
initiator='iqn.1991-05.com.microsoft:computername.domain.example.com'
target='iqn.1997-05.com.amazon:myvolume'
mutual="?target_user=$target&target_password"
url() {  # url INITIATOR_SECRET [QUERY]
  echo "iscsi://$initiator%$1@127.0.0.1:$port/$target/0${2:-}"
}
run() { timeout 20 "$@" 2>&1; }

start_mock clean
out=$(run iscsi-inq -i "$initiator" "$(url 111111111111)")
check "iscsi-inq logs in with CHAP and reads the standard INQUIRY" $(( $? != 0 )) "$out"
grep -q "Vendor:CHAPCHCK" <<<"$out"
check "INQUIRY names the mock's vendor" $? "$out"

out=$(run iscsi-readcapacity16 -i "$initiator" "$(url 111111111111)")
check "iscsi-readcapacity16 succeeds" $(( $? != 0 )) "$out"
grep -q "^Total size:1099511627776$" <<<"$out"
check "READ CAPACITY 16 reports the volume's 1 TiB" $? "$out"

out=$(run iscsi-ls -s -i "$initiator" "iscsi://$initiator%111111111111@127.0.0.1:$port")
check "iscsi-ls -s discovers the portal" $(( $? != 0 )) "$out"
grep -q "Target:iqn.1997-05.com.amazon:myvolume Portal:127.0.0.1:$port,1" <<<"$out" &&
  grep -q "Target:iqn.1997-05.com.amazon:othervolume Portal:127.0.0.1:$port,1" <<<"$out" &&
  [[ $(grep -c "Lun:0 *Type:DIRECT_ACCESS" <<<"$out") == 2 ]]
check "iscsi-ls lists both targets of gateway sgw-12A3456B with LUN 0" $? "$out"

out=$(run iscsi-inq -i "$initiator" "$(url 111111111111 "$mutual=222222222222")")
check "mutual CHAP: libiscsi accepts the target's proof" $(( $? != 0 )) "$out"

out=$(run iscsi-inq -i "$initiator" "$(url 111111111112)")
rc=$?
check "a wrong initiator secret fails the login" $(( rc == 0 )) "$out"
grep -qi "authentication failure" <<<"$out"
check "the failure is an authentication failure (0x0201)" $? "$out"

out=$(run iscsi-inq -i "$initiator" "$(url 111111111111 "$mutual=333333333333")")
check "mutual CHAP: a target proving another secret is refused by libiscsi" $(( $? == 0 )) "$out"

kill "$clean_pid"
wait "$clean_pid" 2>/dev/null
grep -q "stopped (SIGTERM)" "$tmp/clean.out"
check "the mock stops on SIGTERM" $? "$(cat "$tmp/clean.out")"

start_mock broken --defect ignore-target-secret
out=$(run iscsi-inq -i "$initiator" "$(url 111111111111 "$mutual=222222222222")")
check "defect ignore-target-secret: libiscsi refuses the target's proof" $(( $? == 0 )) "$out"
out=$(run iscsi-inq -i "$initiator" "$(url 111111111111)")
check "defect ignore-target-secret: one-way CHAP still works" $(( $? != 0 )) "$out"

finish
