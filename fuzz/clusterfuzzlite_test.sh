#!/usr/bin/env bash
# fuzz/clusterfuzzlite_test.sh: runs .clusterfuzzlite/build.sh as ClusterFuzzLite would (Docker
# does not run here): CXX=clang++, CXXFLAGS as its address build sets them plus UBSan,
# LIB_FUZZING_ENGINE=-fsanitize=fuzzer, OUT a temp dir, WORK build-cfl/ (or $CFL_WORK). Then checks
# that $OUT holds, per target, an executable libFuzzer binary that runs its seeds, a non-empty seed
# corpus zip, a dictionary and the .options. The CMake build it leaves in $WORK/chapcheck-build
# has the fuzz tests (scripts/test runs them there). A full clang build: ctest label "cfl".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/fuzz/lib.sh"
scratch=${CFL_WORK:-$root/build-cfl}
out=$(mktemp -d "${TMPDIR:-/tmp}/chapcheck-cfl-out.XXXXXX")
trap 'rm -rf "$out"' EXIT
mkdir -p "$scratch"
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
# ClusterFuzzLite's address build flags, plus UBSan (its undefined build adds that separately).
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
flags+=" -fsanitize=address,undefined,fuzzer-no-link -fsanitize-address-use-after-scope -fno-sanitize-recover=undefined"
werror=${CHAPCHECK_WERROR:-OFF}
[[ -n "${CI:-}" ]] && werror=ON
CC=clang-14 CXX=clang++-14 CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
CHAPCHECK_WERROR="$werror" OUT="$out" WORK="$scratch" SRC_DIR="$root" "$root/.clusterfuzzlite/build.sh"
fail=0
for t in "${CHAPCHECK_FUZZ_TARGETS[@]}"; do
  for f in "$t" "$t.options" "$t.dict" "${t}_seed_corpus.zip"; do
    [[ -s "$out/$f" ]] || { echo "missing or empty: \$OUT/$f"; fail=1; }
  done
  [[ -x "$out/$t" ]] || { echo "not executable: \$OUT/$t"; fail=1; continue; }
  n=$(python3 -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$out/${t}_seed_corpus.zip")
  # The spec-derived seeds (186) go to the targets that read FuzzInputs; the others carry their
  # regression corpus (fuzz/lib.sh fuzz_target_seeds).
  min=$(find "$root/fuzz/regressions/$t" -type f | wc -l)
  [[ "$(basename "$(fuzz_target_seeds "$t" "$out/probe")")" == seeds ]] && min=$((min + 100))
  [[ "$n" -ge "$min" && "$n" -ge 1 ]] || { echo "$t: only $n seeds in the zip, expected at least $min"; fail=1; }
  mkdir -p "$out/unzip-$t"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$out/${t}_seed_corpus.zip" "$out/unzip-$t"
  if ! (cd "$out" && "./$t" -runs=0 "unzip-$t" >"$out/$t.log" 2>&1); then
    echo "$t does not run its seed corpus:"; tail -n 20 "$out/$t.log"; fail=1
  fi
  grep -q '^dict' "$out/$t.options" && ! grep -q "^dict = $t.dict" "$out/$t.options" && { echo "$t.options names another dict"; fail=1; }
  echo "$t: binary, options, dict, $n seeds: ok"
done
exit $fail
