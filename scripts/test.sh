#!/usr/bin/env bash
# The one test command: installs everything needed, builds, starts Postgres, runs every suite,
# and ends with the total over all suites: `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/setup-system.sh
pnpm install --frozen-lockfile --reporter=silent
pnpm build
export TEST_DATABASE_URL=$(bash scripts/test-postgres.sh)

RESULTS="$ROOT/.driftlock/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
status=0

echo "== lint"
if pnpm lint >"$RESULTS/lint.log" 2>&1; then
  echo "lint: clean"
  echo '{"numPassedTests":1,"numFailedTests":0}' >"$RESULTS/lint.json"
else
  cat "$RESULTS/lint.log"
  echo '{"numPassedTests":0,"numFailedTests":1}' >"$RESULTS/lint.json"
  status=1
fi

echo "== jest (every package)"
npx jest --ci --json --outputFile="$RESULTS/jest.json" || status=1

for suite in scripts/suites/*.sh; do
  [ -e "$suite" ] || continue
  echo "== $(basename "$suite" .sh)"
  RESULTS="$RESULTS" bash "$suite" || status=1
done

node scripts/total-results.js "$RESULTS"
exit $status
