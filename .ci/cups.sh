#!/usr/bin/env bash
# CUPS with the cups-pdf virtual printer for the print integration tests. Idempotent: safe to run again.
# Queue StationPDF writes PDFs to $STATION_CUPS_OUT (default /var/spool/cups-pdf/station), custom sizes allowed.
set -euo pipefail

OUT="${STATION_CUPS_OUT:-/var/spool/cups-pdf/station}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need=()
command -v cupsd >/dev/null 2>&1 || [ -x /usr/sbin/cupsd ] || need+=(cups)
[ -e /usr/lib/cups/backend/cups-pdf ] || need+=(printer-driver-cups-pdf)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v ipptool >/dev/null 2>&1 || need+=(cups-ipp-utils)
if [ "${#need[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Output folder known to the tests (instead of each user's ~/PDF), readable by the test user.
$SUDO mkdir -p "$OUT"
$SUDO chmod 1777 "$OUT"
conf=/etc/cups/cups-pdf.conf
if ! grep -q "^Out $OUT\$" "$conf"; then
  $SUDO sed -i -e '/^Out /d' "$conf"
  echo "Out $OUT" | $SUDO tee -a "$conf" >/dev/null
fi
# Files readable by the test user (cups-pdf default 0600 for the job's owner, who may be another account).
grep -q '^UserUMask 0000$' "$conf" || { $SUDO sed -i -e '/^UserUMask /d' "$conf"; echo "UserUMask 0000" | $SUDO tee -a "$conf" >/dev/null; }
grep -q '^AnonUMask 0000$' "$conf" || { $SUDO sed -i -e '/^AnonUMask /d' "$conf"; echo "AnonUMask 0000" | $SUDO tee -a "$conf" >/dev/null; }

if ! lpstat -r 2>/dev/null | grep -q "is running"; then
  $SUDO /usr/sbin/cupsd
  for _ in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.2; done
fi
lpstat -r | grep -q "is running" || { echo "cupsd did not start" >&2; exit 1; }
# Keep no copy of a printed card: no job files (dNNNNN-001 holds the whole PDF, names and portrait) and no
# job history (cNNNNN control files) once a job is done; CUPS' default keeps both for a day.
# cupsctl restarts the scheduler only when something changes.
if ! cupsctl | grep -qx "PreserveJobFiles=No" || ! cupsctl | grep -qx "PreserveJobHistory=No"; then
  $SUDO cupsctl PreserveJobFiles=No PreserveJobHistory=No
  for _ in $(seq 1 50); do lpstat -r 2>/dev/null | grep -q "is running" && break; sleep 0.2; done
fi

if ! lpstat -p StationPDF >/dev/null 2>&1; then
  $SUDO lpadmin -p StationPDF -E -v cups-pdf:/ -m lsb/usr/cups-pdf/CUPS-PDF_opt.ppd
fi
# Let jobs ask for their own media (wristband 25.4 x 279 mm, CR80 card, A4).
$SUDO lpadmin -p StationPDF -o PageSize=A4 -o media=A4 >/dev/null
$SUDO cupsenable StationPDF
$SUDO cupsaccept StationPDF
lpstat -p StationPDF
