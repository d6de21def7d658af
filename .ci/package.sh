#!/usr/bin/env bash
# CI: build the Linux bundle and the .deb from this (clean) checkout, install the .deb with dpkg, and run the
# installed program as a field office would: version, set-up, demo data, a printed card, an export, and an
# offscreen start that must reach the sign-in screen. Prints the bundle's and the .deb's sizes and the start time.
#
#   bash .ci/package.sh                 (root or sudo; about 10 minutes on 2 cores, most of it PyInstaller)
#
# STATION_PACKAGE_OUT chooses the output folder (default build/installer); STATION_PACKAGE_REUSE=1 skips the
# build when a .deb is already there (for re-running the checks only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="${STATION_PACKAGE_OUT:-$ROOT/build/installer}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
for p in python3-venv binutils file dpkg-dev nsis; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$OUT"
if [ "${STATION_PACKAGE_REUSE:-0}" != 1 ] || [ ! -f "$OUT/build-info.txt" ]; then
  # A build venv with exactly the pinned versions the tests passed with (not the developer's .venv).
  [ -x "$OUT/venv/bin/python" ] || python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q -c installer/constraints.txt . pyinstaller pyinstaller-hooks-contrib
  PYTHON="$OUT/venv/bin/python" bash installer/build-linux.sh "$OUT"
fi
# shellcheck disable=SC1091
. "$OUT/build-info.txt"

echo "== dpkg -i $(basename "$deb")"
if ! $SUDO dpkg -i "$deb"; then
  # dpkg does not fetch missing Depends; apt completes them (and fails if they cannot be had).
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -f -y -qq >/dev/null
fi
dpkg-query -W -f='${Status}\n' registration-station | grep -qx "install ok installed"
BIN=/usr/bin/station
[ -x "$BIN" ] && [ -f /usr/share/applications/registration-station.desktop ] &&
  [ -f /usr/share/icons/hicolor/256x256/apps/registration-station.png ]

echo "== the installed program"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"  # nothing of the source tree on any path
unset PYTHONPATH PYTHONHOME STATION_RESOURCES
export STATION_HOME="$work/home" STATION_USER=admin STATION_PASSPHRASE="ci package passphrase"
export STATION_OFFICE_KEY_PASSPHRASE="ci office key passphrase" QT_QPA_PLATFORM=offscreen
[ "$($BIN --version)" = "Registration Station $version" ] || { echo "station --version: expected $version" >&2; exit 1; }
# Frozen and unfrozen programs have the same subcommands (tests/installer/test_commands.py checks the source side).
frozen="$($BIN --help | awk '/^    [a-z]/{print $1}' | sort | tr '\n' ' ')"
source_side="$(cd "$ROOT" && "$OUT/venv/bin/python" -c 'from station.cli.main import COMMANDS; print(" ".join(sorted(m.NAME for m in COMMANDS)))')"
[ "$frozen" = "$source_side " ] || { echo "subcommands differ: frozen [$frozen] source [$source_side]" >&2; exit 1; }
$BIN init --site MKH --station 2 --admin admin --demo --recovery-out "$work/recovery.txt"
$BIN demo --households 20
$BIN doctor || true  # reports what is missing here (no camera): informative, not a failure
$BIN export plain --out "$work/register.csv" 2>/dev/null  # synthetic households; only to pick a number
regno="$(sed -n 2p "$work/register.csv" | cut -d, -f1)"
rm -f "$work/register.csv"
$BIN print card "$regno" --out "$work/card.pdf"
[ "$(head -c 5 "$work/card.pdf")" = "%PDF-" ]
$BIN export keygen --out "$work/office.key"
$BIN export set-office-key "$work/office.pub"
mkdir "$work/stick"
$BIN export --to "$work/stick"
[ -n "$(ls -A "$work/stick")" ] || { echo "export wrote nothing" >&2; exit 1; }

echo "== a station made by the previous release (schema 0003) opens in the installed build"
old_home="$work/old-home"
cp -r "$ROOT/tests/data/schemas/0003" "$old_home"
chmod 600 "$old_home"/*
individuals="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tables"]["individuals"]["rows"]))' \
  "$old_home/manifest.json")"
rm "$old_home/manifest.json"
STATION_HOME="$old_home" STATION_PASSPHRASE="fixture passphrase 0003" $BIN audit verify  # signs in: migrates
STATION_HOME="$old_home" STATION_PASSPHRASE="fixture passphrase 0003" $BIN export plain --out "$work/old.csv" 2>/dev/null
rows="$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))))' \
  "$work/old.csv")"
rm -f "$work/old.csv"
[ "$rows" = "$individuals" ] || { echo "the 0003 station lists $rows people, its fixture $individuals" >&2; exit 1; }
ls "$old_home"/backups/station-*.db >/dev/null  # the start-up migration's backup copy

echo "== offscreen start on a set-up station"
# Wall time from process start to exit, and CPU time (user + system), which a busy CI machine inflates less.
times=()
TIMEFORMAT="%R s wall, %U+%S s CPU"
for i in 1 2 3; do
  { time STATION_EXIT_AFTER_START=1 $BIN > "$work/start.out" 2>/dev/null; } 2> "$work/start.time"
  screen="$(grep '^started: ' "$work/start.out" || true)"
  [ "$screen" = "started: SignInWidget" ] || { echo "start-up reached [$screen], not the sign-in screen" >&2; exit 1; }
  times+=("$(cat "$work/start.time")")
done

echo "== figures"
echo "bundle: ${bundle_mb} MB ($bundle)"
echo "deb: ${deb_mb} MB ($deb)"
printf 'launch to sign-in screen (offscreen, process start to exit): %s\n' "${times[@]}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
