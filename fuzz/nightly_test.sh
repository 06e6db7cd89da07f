#!/usr/bin/env bash
# fuzz/nightly_test.sh SOURCE_DIR FUZZ_BUILD_DIR: scripts/nightly-fuzz for 2 s a target on the
# built targets: it exits 0 (nothing found), writes a JUnit file that validates against the strict
# Ant schema with one test case per target, a summary with a row per target, and a persistent
# corpus that holds at least the seeds after the merge.
set -euo pipefail
src=$1 build=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/chapcheck-nightly-test.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$src/scripts/nightly-fuzz" --no-build --build-dir "$build" --duration 2 --jobs 1 \
  --corpus "$dir/corpus" --out "$dir/out" > "$dir/log" 2>&1 || { cat "$dir/log"; exit 1; }
xmllint --noout --schema "$src/tests/data/junit/junit.xsd" "$dir/out/junit.xml"
source "$src/fuzz/lib.sh"
for t in "${CHAPCHECK_FUZZ_TARGETS[@]}"; do
  grep -q "testcase name=\"$t\"" "$dir/out/junit.xml" || { echo "no test case for $t"; exit 1; }
  grep -q "^| $t | " "$dir/out/summary.md" || { echo "no summary row for $t"; exit 1; }
  n=$(find "$dir/corpus/$t" -type f | wc -l)
  [[ "$n" -ge 10 ]] || { echo "$t: persistent corpus has $n files after the merge"; exit 1; }
done
cat "$dir/out/summary.md"
