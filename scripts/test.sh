#!/usr/bin/env bash
# The one test command: installs everything needed, builds, starts Postgres, runs every suite,
# and ends with the total over all suites: `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/setup-system.sh
pnpm install --frozen-lockfile --reporter=silent
pnpm build
TEST_DATABASE_URL=$(bash scripts/test-postgres.sh)
export TEST_DATABASE_URL

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

# Suites that only need Postgres and Chromium share the machine; the ones that start agents,
# kernel sensors and containers run one file at a time, so one test's protection never meets
# another test's containers.
echo "== jest: protocol, cri, server, console, deploy"
npx jest --ci --selectProjects protocol cri server console deploy --maxWorkers=2 \
  --json --outputFile="$RESULTS/jest-services.json" || status=1
echo "== jest: sensor, agent, cluster (one file at a time)"
npx jest --ci --selectProjects agent cluster --runInBand \
  --json --outputFile="$RESULTS/jest-hosts.json" || status=1

for suite in scripts/suites/*.sh; do
  [ -e "$suite" ] || continue
  echo "== $(basename "$suite" .sh)"
  RESULTS="$RESULTS" bash "$suite" || status=1
done

echo "== took ${SECONDS}s"
node scripts/total-results.js "$RESULTS"
exit $status
