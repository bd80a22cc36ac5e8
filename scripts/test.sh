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

# Static checks count as one test each: ESLint + Prettier, and the TypeScript of every package.
static_check() {
  local name=$1; shift
  echo "== $name"
  if "$@" >"$RESULTS/$name.log" 2>&1; then
    echo "$name: clean"
    echo '{"numPassedTests":1,"numFailedTests":0}' >"$RESULTS/$name.json"
  else
    cat "$RESULTS/$name.log"
    echo '{"numPassedTests":0,"numFailedTests":1}' >"$RESULTS/$name.json"
    status=1
  fi
}
static_check lint pnpm lint
static_check typecheck pnpm -r --if-present typecheck

echo "== jest (every package)"
npx jest --ci --json --outputFile="$RESULTS/jest.json" || status=1

for suite in scripts/suites/*.sh; do
  [ -e "$suite" ] || continue
  echo "== $(basename "$suite" .sh)"
  RESULTS="$RESULTS" bash "$suite" || status=1
done

node scripts/total-results.js "$RESULTS"
exit $status
