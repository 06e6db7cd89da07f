#!/usr/bin/env bash
# chapcheck replay re-sends a reproducer exactly: the failure it recorded against a defective mock
# comes back (exit 1), a clean mock answers as the spec demands (exit 0), and without the 0600
# secrets file the masked values are sent and the output says so.
# usage: replay_test.sh CHAPCHECK_BINARY
set -u
chapcheck=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$chapcheck" run --defect secret-max-17 --report-dir "$tmp/r" >/dev/null
file=$(grep -l 'SecretToAuthenticateInitiator.bytes.17.rejected' "$tmp"/r/reproducers/*.json | grep -v secrets | head -1)
[[ -n $file ]] || { echo "FAIL no reproducer for the 17-byte case"; exit 1; }
[[ $(stat -c %a "${file%.json}.secrets.json") == 600 ]] || { echo "FAIL the secrets file is not 0600"; exit 1; }
grep -q '\*\*\*' "$file" && ! grep -q '111111111111' "$file" || { echo "FAIL the reproducer does not mask the secrets"; exit 1; }
"$chapcheck" replay "$file" --defect secret-max-17 >"$tmp/a" ; a=$?
"$chapcheck" replay "$file" >"$tmp/b" ; b=$?
rm "${file%.json}.secrets.json"
"$chapcheck" replay "$file" >"$tmp/c" ; c=$?
ok=0
[[ $a == 1 ]] && grep -q "NOT what the spec demands" "$tmp/a" && ok=$((ok + 1)) || { echo "FAIL defective replay (exit $a)"; cat "$tmp/a"; }
[[ $b == 0 ]] && grep -q "as the spec demands" "$tmp/b" && ok=$((ok + 1)) || { echo "FAIL clean replay (exit $b)"; cat "$tmp/b"; }
[[ $c -le 1 ]] && grep -q "masked values sent" "$tmp/c" && ok=$((ok + 1)) || { echo "FAIL masked replay (exit $c)"; cat "$tmp/c"; }
echo "$ok passed, $((3 - ok)) failed"
[[ $ok == 3 ]]
