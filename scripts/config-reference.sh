#!/usr/bin/env bash
# Regenerates README.md's configuration reference (between the config-reference markers) from
# `teleglas check-config --reference --markdown`, i.e. from the loader and the comments of
# config/teleglas.yaml. With --check, changes nothing and exits 1 when the README is stale.
#   scripts/config-reference.sh [--check] [--binary PATH]   (default binary: build/teleglas)
set -euo pipefail
cd "$(dirname "$0")/.."

binary=build/teleglas
check=false
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=true ;;
    --binary) binary=$2; shift ;;
    *) echo "usage: $0 [--check] [--binary PATH]" >&2; exit 2 ;;
  esac
  shift
done

begin='<!-- config-reference:begin -->'
end='<!-- config-reference:end -->'
if [ "$(grep -cxF "$begin" README.md)" != 1 ] || [ "$(grep -cxF "$end" README.md)" != 1 ]; then
  echo "README.md must hold the lines $begin and $end once each" >&2
  exit 1
fi

table=$(mktemp)
updated=$(mktemp)
trap 'rm -f "$table" "$updated"' EXIT
"$binary" check-config --reference --markdown >"$table"
awk -v begin="$begin" -v end="$end" -v table="$table" '
  $0 == begin { print; while ((getline line < table) > 0) print line; skipping = 1; next }
  $0 == end { skipping = 0 }
  !skipping { print }
' README.md >"$updated"

if cmp -s README.md "$updated"; then
  echo "README.md configuration reference is up to date"
elif $check; then
  diff -u README.md "$updated" || true
  echo "README.md configuration reference is stale: run scripts/config-reference.sh" >&2
  exit 1
else
  cp "$updated" README.md
  echo "README.md configuration reference regenerated"
fi
