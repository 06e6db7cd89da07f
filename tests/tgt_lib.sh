# shellcheck shell=bash
# Sourced by the tgt integration tests: starts tgtd on loopback with its own portal port and
# control port, gives `adm` (tgtadm for that tgtd), creates targets with a file-backed LUN, and
# stops tgtd on exit (targets deleted with --force, then the system, then kill -9 by PID if it is
# still running: tgtd ignores SIGTERM). Callers set $tmp (a scratch directory) first and may
# append cleanup to the `tgt_cleanup_extra` function.
# exit 77 (skipped) only when tgtd is not installed.
tgtd_bin=$(command -v tgtd || echo /usr/sbin/tgtd)
tgtadm_bin=$(command -v tgtadm || echo /usr/sbin/tgtadm)
[[ -x $tgtd_bin && -x $tgtadm_bin ]] || { echo "SKIP tgtd is not installed (scripts/bootstrap installs tgt)"; exit 77; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tgt_port=$(free_port)
# tgtd's control "port" names its IPC socket (/var/run/tgtd/socket.N, N <= 32767): pick one nobody uses.
for ((tgt_ctl = 20000 + RANDOM % 12000; ; tgt_ctl++)); do [[ -e /var/run/tgtd/socket.$tgt_ctl ]] || break; done
# shellcheck disable=SC2154  # $tmp: set by the caller
"$tgtd_bin" -f --iscsi portal=127.0.0.1:$tgt_port -C $tgt_ctl >"$tmp/tgtd.log" 2>&1 &
TGTD=$!
tgt_tids=()
adm() { "$tgtadm_bin" -C $tgt_ctl --lld iscsi "$@"; }
tgt_cleanup_extra() { :; }
stop_tgtd() {
  tgt_cleanup_extra
  for tid in "${tgt_tids[@]}"; do adm --op delete --mode target --tid "$tid" --force >/dev/null 2>&1; done
  adm --op delete --mode system >/dev/null 2>&1
  for _ in $(seq 20); do kill -0 $TGTD 2>/dev/null || break; sleep 0.1; done
  kill -0 $TGTD 2>/dev/null && kill -9 $TGTD 2>/dev/null
  wait $TGTD 2>/dev/null
  rm -f /var/run/tgtd/socket.$tgt_ctl /var/run/tgtd/socket.$tgt_ctl.lock
  rm -rf "$tmp"
}
trap stop_tgtd EXIT
for _ in $(seq 50); do adm --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done

# new_target TID IQN: a target with a 1 MiB file-backed LUN, open to every initiator address.
new_target() {
  [[ -f $tmp/lun ]] || dd if=/dev/zero of="$tmp/lun" bs=1M count=1 status=none
  tgt_tids+=("$1")
  adm --op new --mode target --tid "$1" -T "$2" &&
    adm --op new --mode logicalunit --tid "$1" --lun 1 -b "$tmp/lun" &&
    adm --op bind --mode target --tid "$1" -I ALL
}
