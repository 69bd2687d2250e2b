#!/usr/bin/env python3
"""Start-up and utilisation of each branch's WAN downlink in a netsim run.

Usage: governor-startup.py RUN_DIR [RUN_DIR ...]
Reads RUN_DIR/links.json (the emulator's series, run clock) and run.json
(the scenario: link rates, assignment time). Per branch: the time from the
fetch's start at the link (the first second at >= 10% of the link
after the assignment) to the end of the first 1 s window at >= 90% of
it (idle-link start-up), and the link's utilisation from the first payload
(a 100 ms bin at >= 5% of the link) to
the time 95% of the layer crossed it (or the end of the run): IP bytes /
(rate x time); run from the directory emulate ran in. Figures for docs/benchmarks.md, "Governor start-up and random loss".
"""
import json
import sys
import tomllib


def branch_rows(run_dir):
    links = json.load(open(f"{run_dir}/links.json"))["links"]
    run = json.load(open(f"{run_dir}/run.json"))
    sc = tomllib.load(open(run["scenario"], "rb"))  # run.json names the scenario file
    scale = run.get("scale", 1)
    layer_bytes = sum(max(65536, l["size_mib"] * scale * 2**20) for l in sc["layers"])
    assigned_ms = min(a["at_s"] for a in sc["assignments"]) * scale * 1000
    rates = {b["name"]: b["wan"]["down_mbit"] * 125_000 for b in sc["branches"]}
    for name, link in sorted(links.items()):
        step = link["series_interval_ms"]
        s = link["b_to_a"]["series"]
        t, out = s["t_ms"], s["bytes_out"]
        rate = rates.get(name)
        if not rate:
            continue
        # The fetch starts at the first 100 ms bin at >= 5% of the link,
        # after the assignment, that opens a second at >= 10% of it: polls,
        # reports, the manifest and the handshakes stay below that.
        win = max(1, 1000 // step)
        bin_min = 0.05 * rate * step / 1000
        first = next((i for i in range(len(t) - win + 1)
                      if t[i] >= assigned_ms and out[i] >= bin_min and sum(out[i:i + win]) >= 0.1 * rate), None)
        # Utilisation counts from the first payload (a 100 ms bin at >= 5%):
        # a slow start is part of what it measures.
        payload = next((i for i in range(len(t)) if t[i] >= assigned_ms and out[i] >= bin_min), None)
        if payload is None:
            yield name, rate, None, None, None
            continue
        t90 = None
        for i in range(first if first is not None else len(t), len(t) - win + 1):
            if sum(out[i:i + win]) >= 0.9 * rate:
                t90 = (t[i + win - 1] + step - t[first]) / 1000
                break
        total, end = 0, len(t) - 1
        goal = 0.95 * layer_bytes
        for i in range(payload, len(t)):
            total += out[i]
            if goal and total >= goal:
                end = i
                break
        dur = (t[end] + step - t[payload]) / 1000
        yield name, rate, t[first] / 1000 if first is not None else None, t90, total / (rate * dur)


def main():
    for run_dir in sys.argv[1:]:
        print(f"{run_dir}:")
        print("  branch  link Mbit/s    fetch start s  to 90% s  utilisation")
        for name, rate, first, t90, util in branch_rows(run_dir):
            f = lambda v, fmt: fmt % v if v is not None else "-"
            print(f"  {name:6}  {rate * 8 / 1e6:11.1f}  {f(first, '%15.1f')}  {f(t90, '%8.1f')}  {f(util, '%11.2f')}")


if __name__ == "__main__":
    main()
