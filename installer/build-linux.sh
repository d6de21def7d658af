#!/usr/bin/env bash
# Build the Linux installers from this checkout: the PyInstaller one-folder bundle, then a .deb (dpkg-deb).
#
#   installer/build-linux.sh [OUT_DIR]        (default: build/installer)
#
# Needs the project's .venv with PyInstaller (`.venv/bin/pip install -c installer/constraints.txt pyinstaller`)
# and Debian's dpkg-dev tools (dpkg-deb, readelf from binutils). Writes:
#   OUT_DIR/dist/registration-station/         the bundle (run ./station)
#   OUT_DIR/registration-station_<version>_<arch>.deb
#   OUT_DIR/build-info.txt                     version, sizes, build time
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/build/installer}" && cd "${1:-$ROOT/build/installer}" && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
cd "$ROOT"
VERSION="$("$PY" -c 'import station; print(station.__version__)')"
APP_ID="$("$PY" -c 'import station; print(station.APP_ID)')"
ARCH="$(dpkg --print-architecture)"
ICONS="$("$PY" -c 'from station.paths import icons_dir; print(icons_dir())')"
started=$(date +%s)

echo "== PyInstaller bundle ($VERSION)"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$OUT/dist" --workpath "$OUT/work" installer/pyinstaller/station.spec
BUNDLE="$OUT/dist/$APP_ID"

# Debug symbols out of what carries them (the interpreter, sqlcipher3, the stdlib's extension modules): tens of
# MB. Libraries patched by auditwheel (under *.libs/, or pointing there by RPATH) are left alone: strip breaks
# them ("ELF load command address/offset not page-aligned").
find "$BUNDLE" -type f \( -name '*.so' -o -name '*.so.*' \) -not -path '*.libs/*' -print0 |
  while IFS= read -r -d '' lib; do
    if file -b "$lib" | grep -q 'not stripped' && ! readelf -d "$lib" 2>/dev/null | grep -Eq 'R(UN)?PATH.*\.libs'; then
      strip --strip-debug "$lib"
    fi
  done
"$BUNDLE/station" --version | grep -qx "Registration Station $VERSION" || {
  echo "build-linux.sh: the bundle does not report version $VERSION" >&2; exit 1; }

echo "== Debian package"
PKG="$OUT/deb/${APP_ID}_${VERSION}_${ARCH}"
rm -rf "$PKG"
install -d "$PKG/DEBIAN" "$PKG/opt/$APP_ID" "$PKG/usr/bin" "$PKG/usr/share/applications" \
  "$PKG/usr/share/doc/$APP_ID" "$PKG/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE/." "$PKG/opt/$APP_ID/"
install -m 0755 installer/linux/station-wrapper.sh "$PKG/usr/bin/station"
# postinst (as root): the print system keeps no copy of printed cards (issue 15)
install -m 0755 installer/linux/secure-cups.sh "$PKG/DEBIAN/postinst"
install -m 0644 installer/linux/registration-station.desktop "$PKG/usr/share/applications/$APP_ID.desktop"
install -m 0644 "$ICONS/$APP_ID.svg" "$PKG/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 0644 "$ICONS/$APP_ID-$size.png" "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
{
  echo "Registration Station $VERSION, bundled with its Python runtime and libraries (PyInstaller)."
  echo "Pinned dependency versions: installer/constraints.txt in the source."
  echo
  echo "Fonts: Noto (SIL Open Font License 1.1):"
  cat "$("$PY" -c 'from station.paths import fonts_dir; print(fonts_dir())')/OFL.txt"
} > "$PKG/usr/share/doc/$APP_ID/copyright"

# Depends: the Debian packages holding every shared library the bundle needs but does not carry
# (graphics drivers, C library), found with readelf + ldconfig + dpkg -S, as dpkg-shlibdeps would.
DEPENDS="$("$PY" installer/linux/deb_depends.py "$PKG/opt/$APP_ID")"
INSTALLED_KB="$(du -sk --apparent-size "$PKG" | cut -f1)"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: $APP_ID
Version: $VERSION
Architecture: $ARCH
Maintainer: Registration Station maintainers <station@invalid>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: cups-client
Section: misc
Priority: optional
Homepage: https://invalid/registration-station
Description: offline registration desk for displaced households
 Registers households and their members, photographs them through the webcam,
 reads ID documents, prints wristbands and ration cards, and exports the
 records encrypted to a USB stick. Works with no network. Records stay in
 the user's data folder (~/.local/share/RegistrationStation), which removing
 or upgrading the package never touches; a newer version migrates them at
 start-up after a backup copy.
CONTROL
find "$PKG" -type d -exec chmod 0755 {} +
DEB="$OUT/${APP_ID}_${VERSION}_${ARCH}.deb"
# xz for the field (smallest stick); CI may pass STATION_DEB_COMPRESSOR=gzip STATION_DEB_LEVEL=1 (xz took 30 min there)
dpkg-deb --root-owner-group -Z"${STATION_DEB_COMPRESSOR:-xz}" -z"${STATION_DEB_LEVEL:-6}" --build "$PKG" "$DEB" >/dev/null
dpkg-deb --info "$DEB" >/dev/null

bundle_mb=$(du -sm --apparent-size "$BUNDLE" | cut -f1)
deb_mb=$(du -sm --apparent-size "$DEB" | cut -f1)
{
  echo "version=$VERSION"
  echo "bundle=$BUNDLE"
  echo "bundle_mb=$bundle_mb"
  echo "deb=$DEB"
  echo "deb_mb=$deb_mb"
  echo "build_seconds=$(( $(date +%s) - started ))"
} | tee "$OUT/build-info.txt"
