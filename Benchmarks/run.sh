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
# Built from clean whenever the sources differ from the last build's: an incremental build has
# been seen to keep a struct's old layout in a module that uses it (a wrong answer, or a crash,
# timed as if right). The stamp is the sources' committed contents and their uncommitted changes
# (a change to the README or the tests builds nothing again); without git, always from clean.
stamp=$( { git ls-files -s -- Package.swift Sources EventLog Projections && git diff HEAD -- Package.swift Sources EventLog Projections; } 2>/dev/null | cksum || true)
git rev-parse --git-dir >/dev/null 2>&1 || stamp=""
for dir in .build-static .build-static-stdlib; do
    if [ -d "$dir" ] && { [ -z "$stamp" ] || [ "$(cat "$dir/.sources-stamp" 2>/dev/null)" != "$stamp" ]; }; then
        echo "Benchmarks/run.sh: the sources changed since $dir was built: building from clean" >&2
        rm -rf "$dir"
    fi
done
if ! swift build -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path .build-static \
        --product outturn 2> >(grep -v "requires at runtime the shared libraries" >&2) >&2; then
    echo "Benchmarks/run.sh: no fully static executable here; linking the Swift runtime in only" >&2
    swift build -c release --static-swift-stdlib --scratch-path .build-static-stdlib --product outturn >&2
    OUTTURN="$PWD/.build-static-stdlib/release/outturn"
fi
export OUTTURN
[ -n "$stamp" ] && echo "$stamp" > "$(dirname "$(dirname "$OUTTURN")")/.sources-stamp"
command -v sqlite3 >/dev/null || { echo "Benchmarks/run.sh: needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(swift --version 2>&1 | head -1)"
exec python3 Benchmarks/bench.py
