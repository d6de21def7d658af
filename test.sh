#!/usr/bin/env bash
# Set up (first time only) and run every test: lint, types, layers, unit, Qt (offscreen), the real program on a
# real X server (acceptance), PostgreSQL, CUPS, benchmarks (short mode), and the date-sensitive tests again with
# the clock moved 400 days ahead. Extra arguments go to the main pytest run.
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
export STATION_REQUIRE_X=1  # the acceptance run fails, never skips, when Xvfb or xdotool is missing
export QT_QPA_PLATFORM=offscreen
export STATION_PERF_SHORT="${STATION_PERF_SHORT:-1}"
.venv/bin/ruff check station ui tests
.venv/bin/mypy station ui
# No test may depend on the day it runs: the core and the desk's forms again, a year and a month from now.
# (SQLite only: the PostgreSQL server keeps the real clock, and the same tests run on it below.) Not the
# background rebuild's worker, which has no date but timed waits: under libfaketime a lock's timeout waits
# on the real monotonic clock for a deadline read from the moved one (400 days); with the monotonic clock
# left alone (FAKETIME_DONT_FAKE_MONOTONIC) time.sleep fails with EINVAL instead.
env -u STATION_TEST_PG_URL -u STATION_REQUIRE_PG \
  faketime -f '+400d' .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup \
  -m "not acceptance and not perf" tests/station/domain tests/station/services tests/ui/registration \
  --ignore=tests/station/services/test_search_index_background.py
# Everything else on both cores, PostgreSQL included (each worker has a database of its own); then, alone on the
# machine, the benchmarks (their timings and memory peaks would measure the other worker too).
.venv/bin/python -m pytest -n 2 --dist loadgroup -m "not perf" "$@"
# The pack fuzz bounds its own memory peak: a process of its own, so nothing before it counts.
.venv/bin/python -m pytest -p no:cacheprovider "$@" tests/perf/test_pack_fuzz_perf.py
exec .venv/bin/python -m pytest -m perf --ignore=tests/perf/test_pack_fuzz_perf.py "$@"
