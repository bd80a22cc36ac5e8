#!/usr/bin/env bash
# Agent footprint at 1,000 execs/s and the highest exec rate it keeps up with (see
# bench/agent-footprint.ts). Builds the agent and the sensor first. Needs root.
# Prints a Markdown table; docs/bench/agent-footprint.md holds a run.
set -euo pipefail
cd "$(dirname "$0")/.."
make -C bpf --quiet sensor test-fixtures
pnpm --silent --filter @driftlock/protocol --filter @driftlock/cri --filter @driftlock/agent build >/dev/null
exec npx ts-node --transpile-only bench/agent-footprint.ts
