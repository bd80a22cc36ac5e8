#!/usr/bin/env bash
# The one start command: installs what is needed, builds, and starts driftlock: the server (on an
# embedded Postgres when DATABASE_URL is unset) serving the console on http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "$(pnpm --version 2>/dev/null || true)" != 10.* ]]; then
  npm install -g "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")" >/dev/null
fi
pnpm install --frozen-lockfile --reporter=silent
pnpm --filter @driftlock/protocol --filter @driftlock/server --filter @driftlock/console build >/dev/null

exec node apps/server/dist/main.js
