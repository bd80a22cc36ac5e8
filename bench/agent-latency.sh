#!/usr/bin/env bash
# Detection-to-report latency of the agent, median and p99 (see bench/agent-latency.ts).
# Builds the agent and the sensor first. Needs root. Usage: bench/agent-latency.sh [SAMPLES]
# Prints a Markdown table; docs/bench/agent-latency.md holds a run.
set -euo pipefail
cd "$(dirname "$0")/.."
make -C bpf --quiet sensor
pnpm --silent --filter @driftlock/protocol --filter @driftlock/cri --filter @driftlock/agent build >/dev/null
exec npx ts-node --transpile-only bench/agent-latency.ts "$@"
