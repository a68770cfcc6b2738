#!/usr/bin/env python3
"""The Outturn benchmark: generates a London-wide ledger and prints one table of medians.

Run through Benchmarks/run.sh (which builds the release binary first). Every figure is the
median of RUNS runs of a whole process, timed with /usr/bin/time (wall seconds and peak
RSS), beside its floor (reading the file; hashing it) and beside SQLite and a plain Python
script answering the same as-of question. Views are timed cold (OUTTURN_CHECKPOINT_EVERY=0:
every replay from seq 1, no checkpoint read or written) and warm (a checkpoint beside the log).
The as-of question is also timed against SQLite in turns (TURNS, default 41, runs of each,
alternating), as the two take about the same few milliseconds.
Environment: EVENTS (default 1100000), RUNS (5), TURNS (41), WORK (a scratch folder, default
/tmp/outturn-bench), SCALES (extra ledger sizes for the memory table).
"""
import json, os, shutil, sqlite3, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTTURN = os.environ.get("OUTTURN") or os.path.join(ROOT, ".build", "release", "outturn")
EVENTS = int(os.environ.get("EVENTS", "1100000"))
RUNS = int(os.environ.get("RUNS", "5"))
TURNS = int(os.environ.get("TURNS", "41"))  # runs each of ours and SQLite's as-of answer, in turns
WORK = os.environ.get("WORK", "/tmp/outturn-bench")
LEDGER = os.path.join(WORK, f"london-{EVENTS}.jsonl")
MPS = os.path.join(os.path.dirname(ROOT), "shared", "data", "mps", "borough-crime-new-scheme-2010-04_2023-09.csv")
PARTNERSHIP, INDICATOR = "borough-1", "MOPAC7.burglary"


COLD = dict(os.environ, OUTTURN_CHECKPOINT_EVERY="0")


def timed(command, shell=False, stdin=None, env=None):
    """Runs a command under /usr/bin/time; returns (wall seconds, peak RSS in MB, stdout)."""
    t = ["/usr/bin/time", "-f", "%e %M"]
    args = t + (["sh", "-c", command] if shell else command)
    started = time.perf_counter()  # /usr/bin/time's %e has 10 ms steps; this has microseconds
    p = subprocess.run(args, capture_output=True, text=True, stdin=stdin, env=env)
    wall = time.perf_counter() - started
    if p.returncode != 0:
        sys.exit(f"benchmark: {command} failed: {p.stderr[-2000:]}")
    _, rss = p.stderr.strip().splitlines()[-1].split()
    return wall, int(rss) / 1024, p.stdout


def timed_directly(command):
    """Runs a command as this script's own child (not under /usr/bin/time, whose start would add
    about a millisecond to both sides of a comparison of two answers of 3 ms); returns (wall
    seconds, stdout). (No peak RSS: a child's, as the kernel counts it, includes this script's
    before the command replaced it.)"""
    started = time.perf_counter()
    p = subprocess.run(command, capture_output=True, text=True)  # (text, as `timed` reads it: the same answer compares equal)
    wall = time.perf_counter() - started
    if p.returncode != 0:
        sys.exit(f"benchmark: {command} failed: {p.stderr[-2000:]}")
    return wall, p.stdout


def median(command, shell=False, runs=RUNS, setup=None, env=None):
    walls, rsss, out = [], [], ""
    for _ in range(runs):
        if setup:
            setup()
        w, r, out = timed(command, shell, env=env)
        walls.append(w)
        rsss.append(r)
    return statistics.median(walls), max(rsss), out


def main():
    os.makedirs(WORK, exist_ok=True)
    ledger_of(EVENTS)
    size_mb = os.path.getsize(LEDGER) / 1e6
    events = sum(1 for _ in open(LEDGER, "rb"))
    # A point in the middle of the history, and the board held nearest it.
    middle = json.loads(subprocess.run(["sed", "-n", f"{events // 2}p", LEDGER], capture_output=True, text=True).stdout)
    as_of = middle["known"]
    boards = [json.loads(l) for l in subprocess.run(["grep", '"type":"board.held"', LEDGER], capture_output=True, text=True).stdout.splitlines()]
    board = min((b for b in boards if b["data"]["partnership"] == PARTNERSHIP), key=lambda b: abs(b["seq"] - events // 2))
    board_spec = f"{board['data']['board']}@{board['data']['date']}"

    rows = []
    def row(what, seconds, rss, rate=None, floor=None):
        rows.append((what, seconds, rss, rate, floor))
        print(f"  {what}: {seconds:.3f} s, {rss:,.0f} MB {rate or ''} {floor or ''}", file=sys.stderr, flush=True)

    cat, cat_rss, _ = median(f"cat {LEDGER} > /dev/null", shell=True)
    sha, sha_rss, _ = median(["sha256sum", LEDGER])
    row("floor: cat > /dev/null", cat, cat_rss, f"{size_mb / cat:,.0f} MB/s")
    row("floor: sha256sum", sha, sha_rss, f"{size_mb / sha:,.0f} MB/s")

    w, r, _ = median([OUTTURN, "verify", "--ledger", LEDGER])
    row("verify", w, r, f"{size_mb / w:,.0f} MB/s", f"{sha / w:.2f}× sha256sum's speed")

    full_replay = f"{OUTTURN} replay --ledger {LEDGER} --as-of 9999-12-31 --format json > /dev/null"
    w, r, _ = median(full_replay, shell=True, env=COLD)
    row("full replay into all projections, from the log (cold)", w, r, f"{events / w:,.0f} events/s", f"{cat / w * 100:.1f}% of cat's speed")

    # Checkpoints: the first view after 10,000 new events writes one; every view after reads it.
    checkpoint = LEDGER + ".ckpt"
    def no_checkpoint():
        if os.path.exists(checkpoint):
            os.remove(checkpoint)
    write = [OUTTURN, "status", "--ledger", LEDGER, "--partnership", PARTNERSHIP, "--format", "csv"]
    w, r, _ = median(write, setup=no_checkpoint)
    row("a status view that writes the checkpoint (none beside the ledger)", w, r, None,
        f"checkpoint {os.path.getsize(checkpoint) / 1e6:,.0f} MB")
    w, r, _ = median(full_replay, shell=True)
    row("full replay into all projections, from the checkpoint (warm)", w, r, f"{events / w:,.0f} events/s")

    question = [OUTTURN, "status", "--ledger", LEDGER, "--partnership", PARTNERSHIP, "--indicator", INDICATOR, "--as-of", as_of, "--format", "csv"]
    w, r, cold_out = median(question, env=COLD)
    row(f"status --as-of {as_of}, cold", w, r)
    w, r, ours_out = median(question)
    ours, ours_rss = w, r
    row(f"status --as-of {as_of}, warm", w, r)
    if cold_out != ours_out:
        sys.exit("benchmark: the as-of view differs with and without the checkpoint")
    board_view = [OUTTURN, "replay", "--ledger", LEDGER, "--board", board_spec, "--partnership", PARTNERSHIP, "--format", "json"]
    w, r, cold_out = median(board_view, env=COLD)
    row(f"replay --board {board_spec}, cold", w, r)
    w, r, warm_out = median(board_view)
    row(f"replay --board {board_spec}, warm", w, r)
    if cold_out != warm_out:
        sys.exit("benchmark: the board view differs with and without the checkpoint")

    # One figure, as a feed script appends it: for a month after the history (no view of the
    # history changes), known today (so no as-of view counts it). Not a new indicator each time:
    # the ledger would gather the benchmark's own definitions, which every view then reads.
    n = [0]
    def one_event():
        n[0] += 1
        with open(os.path.join(WORK, "one.jsonl"), "w") as f:
            f.write(json.dumps({"type": "outturn.recorded", "id": f"bench-{time.time_ns()}-{n[0]}",
                                "data": {"partnership": PARTNERSHIP, "indicator": INDICATOR, "period": "2099-12", "value": n[0]}}) + "\n")
    append_one = [OUTTURN, "append", "--ledger", LEDGER, "--file", os.path.join(WORK, "one.jsonl")]
    # The first append to a ledger `generate` wrote builds its id hash table (<ledger>.idx.hash)
    # once, as a ledger's first append does: not timed, as no later append does it.
    one_event()
    timed(append_one)
    w, r, _ = median(append_one, setup=one_event, env=COLD)
    row("one `outturn append` of 1 event, whole process, cold", w, r)
    w, r, _ = median(append_one, setup=one_event)
    row("one `outturn append` of 1 event, whole process, warm", w, r)

    batch = os.path.join(WORK, "batch.jsonl")
    with open(batch, "w") as f:
        for i in range(100_000):
            f.write(json.dumps({"type": "indicator.defined", "id": f"b-{i}",
                                "data": {"indicator": f"b-{i}", "name": f"Batch {i}", "unit": "count", "polarity": "lower-better"}}, separators=(",", ":")) + "\n")
    fresh = os.path.join(WORK, "fresh.jsonl")
    def new_ledger():
        for suffix in ("", ".idx", ".idx.hash", ".undo", ".torn"):
            if os.path.exists(fresh + suffix):
                os.remove(fresh + suffix)
        subprocess.run([OUTTURN, "init", "--ledger", fresh], capture_output=True, check=True)
    w, r, _ = median(f"{OUTTURN} append --ledger {fresh} --file {batch} > /dev/null", shell=True, setup=new_ledger)
    row("append 100,000 events in one batch (new ledger)", w, r, f"{100_000 / w:,.0f} events/s")
    # A month's feed as a script appends it: figures without ids (the ledger makes them), to
    # the London ledger (a copy of it, with its index and checkpoint, for each run).
    feed = os.path.join(WORK, "feed-50000.jsonl")
    with open(feed, "w") as f:
        crimes = ["burglary", "robbery", "vwi", "tfp", "tfmv", "tomv", "cd"]  # the MOPAC 7's parts, for each borough
        for i in range(50_000):
            series, month = i % 224, i // 224
            f.write(json.dumps({"type": "outturn.recorded", "data": {
                "partnership": f"borough-{series % 32 + 1}", "indicator": f"MOPAC7.{crimes[series // 32]}",
                "period": f"{2040 + month // 12}-{month % 12 + 1:02d}", "value": 100 + i % 50}}, separators=(",", ":")) + "\n")
    copy = os.path.join(WORK, "copy.jsonl")
    def copy_ledger():
        for suffix in ("", ".idx", ".idx.hash", ".ckpt", ".ckpt.sums"):
            if os.path.exists(LEDGER + suffix):
                shutil.copyfile(LEDGER + suffix, copy + suffix)
            elif os.path.exists(copy + suffix):
                os.remove(copy + suffix)
    w, r, _ = median(f"{OUTTURN} append --ledger {copy} --file {feed} > /dev/null", shell=True, setup=copy_ledger)
    row("append a feed of 50,000 outturns without ids to the London ledger", w, r, f"{50_000 / w:,.0f} events/s")
    for suffix in ("", ".idx", ".idx.hash", ".ckpt", ".ckpt.sums", ".undo"):
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    if os.path.exists(MPS):
        w, r, _ = median([OUTTURN, "import", "--ledger", fresh, "--format", "mps-borough", MPS], setup=new_ledger)
        row("import the Met's 0.5 MB file (153,766 events, new ledger)", w, r, f"{153_766 / w:,.0f} events/s")

    # The same as-of question, answered by SQLite over an indexed table and by plain Python.
    db = os.path.join(WORK, f"london-{EVENTS}.sqlite")
    if not os.path.exists(db):
        load_sqlite(db)
    sql = f"""WITH live AS (
      SELECT o.period, o.value, o.seq FROM outturns o
      WHERE o.area = '{PARTNERSHIP}' AND o.indicator IN ({",".join(f"'{c}'" for c in components(INDICATOR))}) AND o.known <= '{as_of}'
        AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.target = o.id AND r.known <= '{as_of}')),
    latest AS (SELECT period, value FROM live l WHERE seq = (SELECT max(seq) FROM live m WHERE m.period = l.period))
    SELECT period, value FROM latest ORDER BY period DESC LIMIT 1;"""
    # Ours and SQLite in turns, many times: each answer takes about 3 ms, and this machine's speed
    # drifts by more than their difference within minutes, so medians taken minutes apart would
    # compare the drift. (Each run a whole process, timed from starting it to its end; the peak
    # RSS of each from a run under /usr/bin/time: ours the warm view's above.)
    sqlite_question = ["sqlite3", db, sql]
    _, sqlite_rss, _ = timed(sqlite_question)
    turns = {"ours": [], "sqlite": []}
    for _ in range(TURNS):
        for who, command in (("ours", question), ("sqlite", sqlite_question)):
            w, out = timed_directly(command)
            turns[who].append(w)
            if who == "sqlite":
                sqlite_out = out
            elif out != ours_out:
                sys.exit("benchmark: the as-of view's answer changed between runs")
    ours_turns, sqlite_turns = statistics.median(turns["ours"]), statistics.median(turns["sqlite"])
    row(f"status --as-of {as_of}, warm, in turns with SQLite (median of {TURNS}, not under /usr/bin/time)", ours_turns, ours_rss,
        None, f"{ours_turns * 1000:.2f} ms")
    row(f"the same as-of question in SQLite (indexed table; load not counted; median of {TURNS}, in turns with ours)", sqlite_turns,
        sqlite_rss, None, f"{sqlite_turns * 1000:.2f} ms: ours takes {ours_turns / sqlite_turns:.2f}× its time")
    script = os.path.join(ROOT, "Benchmarks", "asof.py")
    w, r, python_out = median(["python3", script, LEDGER, PARTNERSHIP, INDICATOR, as_of])
    row("the same as-of question in Python (json.loads per line)", w, r, None, f"ours takes 1/{w / ours:,.0f} of its time")

    # How peak memory grows: the same full replay (cold) and as-of view (warm) on smaller and larger ledgers.
    scaling = []
    for n in sorted({int(x) for x in os.environ.get("SCALES", "500000,2000000").split(",") if x} | {EVENTS}):
        path = ledger_of(n)
        runs = RUNS if n == EVENTS else 1
        # Read once first, so the one timed run finds the file in the page cache, as the main
        # ledger's runs do (its floors read it first): this machine lets go of cached files freely.
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)
        w, r, _ = median(f"{OUTTURN} replay --ledger {path} --as-of 9999-12-31 --format json > /dev/null", shell=True, runs=runs, env=COLD)
        timed([OUTTURN, "status", "--ledger", path, "--partnership", PARTNERSHIP, "--format", "csv"])  # writes the checkpoint if due
        aw, ar, _ = median([OUTTURN, "status", "--ledger", path, "--partnership", PARTNERSHIP, "--indicator", INDICATOR,
                            "--as-of", as_of, "--format", "csv"], runs=runs)
        scaling.append((n, os.path.getsize(path) / 1e6, w, r, aw, ar))
        print(f"  scaling {n}: {w:.3f} s, {r:,.0f} MB; as-of warm {aw:.3f} s, {ar:,.0f} MB", file=sys.stderr, flush=True)

    print(f"Ledger: {events:,} events, {size_mb:,.0f} MB; median of {RUNS} runs; {os.cpu_count()} cores")
    print(f"As-of question: {PARTNERSHIP} / {INDICATOR} as known on {as_of} — ours: {ours_out.strip().splitlines()[-1].split(',')[2:4]}, "
          f"SQLite: {sqlite_out.strip()}, Python: {python_out.strip()}")
    print()
    print(f"| measurement | median s | peak RSS MB | rate | beside |")
    print(f"|---|---:|---:|---:|---|")
    for what, s, rss, rate, floor in rows:
        print(f"| {what} | {s:.3f} | {rss:,.0f} | {rate or ''} | {floor or ''} |")
    print()
    print("As the ledger grows (one run each but the main ledger's): full replay from the log, and the as-of view from a checkpoint:")
    print()
    print("| events | MB on disk | full replay s | events/s | peak RSS MB | as-of view (warm) s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, mb, w, r, aw, ar in scaling:
        print(f"| {n:,} | {mb:,.0f} | {w:.3f} | {n / w:,.0f} | {r:,.0f} | {aw:.3f} | {ar:,.0f} |")


def ledger_of(events):
    """The generated ledger of `events` events in WORK, generating it the first time."""
    path = os.path.join(WORK, f"london-{events}.jsonl")
    if not os.path.exists(path):
        print(f"generating {events} events into {path} …", file=sys.stderr)
        w, r, _ = timed([OUTTURN, "generate", "--ledger", path, "--events", str(events)])
        print(f"generated in {w:.1f} s ({events / w:,.0f} events/s, peak {r:.0f} MB)", file=sys.stderr)
    return path


def components(indicator):
    return [indicator]


def load_sqlite(path):
    print(f"loading {LEDGER} into SQLite {path} …", file=sys.stderr)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE outturns (seq INTEGER, id TEXT, known TEXT, area TEXT, indicator TEXT, period TEXT, value REAL)")
    con.execute("CREATE TABLE retractions (seq INTEGER, known TEXT, target TEXT)")
    with open(LEDGER) as f:
        batch, rbatch = [], []
        for line in f:
            e = json.loads(line)
            d = e["data"]
            if e["type"] == "outturn.recorded" and "value" in d:
                batch.append((e["seq"], e["id"], e["known"], d.get("partnership") or d.get("area"), d["indicator"], d["period"], d["value"]))
            elif e["type"] == "event.retracted":
                rbatch.append((e["seq"], e["known"], str(d["event"])))
        con.executemany("INSERT INTO outturns VALUES (?,?,?,?,?,?,?)", batch)
        con.executemany("INSERT INTO retractions VALUES (?,?,?)", rbatch)
    con.execute("CREATE INDEX by_key ON outturns (area, indicator, known)")
    con.execute("CREATE INDEX by_target ON retractions (target, known)")
    con.commit()
    con.close()


if __name__ == "__main__":
    main()
