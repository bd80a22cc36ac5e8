#!/usr/bin/env bash
# The console's component tests (vitest, jsdom); its JSON report has jest's counters.
set -euo pipefail
cd "$(dirname "$0")/../.."
pnpm --filter @driftlock/console exec vitest run --reporter=default --reporter=json \
  --outputFile="$RESULTS/console.json"
