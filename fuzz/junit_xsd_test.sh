#!/usr/bin/env bash
# fuzz/junit_xsd_test.sh FUZZ_JUNIT XSD INPUTS...: the JUnit XML that fuzz_junit writes for each
# input (regressions and seeds) validates against the strict Ant schema with xmllint, the check
# the fuzz target only approximates in process (well-formed, XML 1.0 characters, attributes).
set -euo pipefail
bin=$1 xsd=$2
shift 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/chapcheck-junit-xsd.XXXXXX")
trap 'rm -rf "$dir"' EXIT
FUZZ_JUNIT_DUMP_DIR="$dir" "$bin" "$@" >/dev/null
n=$(find "$dir" -name '*.xml' | wc -l)
[[ "$n" -ge 3 ]] || { echo "only $n outputs written"; exit 1; }
xmllint --noout --schema "$xsd" "$dir"/*.xml 2>&1 | grep -v ' validates$' || true
xmllint --noout --schema "$xsd" "$dir"/*.xml 2>/dev/null
echo "$n JUnit outputs validate against $(basename "$xsd")"
