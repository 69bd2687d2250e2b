#!/usr/bin/env python3
"""How much of a branch's cross-traffic delay tail follows the governor's LEDBAT++ slowdowns.

Reads a `bc-netsim emulate` run directory: the link's 100 ms series (links.json, downlink =
b_to_a) and the branch reflector's log (nodes/<branch>-r1.log, its "slowdown_start/end down"
lines). The log is in wall time and the series in run time: the offset is the one at which the
rollout's bytes fall most right after the logged slowdown starts. Prints, for the second after
each slowdown end, the peak queue and when the largest backlog came, and the share of the cross
packets delayed >= 25 ms (against the shadow queue, xt_added_delay_ms) that fall in those seconds.

Usage: scripts/slowdown-tail.py RUN_DIR [BRANCH]   (docs/benchmarks.md, "WAN governor on the emulated WAN")
"""
import collections
import datetime
import json
import re
import sys


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run = sys.argv[1]
    branch = sys.argv[2] if len(sys.argv) > 2 else "slow"
    s = json.load(open(run + "/links.json"))["links"][branch]["b_to_a"]["series"]
    t = [x / 1000 for x in s["t_ms"]]
    queue_ms = [x / 1000 for x in s["max_queue_delay_us"]]
    backlog = s["backlog_bytes"]
    added = s["xt_added_delay_ms"]
    rollout = [s["bytes_out"][i] - s["xt_bytes_out"][i] for i in range(len(t))]

    starts, ends = [], []
    for line in open(f"{run}/nodes/{branch}-r1.log"):
        m = re.match(r"\[(\S+ \S+)\]", line)
        if not m:
            continue
        wall = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        if "slowdown_start down" in line:
            starts.append(wall)
        elif "slowdown_end down" in line:
            ends.append(wall)
    if not starts or not ends:
        sys.exit("no slowdowns in the reflector's log")

    index = {round(x, 1): i for i, x in enumerate(t)}
    at = lambda x: rollout[index[round(x, 1)]] if round(x, 1) in index else 0

    def contrast(offset):  # rollout bytes after each start minus just before it
        return sum(at(w - offset + dt) for w in starts for dt in (0.3, 0.4)) - \
               sum(at(w - offset + dt) for w in starts for dt in (-0.2, -0.1))

    offsets = [starts[0] - k / 100 for k in range(int(t[-1] * 100))]
    offset = min(offsets, key=contrast)
    ends = [w - offset for w in ends]

    peaks, lags = [], []
    for e in ends:
        window = [i for i in range(len(t)) if e <= t[i] <= e + 1.0]
        peaks.append(max(queue_ms[i] for i in window) if window else -1)
        worst = max(window, key=lambda i: backlog[i]) if window else None
        lags.append(round(t[worst] - e, 2) if worst is not None else -1)
    print(f"{len(ends)} slowdown ends, the first at run t={ends[0]:.1f} s")
    print("peak queue in the second after each end (ms):", " ".join(f"{p:.0f}" for p in peaks))
    print("largest backlog, s after each end:", lags)

    lo, hi = min(ends) - 10, max(ends) + 10
    total = over = over_near = 0
    everything, elsewhere = collections.Counter(), collections.Counter()
    for i, ti in enumerate(t):
        if not lo <= ti <= hi:
            continue
        near = any(e <= ti <= e + 1.0 for e in ends)
        for ms, n in added[i]:
            total += n
            everything[ms] += n
            if not near:
                elsewhere[ms] += n
            if ms >= 25:
                over += n
                over_near += n if near else 0

    def p95(h):  # upper edge of the 1 ms bucket, as the report gives it
        want, seen = 0.95 * sum(h.values()), 0
        for ms in sorted(h):
            seen += h[ms]
            if seen >= want:
                return ms + 1
        return -1

    print(f"cross packets delayed >= 25 ms: {over} of {total} ({100 * over / max(total, 1):.2f}%), "
          f"{over_near} ({100 * over_near / max(over, 1):.0f}%) in the second after a slowdown end; "
          f"p95 {p95(everything)} ms, without those seconds {p95(elsewhere)} ms")


if __name__ == "__main__":
    sys.exit(main())
