# Sourced by the integration scripts: `check NAME RESULT DETAIL` counts a passed (RESULT 0) or
# failed check and prints it; `finish` prints the totals and returns non-zero on any failure.
passed=0
failed=0
check() {
  if [[ $2 == 0 ]]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); echo "FAIL $1"; echo "$3" | sed 's/^/     /' | head -20
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [[ $failed == 0 ]]
}
