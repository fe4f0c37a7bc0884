#!/usr/bin/env bash
# Renders report.html of a short default run in headless Chromium (Debian's `chromium`
# package): the page must load with no console errors or failed loads, and its screenshot
# must show the plots (coloured pixels; tables and text are grey). Keeps the screenshot
# in tests/browser/report.png. Not part of `cargo test`: a fresh machine has no Chromium.
# Usage: tests/browser/check-report.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v chromium >/dev/null || { echo "chromium not installed (apt-get install chromium)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --release -q -- run --trials 2 --out "$work/run" > /dev/null
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
  --window-size=1280,7000 --screenshot="$work/report.png" \
  "file://$work/run/report.html" 2> "$work/chromium.log" || true
if grep -E "CONSOLE|Uncaught|Failed to load|net::ERR" "$work/chromium.log"; then
  echo "FAIL: console errors or failed loads (above)"
  exit 1
fi
test -s "$work/report.png" || { echo "FAIL: no screenshot"; cat "$work/chromium.log"; exit 1; }
python3 tests/browser/png_colour.py "$work/report.png" 0.005
cp "$work/report.png" tests/browser/report.png
echo "OK: report.html renders without console errors; screenshot in tests/browser/report.png"
