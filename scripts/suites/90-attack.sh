#!/usr/bin/env bash
# The reference attack, end to end (e2e/attack). It runs alone, after every other suite, because
# its plain-Docker case turns on the fleet-wide default; the spec still refuses to do so while
# the agent sees any container that is not its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
DRIFTLOCK_E2E_EXCLUSIVE_HOST=1 npx jest --ci -c e2e/attack/jest.config.js --runInBand \
  --json --outputFile="$RESULTS/attack.json"
