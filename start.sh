#!/usr/bin/env bash
# Set up (first time only) and start Registration Station with its embedded encrypted database.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh run
sh installer/linux/secure-cups.sh  # the print system keeps no copy of printed cards (issue 15); never fails
exec .venv/bin/station "$@"
