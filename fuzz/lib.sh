# fuzz/lib.sh: shell helpers the fuzz scripts share (fuzz/smoke.sh, bench/fuzz_rates,
# scripts/nightly-fuzz). Source it; it defines functions only.

CHAPCHECK_FUZZ_TARGETS=(fuzz_mock_http fuzz_spec_verdict fuzz_sigv4 fuzz_junit fuzz_iscsi_login)

# fuzz_seed DIR CHAPCHECK: the spec-derived seed corpus (DIR/seeds) and dictionary
# (DIR/chapcheck.dict), written by `chapcheck generate`.
fuzz_seed() {
  "$2" generate --fuzz-corpus "$1/seeds" --dict "$1/chapcheck.dict" >/dev/null
}

# fuzz_target_seeds TARGET DIR: the seed directory for TARGET under DIR (as fuzz_seed wrote it).
# The spec-derived seeds are FuzzInputs (generators/fuzz_input.h): they seed the targets that read
# that format; the others (SigV4 fields, JUnit fields, iSCSI byte streams) start from their
# regression corpus, and get DIR/no-seeds, an empty directory.
fuzz_target_seeds() {
  case "$1" in
    fuzz_mock_http|fuzz_spec_verdict) echo "$2/seeds" ;;
    *) mkdir -p "$2/no-seeds"; echo "$2/no-seeds" ;;
  esac
}

# fuzz_option_flags OPTIONS_FILE DICT: prints the libFuzzer flags of a target's .options file, one
# a line (max_len, timeout, ...); a dict= entry becomes -dict=DICT (the generated dictionary).
fuzz_option_flags() {
  local key value
  while IFS='=' read -r key value; do
    key=${key//[[:space:]]/} value=${value//[[:space:]]/}
    case "$key" in
      ''|'['*|'#'*) ;;
      dict) echo "-dict=$2" ;;
      *) echo "-$key=$value" ;;
    esac
  done < "$1"
}

# fuzz_stats LOG: "EXECS_PER_SEC COV FT CORPUS" from a libFuzzer log: the -print_final_stats
# numbers when present, else the last status line (plain or -fork mode). "- - - -" when none.
fuzz_stats() {
  awk '
    /^#[0-9]+.*cov: / || /^#[0-9]+: cov: / {
      for (i = 1; i <= NF; i++) {
        if ($i == "cov:") cov = $(i + 1)
        if ($i == "ft:") ft = $(i + 1)
        if ($i == "corp:") { corp = $(i + 1); sub(/\/.*/, "", corp) }
        if ($i == "exec/s:" || $i == "exec/s") eps = $(i + 1)  # -fork lines have no colon
      }
    }
    /^stat::average_exec_per_sec:/ { final_eps = $2 }
    END {
      if (final_eps != "") eps = final_eps
      printf "%s %s %s %s\n", (eps == "" ? "-" : eps), (cov == "" ? "-" : cov), (ft == "" ? "-" : ft), (corp == "" ? "-" : corp)
    }' "$1"
}
