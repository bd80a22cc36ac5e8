#!/usr/bin/env bash
# `pnpm demo`: the reference attack against the driftlock that scripts/start.sh is running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh demo
pnpm --filter @driftlock/cri build >/dev/null
exec npx ts-node --transpile-only -P e2e/demo/tsconfig.json e2e/demo/demo.ts "$@"
