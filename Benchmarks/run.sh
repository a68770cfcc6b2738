#!/usr/bin/env bash
# The benchmark: a release build, a generated London-wide ledger (EVENTS, default 1,100,000),
# and one table of medians (RUNS, default 5) beside the floors and the peers (SQLite, Python).
# Usage, from the repository root:  bash Benchmarks/run.sh      (EVENTS=500000 RUNS=3 SCALES= for a quick look;
# SCALES, default 500000,2000000, are the extra ledger sizes whose full-replay memory is shown)
set -euo pipefail
cd "$(dirname "$0")/.."
# The command as one deploys it: one static executable, the Swift runtime and the C library
# linked inside (-static-executable; the command line uses no Foundation: 22 MB), so nothing is
# looked up or relocated when it starts: about 2 ms to start here, against 5 with
# --static-swift-stdlib alone and 7 dynamically linked. Where the C library has no static archive to
# link, it falls back to --static-swift-stdlib. In a build folder of its own, so it never
# rebuilds the one `swift build` and the tests use.
OUTTURN="$PWD/.build-static/release/outturn"
if ! swift build -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path .build-static \
        --product outturn 2> >(grep -v "requires at runtime the shared libraries" >&2) >&2; then
    echo "Benchmarks/run.sh: no fully static executable here; linking the Swift runtime in only" >&2
    swift build -c release --static-swift-stdlib --scratch-path .build-static-stdlib --product outturn >&2
    OUTTURN="$PWD/.build-static-stdlib/release/outturn"
fi
export OUTTURN
command -v sqlite3 >/dev/null || { echo "Benchmarks/run.sh: needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(swift --version 2>&1 | head -1)"
exec python3 Benchmarks/bench.py
