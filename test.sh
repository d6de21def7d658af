#!/usr/bin/env bash
# Set up (first time only) and run every test: unit, Qt (offscreen), PostgreSQL, CUPS, benchmarks (short mode).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh test
export STATION_TEST_PG_URL="${STATION_TEST_PG_URL:-$(bash .ci/postgres.sh)}"
case "$STATION_TEST_PG_URL" in
  postgresql*://*) ;;
  *) echo "test.sh: .ci/postgres.sh gave no PostgreSQL URL: '$STATION_TEST_PG_URL'" >&2; exit 1 ;;
esac
export STATION_REQUIRE_PG=1
if [ -f .ci/cups.sh ]; then bash .ci/cups.sh; export STATION_REQUIRE_CUPS=1; fi
export QT_QPA_PLATFORM=offscreen
export STATION_PERF_SHORT="${STATION_PERF_SHORT:-1}"
.venv/bin/ruff check station ui tests
exec .venv/bin/python -m pytest "$@"
