#!/usr/bin/env bash
# Starts Debian's PostgreSQL for the tests and prints the admin URL the test harness uses.
set -euo pipefail
VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$VERSION main" || pg_createcluster "$VERSION" main >/dev/null
pg_lsclusters -h | grep -q "^$VERSION main .* online" || pg_ctlcluster "$VERSION" main start
for _ in $(seq 1 50); do
  su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
su postgres -c "psql -qtAc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
echo "postgres://postgres:postgres@127.0.0.1:5432/postgres"
