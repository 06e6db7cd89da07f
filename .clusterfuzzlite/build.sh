#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: compiles the libFuzzer targets of fuzz/ with the compilers and
# flags the infrastructure provides ($CC, $CXX, $CFLAGS, $CXXFLAGS, $LIB_FUZZING_ENGINE) and puts
# into $OUT, for each target: the binary, <target>_seed_corpus.zip (the spec-derived seeds and
# the regression corpus), <target>.dict (from the spec) and <target>.options.
# Independent of CMakePresets.json. $WORK (scratch) defaults to a temp dir when run by hand;
# CHAPCHECK_WERROR=ON makes warnings errors (scripts/test under CI).
src=${SRC_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
work=${WORK:-$(mktemp -d)}
build="$work/chapcheck-build"
cmake -S "$src" -B "$build" -G Ninja --log-level=WARNING \
  -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="${CFLAGS:-}" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCHAPCHECK_FUZZ=ON -DCHAPCHECK_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" -DCHAPCHECK_WERROR="${CHAPCHECK_WERROR:-OFF}"
cmake --build "$build" --target fuzz_targets chapcheck

source "$src/fuzz/lib.sh"
seeds="$work/chapcheck-seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
fuzz_seed "$seeds" "$build/cli/chapcheck"
for t in "${CHAPCHECK_FUZZ_TARGETS[@]}"; do
  cp "$build/fuzz/$t" "$OUT/$t"
  cp "$src/fuzz/$t.options" "$OUT/$t.options"
  cp "$seeds/chapcheck.dict" "$OUT/$t.dict"
  python3 - "$OUT/${t}_seed_corpus.zip" "$(fuzz_target_seeds "$t" "$seeds")" "$src/fuzz/regressions/$t" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for d in sys.argv[2:]:
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                z.write(p, arcname=os.path.basename(d) + "-" + name)
PY
done
