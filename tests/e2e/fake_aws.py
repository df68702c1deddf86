"""A stand-in for the aws CLI, for the --custommode=awscli tests.

The tests write a tiny executable named `aws` (or anything else) that
calls main(mode, log, config) here, and point check_cloudtrail at it with
--command-path / --command. Every run first appends one JSON line to
`log`: the arguments and the environment variables that matter
({"argv": [...], "env": {...}, "pid": N}). Then, by `mode`:

  v2        answer like the aws CLI v2 does: ISO-8601 times with an
            offset. `cloudtrail get-trail-status` prints config["status"];
            `cloudtrail lookup-events` prints the events of
            fake_cloudtrail.py for --start-time..--end-time, EventTime as
            an ISO string, config["page"] per run, NextToken (an opaque
            "v2-…" string) fed back with --starting-token;
            `sts assume-role` prints config["assumed"] as Credentials.
  sleep     write the pid to config["pidfile"] and sleep for an hour.
  sleep-grandchild  start `sleep 3600` as a child, write *its* pid, wait
            for it (as `sudo aws …` or a shell wrapper would).
  denied    exit 254 with the CLI's error line on stderr.
  garbage   exit 0 having printed something that is not JSON.
"""

import datetime
import json
import os
import subprocess
import sys
import time

from fake_cloudtrail import events_for_window

LOGGED_ENV = ("AWS_", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY",
              "no_proxy", "ALL_PROXY", "all_proxy")
OFFSET = datetime.timezone(datetime.timedelta(hours=-5))


def iso(epoch):
    """What CLI v2 prints: local time with an offset and microseconds."""
    return datetime.datetime.fromtimestamp(epoch, OFFSET).isoformat(timespec="microseconds")


def opt(argv, name, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


def lookup_events(argv, config):
    start, end = int(opt(argv, "--start-time")), int(opt(argv, "--end-time"))
    page = int(config.get("page", 50))
    token = opt(argv, "--starting-token")
    offset = int(token[len("v2-"):]) if token else 0
    events = events_for_window(start, end)
    out = []
    for e in events[offset:offset + page]:
        e = dict(e)
        e["EventTime"] = iso(e["EventTime"])
        out.append(e)
    doc = {"Events": out}
    if offset + page < len(events):
        doc["NextToken"] = f"v2-{offset + page}"
    return doc


def main(mode, log, config):
    argv = sys.argv[1:]
    env = {k: v for k, v in os.environ.items() if k.startswith(LOGGED_ENV)}
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"argv": argv, "env": env, "pid": os.getpid()}) + "\n")
    if mode == "sleep":
        with open(config["pidfile"], "w") as fh:
            fh.write(str(os.getpid()))
        time.sleep(3600)
        return 0
    if mode == "sleep-grandchild":
        child = subprocess.Popen(["sleep", "3600"])
        with open(config["pidfile"], "w") as fh:
            fh.write(str(child.pid))
        return child.wait()
    if mode == "denied":
        sys.stderr.write("\nAn error occurred (AccessDeniedException) when calling the LookupEvents "
                         "operation: nope\n")
        return 254
    if mode == "garbage":
        print("this is not JSON")
        return 0
    if mode != "v2":
        sys.stderr.write(f"fake aws: unknown mode {mode}\n")
        return 255
    words = [a for a in argv if not a.startswith("--")][:2]
    if words == ["cloudtrail", "get-trail-status"]:
        doc = config["status"]
    elif words == ["cloudtrail", "lookup-events"]:
        doc = lookup_events(argv, config)
    elif words == ["sts", "assume-role"]:
        doc = {"Credentials": config["assumed"]}
    else:
        sys.stderr.write(f"\nusage: aws [options] <command> <subcommand>\naws: error: {argv}\n")
        return 252
    print(json.dumps(doc, indent=4))
    return 0
