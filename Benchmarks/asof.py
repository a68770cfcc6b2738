#!/usr/bin/env python3
"""The as-of question as a plain Python script would answer it: json.loads every line,
keep what was known by the date and not retracted by then, and print the latest period's
value for one area and indicator. Usage: asof.py LEDGER AREA INDICATOR YYYY-MM-DD"""
import json, sys

ledger, area, indicator, as_of = sys.argv[1:5]
latest = {}      # period -> (seq, id, value)
retracted = set()
for line in open(ledger):
    e = json.loads(line)
    if e["known"] > as_of:
        continue
    d = e["data"]
    if e["type"] == "event.retracted":
        retracted.add(str(d["event"]))
    elif e["type"] == "outturn.recorded" and (d.get("partnership") or d.get("area")) == area and d["indicator"] == indicator and "value" in d:
        latest.setdefault(d["period"], []).append((e["seq"], e["id"], d["value"]))
live = {p: [x for x in xs if x[1] not in retracted] for p, xs in latest.items()}
live = {p: xs[-1] for p, xs in live.items() if xs}
period = max(live)
print(f"{period}|{live[period][2]}")
