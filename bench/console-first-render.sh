#!/usr/bin/env bash
# Time to first render in Chromium: the threats page over 100,000 threats, and a 2,000-node storyline.
set -euo pipefail
cd "$(dirname "$0")/.."
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-$(bash scripts/test-postgres.sh)}
exec npx ts-node --transpile-only e2e/console/bench-first-render.ts "$@"
