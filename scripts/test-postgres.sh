#!/usr/bin/env bash
# Starts Debian's PostgreSQL for the tests and prints the admin URL the test harness uses.
# Only the URL goes to stdout: pg_ctlcluster talks there too ("Removed stale pid file." on a
# machine whose image was saved with Postgres running), and the caller captures stdout.
set -euo pipefail
exec 3>&1 1>&2
cd /  # su postgres cannot enter a checkout under /root
VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
clusters=$(pg_lsclusters -h)
grep -q "^$VERSION main" <<<"$clusters" || pg_createcluster "$VERSION" main 3>&-
grep -q "^$VERSION main .* online" <<<"$clusters" || pg_ctlcluster "$VERSION" main start 3>&-  # the server must not hold our stdout open
for _ in $(seq 1 150); do
  su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1 && break
  sleep 0.2
done
if ! su postgres -c "psql -qtAc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null; then
  echo "test-postgres: PostgreSQL $VERSION did not accept connections; its log ends with:"
  tail -n 20 "/var/log/postgresql/postgresql-$VERSION-main.log" || true
  exit 1
fi
echo "postgres://postgres:postgres@127.0.0.1:5432/postgres" >&3
