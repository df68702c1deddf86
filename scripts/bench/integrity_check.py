#!/usr/bin/env python3
"""Before the logintegrity table is timed: runs each case of a runs.py
spec once against the stub (scripts/bench/s3stub.py) and checks they did
the same work, so a fast row can never be one that read less.

    integrity_check.py STUB_URL SPEC.json

For each case: the stub's counts are zeroed, the case runs, its exit code
is checked (the spec's "expect") and the stub's count of requests (per
operation) read. Then:
- check_cloudtrail's rows (output "digest files: N valid … log files: M
  valid") and the aws CLI's ("N/N digest files valid", "M/M log files
  valid", summed over its runs, one per source region) must both report
  every digest and log file of the stub's window valid;
- the floor (output "N requests, B bytes") must have made exactly the
  requests, operation by operation, of the first check_cloudtrail row.
The spec is rewritten with each case's "requests" (the table's column),
its title formatted with the stub's numbers ({digests_in_window},
{logs_in_window}, {hours}, {regions}, {gz_mb}, {raw_mb}), and notes (the
per-operation counts) for runs.py to print under the table.
"""

import json
import re
import subprocess
import sys
import urllib.request


def stub(url, path, data=None):
    with urllib.request.urlopen(url + path, data=data, timeout=30) as r:
        return json.load(r)


def main():
    url, spec_path = sys.argv[1:3]
    spec = json.load(open(spec_path))
    stats = stub(url, "/_stats")
    want = (stats["digests_in_window"], stats["logs_in_window"])
    counts = {}
    problems = []
    for c in spec["cases"]:
        stub(url, "/_reset", b"")
        p = subprocess.run(c["argv"], env=c["env"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=600)
        text = p.stdout.decode("utf-8", "replace")
        by_op = stub(url, "/_stats")["by_op"]
        label = c["label"]
        code, prefix = c["expect"]
        if p.returncode != code or not text.startswith(prefix):
            sys.exit(f"integrity_check: {label}: exit {p.returncode}, want {code} and output "
                     f"starting {prefix!r}:\n{text[:2000]}\n{p.stderr.decode()[-2000:]}")
        counts[label] = by_op
        c["requests"] = sum(by_op.values())
        ours = re.search(r"digest files: (\d+) valid.*?log files: (\d+) valid", text)
        cli = re.findall(r"^(\d+)/\d+ (digest|log) files valid", text, re.M)
        floor = re.match(r"(\d+) requests, \d+ bytes", text)
        if ours:
            got = (int(ours.group(1)), int(ours.group(2)))
        elif cli:
            got = (sum(int(n) for n, k in cli if k == "digest"),
                   sum(int(n) for n, k in cli if k == "log"))
        elif floor:
            got = None
            if int(floor.group(1)) != c["requests"]:
                problems.append(f"{label}: says {floor.group(1)} requests, the stub counted "
                                f"{c['requests']}")
        else:
            sys.exit(f"integrity_check: {label}: no counts in its output:\n{text[:2000]}")
        if got is not None and got != want:
            problems.append(f"{label}: {got[0]} digests and {got[1]} log files valid, the "
                            f"stub's window holds {want[0]} and {want[1]}")
    base = spec["baseline"]
    if spec.get("floor") and counts[spec["floor"]] != counts[base]:
        problems.append(f"the floor's requests {counts[spec['floor']]} are not ours "
                        f"{counts[base]}")
    if problems:
        sys.exit("integrity_check: " + "; ".join(problems))
    fmt = dict(stats, regions=len(stats["regions"]), gz_mb=f"{stats['log_bytes_gz'] / 1e6:.1f}",
               raw_mb=f"{stats['log_bytes'] / 1e6:.0f}")
    spec["title"] = spec["title"].format(**fmt)
    notes = ["", f"Requests per run, as the stub counted them (every row checked once before "
                 f"timing: ours and the CLI report {want[0]}/{want[0]} digests and "
                 f"{want[1]}/{want[1]} log files valid; the floor makes ours, operation by "
                 f"operation):"]
    for c in spec["cases"]:
        ops = ", ".join(f"{op} {n}" for op, n in counts[c["label"]].items())
        notes.append(f"- {c['label']}: {c['requests']} ({ops})")
    spec["notes"] = notes
    json.dump(spec, open(spec_path, "w"))


if __name__ == "__main__":
    main()
