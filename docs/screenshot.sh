#!/usr/bin/env bash
# Regenerates docs/report.png, the README's picture of a board report: `outturn report` on the
# bundled example ledger as known on 2015-04-01 (a fixed point in time, so the picture only
# changes when the report does), rendered by headless Chromium (Debian's `chromium` package)
# at the size of an A4 page at 150 dpi, 1240 × 1754 pixels.
#
# Run from the repository root (or anywhere): bash docs/screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    echo "docs/screenshot.sh: needs chromium (Debian: apt-get install -y chromium)" >&2
    exit 1
fi
swift build -q --product outturn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/debug/outturn report --ledger Examples/lewisham-2015-16.jsonl --as-of 2015-04-01 --out "$work/report.html" >/dev/null
# An 827 × 1169 window at scale 1.5 is A4 at 150 dpi; the page's own width is the printed one.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --force-device-scale-factor=1.5 --window-size=827,1169 \
    --screenshot="$work/report.png" "file://$work/report.html" 2>/dev/null
mv "$work/report.png" docs/report.png
echo "wrote docs/report.png"
