#!/bin/sh
# Keep no copy of printed cards and wristbands in the print system (issue 15): CUPS keeps every job's
# document (names, portrait) in its spool folder for a day by default. Switch that off once, as root:
#   cupsctl PreserveJobFiles=No PreserveJobHistory=No
# Run by start.sh before each start (through sudo when not root, only while the setting is still wrong) and
# as the .deb's postinst (as root). Never fails its caller: a scheduler that is not running or a refused sudo
# leaves it to the station, which purges kept jobs after each print, and to `station doctor`, which says so.
set -u
command -v cupsctl >/dev/null 2>&1 || exit 0
now="$(cupsctl 2>/dev/null)" || exit 0  # no scheduler running now
if printf '%s\n' "$now" | grep -qx 'PreserveJobFiles=No' &&
   printf '%s\n' "$now" | grep -qx 'PreserveJobHistory=No'; then
  exit 0
fi
run=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  run="sudo"
fi
if ! $run cupsctl PreserveJobFiles=No PreserveJobHistory=No >/dev/null 2>&1; then
  echo "secure-cups: the print system still keeps copies of printed jobs (see: station doctor)" >&2
fi
exit 0
