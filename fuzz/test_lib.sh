# fuzz/test_lib.sh: sourced by the fuzz ctest scripts (POSIX sh).
# fuzz_test_corpus NAME REGRESSIONS_DIR: sets $tmp to a fresh directory, removed at exit, holding
# corpus/, a copy of the regression inputs (libFuzzer writes the inputs it keeps into its corpus
# directory, which must not be the repository's).
fuzz_test_corpus() {
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/chapcheck-$1.XXXXXX") || exit 1
  trap 'rm -rf "$tmp"' EXIT
  mkdir "$tmp/corpus" && cp "$2"/* "$tmp/corpus/" || exit 1
}
