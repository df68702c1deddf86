#!/usr/bin/env python3
"""Runs benchmark cases interleaved and prints a markdown table.

Called by scripts/bench.sh, which starts the servers and builds the
binaries; this file only runs commands and does the arithmetic.

    runs.py SPEC.json

SPEC: {"title": str, "rounds": int, "rss_runs": int, "time_bin": path,
       "baseline": label, "floor": label or null, "work_units": int or null,
       "unit": "page", "cases": [{"label", "argv", "env", "expect"}]}
Optional: a case's "requests" (a "requests" column: what the server
counted for one run), "targets" ({"floor_ratio", "compare_ratio",
"rss_mb"}: the goals the lines under the table compare with, as ratios;
without it the one-check goals: within 2 ms of the floor, ≥ 100× for the
CLI, ≤ 4 MB), "throughput" ({"bytes", "events", "ceiling_s",
"ceiling_label", "mb_per_cpu_s", "floor_ratio", "rss_mb"}: every case
processes `bytes` of inflated JSON holding `events`; adds the columns
inflated MB per CPU-second and events per second (wall), and the goals:
ours at least mb_per_cpu_s, ours' CPU within floor_ratio of the floor's,
peak RSS under rss_mb, and the LookupEvents ceiling for the same events,
ceiling_s seconds), and "notes" (lines printed after the table).

Every round runs each case once, in an order rotated by one each round,
so a slow spell of the machine lands on every case alike. Wall time is
taken around fork to reap (os.wait4), from this process; CPU time comes
from the same wait4 (the child and the children it reaped). Peak RSS is
read separately with GNU time -v (`Maximum resident set size`), a few
runs per case, its largest value. Each run's exit code and first output
line are checked against `expect` ([code, prefix]) so a failing call can
never pass for a fast one.
"""

import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(case, out_path):
    with open(out_path, "wb") as out:
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(case["argv"], env=case["env"], stdin=subprocess.DEVNULL,
                             stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)
        t1 = time.perf_counter_ns()
    p.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    code, prefix = case["expect"]
    if p.returncode != code or not text.startswith(prefix):
        sys.exit(f"bench: {case['label']}: exit {p.returncode}, want {code} and a line "
                 f"starting {prefix!r}; output:\n{text[:2000]}")
    return (t1 - t0) / 1e6, (usage.ru_utime + usage.ru_stime) * 1000.0


def peak_rss_kib(case, time_bin, runs, out_path):
    peak = 0
    for _ in range(runs):
        with open(out_path, "wb") as out:
            r = subprocess.run([time_bin, "-v", "--", *case["argv"]], env=case["env"],
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
                               timeout=600)
        m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
        if not m:
            sys.exit(f"bench: {time_bin} -v gave no peak RSS for {case['label']}: "
                     f"{r.stderr.decode(errors='replace')[-500:]}")
        peak = max(peak, int(m.group(1)))
    return peak


def p90(values):
    s = sorted(values)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def fmt_ms(ms):
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def main():
    spec = json.load(open(sys.argv[1]))
    cases = spec["cases"]
    wall = {c["label"]: [] for c in cases}
    cpu = {c["label"]: [] for c in cases}
    with tempfile.TemporaryDirectory(prefix="check_cloudtrail-bench-runs.") as tmp:
        out_path = os.path.join(tmp, "out")
        # One unmeasured round: page cache, venv .pyc files, server warm.
        for c in cases:
            run_once(c, out_path)
        for r in range(spec["rounds"]):
            k = r % len(cases)
            for c in cases[k:] + cases[:k]:
                w, u = run_once(c, out_path)
                wall[c["label"]].append(w)
                cpu[c["label"]].append(u)
        rss = {c["label"]: peak_rss_kib(c, spec["time_bin"], spec["rss_runs"], out_path)
               for c in cases}

    base_label = spec["baseline"] if spec["baseline"] in wall else cases[0]["label"]
    base = statistics.median(wall[base_label])
    units = spec.get("work_units")
    print()
    print(f"### {spec['title']}")
    print()
    counted = any("requests" in c for c in cases)
    head = ["case", "median", "p90", "CPU (median)"]
    tp = spec.get("throughput")
    if units:
        head.append(f"per {spec.get('unit', 'unit')}: wall / CPU")
    if tp:
        head += ["inflated MB / CPU-s", "events / s"]
    head += ["peak RSS", "× ours"] + (["requests"] if counted else [])
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for c in cases:
        label = c["label"]
        med = statistics.median(wall[label])
        cmed = statistics.median(cpu[label])
        cols = [label, fmt_ms(med), fmt_ms(p90(wall[label])), fmt_ms(cmed)]
        if units:
            cols.append(f"{med / units * 1000:.0f} µs / {cmed / units * 1000:.0f} µs")
        if tp:
            cols += [f"{tp['bytes'] / 1e6 / (cmed / 1000):.0f}",
                     f"{tp['events'] / (med / 1000):,.0f}".replace(",", " ")]
        cols += [f"{rss[label] / 1024:.1f} MiB", f"{med / base:.2f}×"]
        if counted:
            cols.append(str(c.get("requests", "")))
        print("| " + " | ".join(cols) + " |")
    print()
    runs = spec["rounds"]
    print(f"{runs} interleaved runs per case (after one warm-up round); wall time from "
          f"fork to reap; CPU = user + system of the process and what it waited for; "
          f"peak RSS = largest `Maximum resident set size` of {spec['rss_runs']} runs "
          f"under `{spec['time_bin']} -v`.")
    floor = spec.get("floor")
    targets = spec.get("targets")
    if tp:
        print()
        ours = spec["baseline"]
        if ours in wall:
            o_med, o_cpu = statistics.median(wall[ours]), statistics.median(cpu[ours])
            mbs = tp["bytes"] / 1e6 / (o_cpu / 1000)
            rate = f"{tp['events'] / (o_med / 1000):,.0f}".replace(",", " ")
            print(f"- ours: {mbs:.0f} MB of inflated JSON per CPU-second "
                  f"(goal: ≥ {tp['mb_per_cpu_s']}), {rate} events per second")
            if floor:
                f_med, f_cpu = statistics.median(wall[floor]), statistics.median(cpu[floor])
                print(f"- ours / floor: {o_cpu / f_cpu:.2f}× the CPU, {o_med / f_med:.2f}× the "
                      f"wall time (goal: within {tp['floor_ratio']}×)")
            print(f"- our peak RSS: {rss[ours] / 1024:.1f} MiB (goal: < {tp['rss_mb']} MB)")
            sp = lambda n: f"{n:,.0f}".replace(",", " ")  # noqa: E731
            print(f"- {tp['ceiling_label']}: {sp(tp['ceiling_s'])} s for the same events; "
                  f"ours {o_med / 1000:.1f} s ({sp(tp['ceiling_s'] / (o_med / 1000))}× less)")
        else:
            print(f"- ours NOT MEASURED ({ours}); {tp['ceiling_label']}: "
                  + f"{tp['ceiling_s']:,} s for the same events".replace(",", " "))
    elif floor and targets:
        f_med = statistics.median(wall[floor])
        print()
        print(f"- ours / floor (medians): {base / f_med:.2f}× "
              f"(target: within {targets['floor_ratio']}×)")
        for c in cases:
            if c.get("compare"):
                ratio = statistics.median(wall[c["label"]]) / base
                print(f"- {c['label']} / ours: {ratio:.2f}× (target: ≥ {targets['compare_ratio']}×)")
        print(f"- our peak RSS: {rss[spec['baseline']] / 1024:.1f} MiB "
              f"(target: < {targets['rss_mb']} MB)")
    elif floor:
        f_med = statistics.median(wall[floor])
        print()
        print(f"- ours − floor (medians): {base - f_med:+.2f} ms (target: within 2 ms)")
        for c in cases:
            if c.get("compare"):
                ratio = statistics.median(wall[c["label"]]) / base
                print(f"- {c['label']} / ours: {ratio:.0f}× (target: ≥ 100×)")
        print(f"- our peak RSS: {rss[spec['baseline']] / 1024:.1f} MiB (target: ≤ 4 MB)")
    for line in spec.get("notes", []):
        print(line)
    json.dump({c["label"]: {"wall_ms": wall[c["label"]], "cpu_ms": cpu[c["label"]],
                            "peak_rss_kib": rss[c["label"]]} for c in cases},
              open(spec["raw_out"], "w"), indent=1)


if __name__ == "__main__":
    main()
