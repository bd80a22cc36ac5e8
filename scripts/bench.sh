#!/usr/bin/env bash
# `pnpm bench <name>` runs bench/<name>.sh or bench/<name>.ts; `pnpm bench` lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
if [[ -z $name ]]; then
  echo "benchmarks:"; ls bench | sed -E 's/\.(sh|ts)$//' | sort -u | sed 's/^/  /'; exit 0
fi
shift
if [[ -f bench/$name.sh ]]; then exec bash "bench/$name.sh" "$@"; fi
if [[ -f bench/$name.ts ]]; then exec npx ts-node --transpile-only "bench/$name.ts" "$@"; fi
echo "no benchmark named $name (see: pnpm bench)" >&2; exit 2
