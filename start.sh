#!/usr/bin/env bash
# Set up (first time only) and start Registration Station with its embedded encrypted database.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh run
exec .venv/bin/station "$@"
