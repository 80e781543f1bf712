#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and runs one or all of them,
# each on a scratch copy of its seed corpus so that the checked-in seeds stay small.
#
#   scripts/fuzz.sh [parser|config|control_lines|all] [RUNS]     RUNS defaults to 1000000
#
# A fuzzer named NAME is fuzz/NAME_fuzzer.cpp with seeds in fuzz/corpus/NAME/. Its scratch
# corpus is fuzz/corpus-NAME/ and crash inputs land in fuzz/corpus-NAME-crashes/ (both
# gitignored). Extra libFuzzer flags can be passed in FUZZ_FLAGS, e.g. FUZZ_FLAGS=-jobs=2.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
which=${1:-all}
runs=${2:-1000000}
build="$root/build-fuzz"

usage() {
  echo "usage: $0 [parser|config|control_lines|all] [RUNS]" >&2
  exit 2
}
[[ $runs =~ ^[0-9]+$ ]] || usage

available=()
for source in "$root"/fuzz/*_fuzzer.cpp; do
  [[ -e $source ]] || continue
  name=$(basename "$source" _fuzzer.cpp)
  available+=("$name")
done
((${#available[@]} > 0)) || { echo "no fuzz/*_fuzzer.cpp found" >&2; exit 1; }

if [[ $which == all ]]; then
  selected=("${available[@]}")
elif [[ " ${available[*]} " == *" $which "* ]]; then
  selected=("$which")
else
  echo "unknown fuzzer '$which'; available: ${available[*]}" >&2
  usage
fi

# An existing build dir configured with another compiler would keep it: start over then.
if [[ -f $build/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DTELEGLAS_FUZZ=ON -DTELEGLAS_TESTS=OFF -DTELEGLAS_BENCH=OFF >/dev/null
targets=()
for name in "${selected[@]}"; do targets+=("${name}_fuzzer"); done
ninja -C "$build" "${targets[@]}"

# UBSan only reports by default; a fuzzer must stop on the first finding.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

status=0
for name in "${selected[@]}"; do
  corpus="$root/fuzz/corpus-$name"
  crashes="$root/fuzz/corpus-$name-crashes"
  mkdir -p "$corpus" "$crashes"
  if [[ -d $root/fuzz/corpus/$name ]]; then
    cp -n "$root/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null || true
  fi
  dict=()
  [[ -f $root/fuzz/$name.dict ]] && dict=("-dict=$root/fuzz/$name.dict")
  echo "== $name: $runs runs, corpus $corpus"
  # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
  if ! "$build/fuzz/${name}_fuzzer" -runs="$runs" -print_final_stats=1 \
      -artifact_prefix="$crashes/" "${dict[@]}" ${FUZZ_FLAGS:-} "$corpus"; then
    echo "== $name: FAILED (inputs in $crashes)" >&2
    status=1
  fi
done
exit $status
