#!/usr/bin/env bash
# fuzz/smoke.sh TARGET CHAPCHECK OPTIONS SECONDS REGRESSIONS: a short libFuzzer run of one target (ctest, fuzz
# builds), seeded with the spec-derived corpus and dictionary (`chapcheck generate --fuzz-corpus
# --dict`) and the target's regression corpus, run with the target's .options. Fails when libFuzzer reports a finding; the input
# and the log are then left in the temp dir it names.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
target=$1 chapcheck=$2 options=$3 seconds=$4 regressions=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/chapcheck-smoke.XXXXXX")
fuzz_seed "$work" "$chapcheck"
mapfile -t flags < <(fuzz_option_flags "$options" "$work/chapcheck.dict")
if "$target" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" \
     "$(fuzz_target_seeds "$(basename "$target")" "$work")" "$regressions" >"$work/log" 2>&1; then
  read -r eps cov ft corp < <(fuzz_stats "$work/log")
  echo "$(basename "$target"): ${seconds}s, exec/s $eps, cov $cov, ft $ft, corpus $corp"
  rm -rf "$work"
else
  tail -n 40 "$work/log"
  echo "smoke: $(basename "$target") found something; input and log in $work" >&2
  exit 1
fi
