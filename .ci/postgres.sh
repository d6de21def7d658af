#!/usr/bin/env bash
# Start a local PostgreSQL server for the storage tests and print the URL to use (idempotent).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
ver=$(ls /etc/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
  # Only the URL may reach stdout (the caller captures it); pg_ctlcluster chatters ("Removed stale pid file.").
  pg_ctlcluster "$ver" main start >&2
fi
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q && break
  sleep 1
done
runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='station_test'" | grep -q 1 ||
  runuser -u postgres -- psql -qc "CREATE ROLE station_test LOGIN PASSWORD 'station_test'" >&2
# station_test: the database the storage tests empty; station_test_secret: one of its own for the tests of a server
# site's sealed address and password (tests/conftest.py: secret_pg_url derives its URL from this one); and the same
# pair per pytest-xdist worker (_gw0, _gw1, ...: tests/conftest.py pg_url), so the tests run on every core.
for db in station_test station_test_secret \
          station_test_gw{0..3} station_test_gw{0..3}_secret; do
  runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 ||
    runuser -u postgres -- createdb -O station_test "$db" >&2
  # Test databases only: a commit returns before its WAL reaches the disk (the server's other databases keep
  # the machine's setting). No test crashes the server, and the tests' commits stop waiting for the disk.
  runuser -u postgres -- psql -qc "ALTER DATABASE $db SET synchronous_commit = off" >&2
done
echo "postgresql+psycopg://station_test:station_test@127.0.0.1:5432/station_test"
