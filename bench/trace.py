"""Summarise a trace written by `bench/gateway.py --trace DIR` (bench/probe/sitecustomize.py):
what the slowest requests overlapped (garbage collections by generation, writer bursts and
their commits, the outbox sender's and media store's rounds, recovery sweeps), and the latency
against time, so a periodic tail shows as such.

Run: .venv/bin/python bench/trace.py DIR/trace-PID.jsonl [--series 0.25]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("trace", type=Path)
    ap.add_argument("--series", type=float, default=0.25, help="seconds per line of the series")
    args = ap.parse_args()
    events = [json.loads(line) for line in args.trace.read_text().splitlines()]
    reqs = [(e[1], e[2]) for e in events if e[0] == "req" and e[3].startswith("/wechat")]
    for e in events:
        if e[0] == "heap":
            print(f"heap at the first request: {e[3]} objects tracked by the collector, "
                  f"{e[4]} frozen")
    t0, t1 = min(s for s, _ in reqs), max(e for _, e in reqs)
    span = t1 - t0
    lat = [1000 * (e - s) for s, e in reqs]
    print(f"{len(reqs)} requests in {span:.2f} s ({len(reqs) / span:.0f}/s); handler latency "
          f"ms p50 {pct(lat, 50):.1f} p90 {pct(lat, 90):.1f} p99 {pct(lat, 99):.1f} "
          f"max {max(lat):.1f}")
    inside = [e for e in events if e[0] not in ("req", "heap") and t0 <= e[1] <= t1]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for e in inside:
        if e[0] == "heap":
            continue
        key = f"gc{e[3]}" if e[0] == "gc" else e[0]
        by_kind[key].append(1000 * (e[2] - e[1]))
    print("what ran during the requests (count, total ms, p50 / max ms, share of the span):")
    for key in sorted(by_kind):
        d = by_kind[key]
        print(f"  {key:<8} {len(d):>6} {sum(d):>9.1f} {pct(d, 50):>7.2f} / {max(d):>7.2f}  "
              f"{sum(d) / 10 / span:5.1f}%")
    bursts = [e for e in inside if e[0] == "burst"]
    if bursts:
        sizes = [sum(e[3].values()) for e in bursts]
        kinds: Counter[str] = Counter()
        for e in bursts:
            kinds.update(e[3])
        gaps = [1000 * (b[1] - a[2]) for a, b in zip(bursts, bursts[1:], strict=False)]
        print(f"bursts: units p50 {pct(sizes, 50):.0f} max {max(sizes)}; units by kind "
              f"{dict(kinds)}; writer idle between bursts {sum(gaps):.0f} ms "
              f"({sum(gaps) / 10 / span:.1f}%), gap p50 {pct(gaps, 50):.2f} max "
              f"{max(gaps, default=0):.1f} ms")
    slow = sorted(reqs, key=lambda r: r[0] - r[1])[: max(1, len(reqs) // 100)]
    overlap: Counter[str] = Counter()
    for s, e in slow:
        for ev in inside:
            if ev[0] in ("gc", "sender", "media", "sweep") and ev[1] < e and ev[2] > s:
                overlap[f"gc{ev[3]}" if ev[0] == "gc" else ev[0]] += 1
    print(f"the slowest 1% ({len(slow)}): overlapped {dict(overlap)}")
    print(f"series ({args.series} s a line): requests ended, p50 / max handler ms, "
          f"gc2 ms, sender ms")
    lines: dict[int, list[float]] = defaultdict(list)
    for s, e in reqs:
        lines[int((e - t0) / args.series)].append(1000 * (e - s))
    other: dict[tuple[int, str], float] = defaultdict(float)
    for ev in inside:
        key = "gc2" if ev[0] == "gc" and ev[3] == 2 else ev[0]
        other[(int((ev[1] - t0) / args.series), key)] += 1000 * (ev[2] - ev[1])
    for i in sorted(lines):
        d = lines[i]
        print(f"  {i * args.series:6.2f} {len(d):>5} {pct(d, 50):7.1f} / {max(d):7.1f}  "
              f"{other[(i, 'gc2')]:6.1f} {other[(i, 'sender')]:7.1f}")


if __name__ == "__main__":
    main()
