#!/usr/bin/env bash
# Installs what the build needs, builds everything under AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs the whole test suite (with a PostgreSQL server of its
# own for the storage tests: tests/support/postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
build=${TELEGLAS_TEST_BUILD:-build-asan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTELEGLAS_SANITIZE=ON \
  -DTELEGLAS_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Leaks in system libraries' process-lifetime caches (fontconfig) are not ours: tests/lsan.supp.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}
# The PostgreSQL tests need a server: a throwaway one on 127.0.0.1, unless one is given.
if [ -z "${TELEGLAS_TEST_POSTGRES_URL:-}" ]; then
  postgres_dir=$(mktemp -d /tmp/teleglas-postgres-XXXXXX)
  trap 'tests/support/postgres.sh stop "$postgres_dir"' EXIT
  TELEGLAS_TEST_POSTGRES_URL=$(tests/support/postgres.sh start "$postgres_dir")
  export TELEGLAS_TEST_POSTGRES_URL
fi
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
