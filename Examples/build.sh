#!/usr/bin/env bash
# Rebuilds every example ledger from its feed files, through the normal `outturn append` path.
# Run from the repository root: bash Examples/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -q --product outturn
outturn=".build/debug/outturn"
for dir in Examples/*/; do
    name=$(basename "$dir")
    [ -f "$dir/plan.jsonl" ] || continue  # folders without a plan (errors/) are not ledgers
    ledger="Examples/$name.jsonl"
    rm -f "$ledger" "$ledger.idx" "$ledger.undo" "$ledger.torn"
    "$outturn" init --ledger "$ledger" >/dev/null
    for feed in "$dir"/*.jsonl; do
        "$outturn" append --ledger "$ledger" --actor examples --file "$feed" >/dev/null
    done
    "$outturn" verify --ledger "$ledger"
done
