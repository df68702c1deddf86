"""The shipped definitions (contrib/nagios, contrib/centreon) run under a
real Nagios 4 (Debian's nagios4-core, installed when missing), against
moto and loopback stand-ins.

Nagios runs from a temporary directory with Debian's own nagios.cfg minus
its paths: every engine default that shapes what a check gets or shows is
Debian's (illegal_macro_output_chars, service_check_timeout, notification
and dependency logic, generic-service/generic-host from Debian's
templates.cfg). Changed for the test only: paths, root as the engine user,
a 1 s status and reaper period, and execute_service_checks=0 so the engine
runs a check only when a test forces one (forced checks run anyway).

What the engine recorded (status.dat) must be what the binary prints when
run directly with the argv the engine built (expanded here from the same
definitions, custom macros stripped as the engine strips them): state,
output, long output, and the perfdata metric by metric.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import (REGION, ROOT, VENV_BIN, FakeCloudTrail, _die_with_parent, base_env, plugin_path,
                      run_plugin, stop_process, tail)
from engines import (DATA_EVENTS, INTEGRITY_EDITED, INTEGRITY_VALID, POSTURE_CRITICAL, POSTURE_CRITICAL_LINE,
                     POSTURE_OK, POSTURE_OK_LINE, CloudTrailRouter, SilentServer, ages,
                     centreon_command_line, expand_command, integrity_metrics, make_posture_buckets,
                     nagios_commands, nagios_objects, parse_clapi, parse_perfdata, render_clapi,
                     root_event, split_output, write_event_logs, write_signed_trails)

NAGIOS = "/usr/sbin/nagios4"
DEBIAN_CFG = Path("/etc/nagios4/nagios.cfg")
DEBIAN_OBJECTS = Path("/etc/nagios4/objects")
NAGIOS_CONTRIB = ROOT / "contrib/nagios"
CLAPI = ROOT / "contrib/centreon/clapi-commands.txt"
# A check result reaches status.dat within the reaper and status periods
# (1 s each); the slowest check here is the hanging one (--timeout=50).
RESULT_TIMEOUT = 40.0
HANG_TIMEOUT = 75.0
STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
# What the test needs from Debian's defaults; a change there fails loudly.
DEBIAN_EXPECTED = {"illegal_macro_output_chars": "`~$&|'\"<>", "service_check_timeout": "60"}
# Debian's settings the test replaces (paths, privileges, pace).
OVERRIDES = {
    "log_file", "cfg_file", "cfg_dir", "object_cache_file", "precached_object_file",
    "resource_file", "status_file", "status_update_interval", "nagios_user", "nagios_group",
    "check_external_commands", "command_check_interval", "command_file", "lock_file", "temp_file",
    "temp_path", "log_archive_path", "use_syslog", "check_result_reaper_frequency",
    "check_result_path", "state_retention_file", "retain_state_information",
    "use_retained_program_state", "use_retained_scheduling_info", "execute_service_checks",
    "execute_host_checks", "check_for_updates", "debug_file", "debug_level", "debug_verbosity",
    "query_socket",
}


def ensure_nagios():
    """Debian's nagios4-core, installed when missing; failing loudly."""
    if os.access(NAGIOS, os.X_OK) and DEBIAN_CFG.is_file():
        return
    if not shutil.which("apt-get"):
        pytest.fail("nagios4-core is not installed and there is no apt-get to install it", pytrace=False)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "update", "-qq"],
                 ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq",
                  "--no-install-recommends", "nagios4-core"]):
        r = subprocess.run(sudo + argv, env=env, capture_output=True, text=True, timeout=600, check=False)
        if r.returncode != 0:
            pytest.fail(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout[-2000:]}{r.stderr[-2000:]}",
                        pytrace=False)
    if not os.access(NAGIOS, os.X_OK):
        pytest.fail(f"nagios4-core installed but no {NAGIOS}", pytrace=False)


def debian_settings():
    return dict(re.findall(r"^([a-z_0-9]+)=(.*)$", DEBIAN_CFG.read_text(), re.M))


def parse_status(text):
    """[(kind, {key: value})] of status.dat, long output unescaped."""
    out = []
    for kind, body in re.findall(r"^(\w+) \{\n(.*?)\n\t\}", text, re.M | re.S):
        d = {}
        for line in body.split("\n"):
            k, _, v = line.strip().partition("=")
            d[k] = v
        if "long_plugin_output" in d:
            d["long_plugin_output"] = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1),
                                             d["long_plugin_output"])
        out.append((kind, d))
    return out


class Nagios:
    """Nagios 4 in `d`, with `objects` (text) after the shipped files."""

    def __init__(self, d, objects, plugin_dir, env_extra=None):
        self.d = d
        for sub in ("spool", "rw", "home"):
            (d / sub).mkdir()
        settings = debian_settings()
        for k, v in DEBIAN_EXPECTED.items():
            assert settings.get(k) == v, f"Debian's {DEBIAN_CFG} has {k}={settings.get(k)!r}, the test expects {v!r}"
        self.illegal = settings["illegal_macro_output_chars"]
        self.cmd_file = d / "rw/nagios.cmd"
        self.status_file = d / "status.dat"
        self.log = d / "nagios.log"
        self.debug = d / "debug.log"
        (d / "objects.cfg").write_text(objects)
        (d / "resource.cfg").write_text(f"$USER1$={plugin_dir}\n")
        kept = [ln for ln in DEBIAN_CFG.read_text().splitlines()
                if ln.partition("=")[0] not in OVERRIDES]
        cfg_files = [DEBIAN_OBJECTS / "templates.cfg", DEBIAN_OBJECTS / "timeperiods.cfg",
                     NAGIOS_CONTRIB / "commands.cfg", NAGIOS_CONTRIB / "cloudtrail.cfg", d / "objects.cfg"]
        ours = [f"cfg_file={f}" for f in cfg_files] + [
            f"log_file={self.log}", f"object_cache_file={d}/objects.cache",
            f"precached_object_file={d}/objects.precache", f"resource_file={d}/resource.cfg",
            f"status_file={self.status_file}", "status_update_interval=1",
            "nagios_user=root", "nagios_group=root",
            "check_external_commands=1", f"command_file={self.cmd_file}",
            f"lock_file={d}/nagios.lock", f"temp_file={d}/nagios.tmp", f"temp_path={d}",
            f"log_archive_path={d}", "use_syslog=0", "check_result_reaper_frequency=1",
            f"check_result_path={d}/spool", f"state_retention_file={d}/retention.dat",
            "retain_state_information=0", "use_retained_program_state=0",
            "use_retained_scheduling_info=0", "execute_service_checks=0", "execute_host_checks=0",
            "check_for_updates=0", f"debug_file={self.debug}", "debug_level=16", "debug_verbosity=2",
            f"query_socket={d}/rw/query.sock",
        ]
        self.cfg = d / "nagios.cfg"
        self.cfg.write_text("\n".join(kept + ours) + "\n")
        env = base_env()
        # A poller's PATH: the aws CLI (awscli custom mode) is on it.
        env["PATH"] = f"{VENV_BIN}:{env['PATH']}"
        env["HOME"] = str(d / "home")
        env.update(env_extra or {})
        self.env = env
        check = subprocess.run([NAGIOS, "-v", str(self.cfg)], env=env, capture_output=True, text=True,
                               timeout=60, check=False)
        assert check.returncode == 0, f"nagios4 -v:\n{check.stdout[-4000:]}"
        with open(d / "nagios.out", "wb") as out:
            self.proc = subprocess.Popen([NAGIOS, str(self.cfg)], env=env, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT, cwd=d,
                                         preexec_fn=_die_with_parent)
        self.wait(lambda: self.cmd_file.exists() and self.status_file.exists(), 30, "the engine to start")

    def wait(self, ready, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            got = ready()
            if got:
                return got
            if self.proc.poll() is not None:
                raise AssertionError(f"nagios4 exited ({self.proc.returncode}):\n{tail(self.d / 'nagios.out')}")
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout}s for {what}\n{tail(self.log)}")
            time.sleep(0.1)

    def command(self, *lines):
        now = int(time.time())
        with open(self.cmd_file, "w") as fh:
            fh.write("".join(f"[{now}] {line}\n" for line in lines))

    def services(self):
        try:
            text = self.status_file.read_text(errors="replace")
        except FileNotFoundError:
            return {}
        return {(s["host_name"], s["service_description"]): s
                for kind, s in parse_status(text) if kind == "servicestatus"}

    def force(self, *services):
        """Forces a check of each (host, service) now; returns a token for
        result()."""
        now = int(time.time())
        before = {k: self.services().get(k, {}).get("last_check", "0") for k in services}
        self.command(*[f"SCHEDULE_FORCED_SVC_CHECK;{h};{s};{now}" for h, s in services])
        return before

    def result(self, key, before, timeout=RESULT_TIMEOUT):
        """The service's status once a check newer than `before` is in."""
        def fresh():
            s = self.services().get(key)
            return s if s and s["last_check"] != before[key] and s["has_been_checked"] == "1" else None
        return self.wait(fresh, timeout, f"a check result of {key}")

    def check(self, key, timeout=RESULT_TIMEOUT):
        return self.result(key, self.force(key), timeout)

    def stop(self):
        stop_process(self.proc, grace=10)


# --------------------------------------------------------------------------
# The scene


HOST_OK, HOST_DOWN, HOST_MISC, HOST_CENTREON, HOST_DOC, HOST_SIGNED, HOST_POSTURE, HOST_DATA = (
    "acct-ok", "acct-down", "acct-misc", "centreon-acct", "centreon-doc", "centreon-signed",
    "centreon-posture", "centreon-data")
PACK = ["Cloudtrail-Check-Trail-Status", "Cloudtrail-Count-Events", "Cloudtrail-Trail-Delivery",
        "Cloudtrail-Trail-Security", "Cloudtrail-Security-Events"]
CENTREON_QUOTED = {
    # The values of Centreon's own Trail-Security template, quotes and all.
    "WARNINGSTATUS": '%{log_file_validation} eq "false" or %{kms_encryption} eq "false" or '
                     '%{cloudwatch_logs} eq "false" or %{global_service_events} eq "false"',
    "CRITICALSTATUS": '%{logging} eq "false" or %{multi_region} eq "false" or %{management_events} eq "false"',
}


class Scene:
    """Nagios with the shipped objects and the test's hosts and services;
    `expected[key]` is how to run the same check directly."""

    def __init__(self, d, moto, fake, integrity_file):
        self.d = d
        # Two trails with signed chains in moto's S3 (one with an edited
        # log file); DescribeTrails and ListPublicKeys at the fake.
        self.signed = write_signed_trails(moto.client("s3"), integrity_file, REGION, "nagios-li")
        self.router = CloudTrailRouter(moto.url)
        self.silent = SilentServer()
        self.big = CloudTrailRouter(moto.url)
        now = time.time()
        self.big.set_events([root_event(1000 + i, now - 120 - i) for i in range(100)])
        self.trail, _ = moto.new_trail(logging=True)
        self.stopped, _ = moto.new_trail(logging=False)
        self.doc_trail = "my-trail"
        ct = moto.client("cloudtrail")
        if self.doc_trail not in moto.trails:
            ct.create_trail(Name=self.doc_trail, S3BucketName=moto.bucket)
            ct.start_logging(Name=self.doc_trail)
            moto.trails.append(self.doc_trail)
        # bucketposture: a locked-down log bucket and one expiring AWSLogs/
        # after a day, each the bucket of a trail (not logging) of its own.
        self.posture = make_posture_buckets(moto.client("s3"), "nagios-bp")
        self.posture_trails = {}
        for kind in ("ok", "critical"):
            name = f"nagios-bp-{kind}-{uuid.uuid4().hex[:8]}"
            ct.create_trail(Name=name, S3BucketName=getattr(self.posture, kind))
            moto.trails.append(name)
            self.posture_trails[kind] = name
        # countevents --source=s3: a trail (not logging) whose bucket holds
        # log files of management and data events (digests.event_logs).
        self.data_trail = f"nagios-data-{uuid.uuid4().hex[:8]}"
        data_bucket = write_event_logs(moto.client("s3"), "nagios-data", self.data_trail)
        ct.create_trail(Name=self.data_trail, S3BucketName=data_bucket)
        moto.trails.append(self.data_trail)
        plugin_dir = d / "plugins"
        plugin_dir.mkdir()
        (plugin_dir / "check_cloudtrail").symlink_to(plugin_path())
        self.plugin_dir = plugin_dir
        self.state = d / "engine-state"
        self.state.mkdir()
        keys = moto.user.args()
        bad = ["--aws-access-key=AKIAE2EWRONGKEY00000", "--aws-secret-key=wrong"]
        opts = lambda url, k=keys: " ".join([f"--endpoint-url={url}", *k, f"--statefile-dir={self.state}"])  # noqa: E731
        self.commands = nagios_commands((NAGIOS_CONTRIB / "commands.cfg").read_text())
        self.clapi = parse_clapi(CLAPI.read_text())
        self.commands.update({k: centreon_command_line(v) for k, v in self.clapi.commands.items()})
        self.expected = {}  # key -> (command name, args, macros)
        objs = [NOTIFY_OBJECTS.format(notes=d / "notes")]

        # The shipped pack, on two accounts: one fine, one whose keys fail.
        # The pack's services as cloudtrail.cfg defines them.
        pack_args = {}
        for fields in nagios_objects((NAGIOS_CONTRIB / "cloudtrail.cfg").read_text(), "service"):
            if "hostgroup_name" in fields:
                cmd, *args = fields["check_command"].split("!")
                pack_args[fields["service_description"]] = (cmd, args)
        assert sorted(pack_args) == sorted(PACK), pack_args
        for host, extra in ((HOST_OK, opts(self.router.url)), (HOST_DOWN, opts(self.router.url, bad))):
            hv = {"_AWSREGION": REGION, "_TRAILNAME": self.trail, "_EXTRAOPTIONS": extra}
            objs.append(host_block(host, "cloudtrail-account", hv))
            macros = {"_HOST" + k[1:]: v for k, v in hv.items()}
            for svc, (cmd, args) in pack_args.items():
                self.expected[(host, svc)] = (cmd, args, macros)

        # Other states and modes through the shipped commands, with
        # arguments no custom variable carries (quotes, thresholds).
        objs.append(host_block(HOST_MISC, "generic-host", {}))
        base = opts(self.router.url)
        fake_opts = opts(fake.url)
        signed_opts = f"{fake_opts} --s3-endpoint-url={moto.url}"
        misc = {
            "events-warning": ("check_cloudtrail_events", [REGION, "60", "5", "20", fake_opts]),
            "events-critical": ("check_cloudtrail_events", [REGION, "60", "5", "8", fake_opts]),
            "status-stopped": ("check_cloudtrail_status", [REGION, self.stopped, base]),
            "all-trails": ("check_cloudtrail_status", [REGION, "", base + " --all-trails"]),
            "listtrails": ("check_cloudtrail_listtrails", [REGION, base]),
            "security-quoted": ("check_cloudtrail_security", [REGION, self.trail,
                                base + " --critical-status='%{logging} eq \"false\"' --warning-status="]),
            "hang": ("check_cloudtrail_status", [REGION, "main", opts(self.silent.url)]),
            "long-output": ("check_cloudtrail_securityevents", [REGION, "30", opts(self.big.url)]),
            # The trail does not validate its log files: CRITICAL from
            # DescribeTrails alone.
            "logintegrity": ("check_cloudtrail_logintegrity", [REGION, self.trail, "60", "hash", base]),
            # Real signed chains: the bucket from DescribeTrails, the keys
            # from ListPublicKeys (both at the fake), the files in moto's S3.
            "logintegrity-valid": ("check_cloudtrail_logintegrity",
                                   [REGION, self.signed.valid, "1440", "hash", signed_opts]),
            "logintegrity-edited": ("check_cloudtrail_logintegrity",
                                    [REGION, self.signed.edited, "1440", "hash", signed_opts + " --verbose"]),
            # DescribeTrails through the router, the bucket in moto's S3,
            # the account's Block Public Access at moto's S3 Control
            # (AWS_ENDPOINT_URL_S3_CONTROL in the engine's environment).
            "bucketposture-ok": ("check_cloudtrail_bucketposture",
                                 [REGION, self.posture_trails["ok"], f"{base} --s3-endpoint-url={moto.url}"]),
            "bucketposture-critical": ("check_cloudtrail_bucketposture",
                                       [REGION, self.posture_trails["critical"],
                                        f"{base} --s3-endpoint-url={moto.url} --verbose"]),
            # Data events from the trail's log files: DescribeTrails through
            # the router, the files in moto's S3; 3 in the hour > 2: WARNING.
            "dataevents-s3": ("check_cloudtrail_dataevents",
                              [REGION, self.data_trail, "60", "2", "10", f"{base} --s3-endpoint-url={moto.url}"]),
        }
        for svc, (cmd, args) in misc.items():
            objs.append(service_block(HOST_MISC, svc, "cloudtrail-service", "!".join([cmd, *args]), {}))
            self.expected[(HOST_MISC, svc)] = (cmd, args, {})

        # Centreon's templates rendered as Centreon Engine would run them.
        objs.append(render_clapi(self.clapi))
        hmacros = {"AWSACCESSKEY": moto.user.access_key, "AWSSECRETKEY": moto.user.secret_key,
                   "AWSREGION": REGION, "EXTRAOPTIONS": opts(self.router.url, [])}
        self.centreon_service(objs, HOST_CENTREON, hmacros, {
            "Cloud-Aws-Cloudtrail-Check-Trail-Status-Api": {"TRAILNAME": self.trail},
            "Cloud-Aws-Cloudtrail-Count-Events-Api": {"WARNINGCOUNT": "0"},
            "Cloud-Aws-Cloudtrail-Trail-Delivery-Api": {"TRAILNAME": self.trail},
            "Cloud-Aws-Cloudtrail-Trail-Security-Api": {"TRAILNAME": self.trail, **CENTREON_QUOTED},
            "Cloud-Aws-Cloudtrail-Security-Events-Api": {},
        })
        # The connector documentation's own command line: --custommode='awscli'
        # (the venv's real aws CLI, on the engine's PATH), keys, region.
        doc = {"AWSCUSTOMMODE": "awscli", "AWSACCESSKEY": moto.user.access_key,
               "AWSSECRETKEY": moto.user.secret_key, "AWSREGION": REGION,
               "EXTRAOPTIONS": f"--endpoint-url={moto.url}"}
        self.centreon_service(objs, HOST_DOC, doc, {
            "Cloud-Aws-Cloudtrail-Check-Trail-Status-Api": {"TRAILNAME": self.doc_trail}})
        # Centreon's logintegrity template on the valid signed chain.
        signed = dict(hmacros, EXTRAOPTIONS=f"{opts(fake.url, [])} --s3-endpoint-url={moto.url}")
        self.centreon_service(objs, HOST_SIGNED, signed, {
            "Cloud-Aws-Cloudtrail-Log-Integrity-Api": {"TRAILNAME": self.signed.valid}})
        # Centreon's bucketposture template (its defaults) on the expiring bucket.
        posture = dict(hmacros, EXTRAOPTIONS=f"{opts(self.router.url, [])} --s3-endpoint-url={moto.url}")
        self.centreon_service(objs, HOST_POSTURE, posture, {
            "Cloud-Aws-Cloudtrail-Bucket-Posture-Api": {"TRAILNAME": self.posture_trails["critical"]}})
        # Centreon's data events template (empty EVENTSOURCE and thresholds:
        # OK) over the hour (its DELTA of 15 would race the test's pace).
        self.centreon_service(objs, HOST_DATA, posture, {
            "Cloud-Aws-Cloudtrail-Data-Events-S3-Api": {"TRAILNAME": self.data_trail, "DELTA": "60"}})
        # S3 Control (bucketposture's account-level Block Public Access)
        # has no option, only this variable: at moto, never at AWS.
        self.control_env = {"AWS_ENDPOINT_URL_S3_CONTROL": moto.url}
        self.nagios = Nagios(d, "\n".join(objs), plugin_dir, self.control_env)
        # Only forced checks run: no check of the engine's own choosing.
        self.nagios.command(*[f"DISABLE_SVC_CHECK;{h};{s}" for h, s in self.expected])

    def centreon_service(self, objs, host, hmacros, services):
        objs.append(host_block(host, "Cloud-Aws-CloudTrail", hmacros))
        host_defaults = self.clapi.host_templates["Cloud-Aws-CloudTrail"]
        for tpl, smacros in services.items():
            t = self.clapi.service_templates[tpl]
            svc = t["alias"]
            objs.append(service_block(host, svc, tpl, None, smacros))
            macros = {"_HOST" + k: v for k, v in {**host_defaults, **hmacros}.items()}
            macros.update({"_SERVICE" + k: v for k, v in {**t["macros"], **smacros}.items()})
            self.expected[(host, svc)] = (t["params"]["check_command"], [], macros)

    def argv(self, key):
        cmd, args, macros = self.expected[key]
        m = dict(macros, USER1=str(self.plugin_dir))
        return expand_command(self.commands[cmd], args, m, self.nagios.illegal)

    def direct(self, key):
        """The same check run by the test: the engine's argv, its own
        state directory (a state shared with the engine would hide new
        events from one of the two), the engine's PATH."""
        argv = self.argv(key)
        assert argv[0] == str(self.plugin_dir / "check_cloudtrail") and argv[1].startswith("--plugin="), argv
        fresh = tempfile.mkdtemp(prefix="ct-e2e-state-", dir=self.d)
        args = [a if not a.startswith("--statefile-dir=") else f"--statefile-dir={fresh}" for a in argv[2:]]
        if not any(a.startswith("--statefile-dir=") for a in args):
            args.append(f"--statefile-dir={fresh}")
        return run_plugin(*args, env={"PATH": self.nagios.env["PATH"], **self.control_env},
                          timeout=HANG_TIMEOUT)

    def stop(self):
        self.nagios.stop()
        for s in (self.router, self.big, self.silent):
            s.stop()


NOTIFY_OBJECTS = """
define command {{
    command_name    e2e-notify
    command_line    /usr/bin/printf '%s\\n' '$NOTIFICATIONTYPE$ $HOSTNAME$/$SERVICEDESC$ $SERVICESTATE$' >> {notes}
}}
define contact {{
    contact_name                    e2e
    use                             generic-contact
    service_notification_commands   e2e-notify
    host_notification_commands      e2e-notify
}}
define contactgroup {{
    contactgroup_name   admins
    members             e2e
}}
"""


def host_block(name, use, variables):
    body = "".join(f"    _{k.lstrip('_')} {v.replace(';', chr(92) + ';')}\n" for k, v in variables.items())
    return (f"define host {{\n    host_name {name}\n    use {use}\n    address 127.0.0.1\n"
            f"    max_check_attempts 1\n    contact_groups admins\n{body}}}\n")


def service_block(host, desc, use, check_command, variables):
    body = f"    check_command {check_command.replace(';', chr(92) + ';')}\n" if check_command else ""
    body += "".join(f"    _{k} {v.replace(';', chr(92) + ';')}\n" for k, v in variables.items())
    return f"define service {{\n    host_name {host}\n    service_description {desc}\n    use {use}\n{body}}}\n"


@pytest.fixture(scope="module")
def scene(plugin, moto_iam, tmp_path_factory):
    ensure_nagios()
    d = tmp_path_factory.mktemp("nagios")
    integrity_file = d / "integrity.json"
    fake = FakeCloudTrail(d, integrity=integrity_file)
    s = Scene(d, moto_iam, fake, integrity_file)
    # The hanging check starts first: its 50 s run alongside the others.
    s.hang_before = s.nagios.force((HOST_MISC, "hang"))
    try:
        yield s
    finally:
        s.stop()
        fake.stop()


def assert_same(engine, direct):
    """The engine's record of a check equals the plugin's own run."""
    output, long_output, perf = split_output(direct.stdout)
    got = {"state": STATES[int(engine["current_state"])], "output": engine["plugin_output"],
           "long": engine["long_plugin_output"]}
    want = {"state": STATES.get(direct.rc, direct.rc), "output": output, "long": long_output}
    # traildelivery, logintegrity: ages read by the engine's check and by
    # the direct run, up to `slack` seconds apart (a delivery during the
    # check itself is "just now").
    slack = max(2, time.time() - int(engine["last_check"]) + 1)
    for k in ("output", "long"):
        (got[k], e), (want[k], p) = ages(got[k]), ages(want[k])
        assert len(e) == len(p) and all(abs(a - b) <= slack for a, b in zip(e, p)), (got, want, slack)
    assert got == want, f"engine {got}\nplugin {direct}"
    ep, dp = parse_perfdata(engine["performance_data"]), parse_perfdata(perf)
    assert ep.keys() == dp.keys(), (engine["performance_data"], perf)
    for label, m in dp.items():
        e = ep[label]
        if "age" in label or "delay" in label:
            # Seconds since a delivery or a digest's end: ±slack.
            assert abs(float(e.value) - float(m.value)) <= slack, (label, e, m, slack)
            e.value = m.value
        assert e == m, label


# --------------------------------------------------------------------------
# The tests

PARITY = [(HOST_OK, s) for s in PACK] + [
    (HOST_MISC, s) for s in ("events-warning", "events-critical", "status-stopped", "all-trails",
                             "listtrails", "security-quoted", "logintegrity")
] + [(HOST_CENTREON, "Cloudtrail-" + n) for n in ("Check-Trail-Status", "Count-Events", "Trail-Delivery",
                                                  "Trail-Security", "Security-Events")] + [
    (HOST_DOC, "Cloudtrail-Check-Trail-Status")]


def test_every_check_as_the_plugin_prints_it(scene):
    """Every mode, OK to CRITICAL, shipped and Centreon definitions: what
    Nagios recorded is the plugin's own output, state and perfdata."""
    n = scene.nagios
    before = n.force(*PARITY)
    seen = {}
    for key in PARITY:
        engine = n.result(key, before)
        assert_same(engine, scene.direct(key))
        seen[key] = STATES[int(engine["current_state"])]
    assert {"OK", "WARNING", "CRITICAL"} <= set(seen.values()), seen
    assert seen[(HOST_MISC, "events-warning")] == "WARNING"
    assert seen[(HOST_MISC, "status-stopped")] == "CRITICAL"
    assert seen[(HOST_MISC, "logintegrity")] == "CRITICAL"
    # Debian's engine stripped the quotes of the Centreon template's
    # expressions: they still work (bare words are strings).
    assert "unknown word" not in scene.nagios.services()[(HOST_CENTREON, "Cloudtrail-Trail-Security")]["plugin_output"]
    argv = scene.argv((HOST_CENTREON, "Cloudtrail-Trail-Security"))
    assert "--critical-status=%{logging} eq false or %{multi_region} eq false or %{management_events} eq false" in argv
    # The connector documentation's command line, through the aws CLI.
    doc = scene.nagios.services()[(HOST_DOC, "Cloudtrail-Check-Trail-Status")]
    assert doc["plugin_output"] == "OK: Trail is logging: 1", doc
    assert "--custommode=awscli" in scene.argv((HOST_DOC, "Cloudtrail-Check-Trail-Status"))


def test_wrong_keys_are_unknown_and_hold_the_other_services_back(scene):
    """acct-down's keys fail: its trail status is UNKNOWN (HARD after the
    template's 3 attempts) and notified; the services depending on it are
    not notified, and not run by the scheduler."""
    n = scene.nagios
    master = (HOST_DOWN, "Cloudtrail-Check-Trail-Status")
    for _ in range(3):
        s = n.check(master)
    assert_same(s, scene.direct(master))
    assert (s["current_state"], s["state_type"]) == ("3", "1"), s
    assert s["current_notification_number"] == "1", s
    dep = (HOST_DOWN, "Cloudtrail-Trail-Delivery")
    for _ in range(3):
        d = n.check(dep)
    assert_same(d, scene.direct(dep))
    assert (d["current_state"], d["state_type"]) == ("3", "1"), d
    # Notification dependency: no notification for the dependent.
    assert d["current_notification_number"] == "0" and d["last_notification"] == "0", d
    notes = (scene.d / "notes").read_text()
    assert f"PROBLEM {HOST_DOWN}/Cloudtrail-Check-Trail-Status UNKNOWN" in notes, notes
    assert f"{HOST_DOWN}/Cloudtrail-Trail-Delivery" not in notes, notes
    # Execution dependency: a check the scheduler (not forced) would run
    # is skipped, as the engine's debug log says.
    n.command("START_EXECUTING_SVC_CHECKS", f"ENABLE_SVC_CHECK;{dep[0]};{dep[1]}",
              f"SCHEDULE_SVC_CHECK;{dep[0]};{dep[1]};{int(time.time())}")
    try:
        n.wait(lambda: "Execution dependencies for this service failed" in n.debug.read_text(errors="replace"),
               RESULT_TIMEOUT, "the engine to skip the dependent check")
    finally:
        n.command("STOP_EXECUTING_SVC_CHECKS", f"DISABLE_SVC_CHECK;{dep[0]};{dep[1]}")
    assert n.services()[dep]["last_check"] == d["last_check"]


def test_one_new_security_event_notifies_once(scene):
    """securityevents: one new root-account event makes the shipped service
    HARD CRITICAL at once and notifies; the next check, with nothing new, is
    OK again (and notifies the recovery)."""
    n = scene.nagios
    key = (HOST_OK, "Cloudtrail-Security-Events")
    scene.router.set_events([])
    s = n.check(key)
    assert s["current_state"] == "0", s
    scene.router.set_events([root_event(1, time.time() - 90)])
    s = n.check(key)
    assert (s["current_state"], s["state_type"]) == ("2", "1"), s
    assert s["plugin_output"].startswith("CRITICAL: root account uses: 1 new"), s
    assert_same(s, scene.direct(key))
    s = n.check(key)
    assert (s["current_state"], s["state_type"]) == ("0", "1"), s
    notes = (scene.d / "notes").read_text()
    assert f"PROBLEM {HOST_OK}/Cloudtrail-Security-Events CRITICAL" in notes, notes
    assert f"RECOVERY {HOST_OK}/Cloudtrail-Security-Events OK" in notes, notes


def test_long_output_shows_the_plugins_own_cut(scene):
    """100 events listed by --verbose: more than the engine keeps. The
    engine must show the plugin's own cut marker, not cut it blindly."""
    key = (HOST_MISC, "long-output")
    s = scene.nagios.check(key)
    direct = scene.direct(key)
    shown = len((s["plugin_output"] + s["long_plugin_output"] + s["performance_data"]).encode())
    assert len(direct.stdout.encode()) <= 8192, (
        f"the plugin printed {len(direct.stdout.encode())} bytes, the engine kept {shown}")
    assert re.search(r"^\.\.\. \d+ more lines cut \(output budget: 8191 bytes\)$", direct.stdout, re.M), direct
    assert "more lines cut (output budget" in s["long_plugin_output"], s
    assert_same(s, direct)


def test_the_plugins_timeout_wins_over_the_engines_kill(scene):
    """The endpoint accepts and never answers: the shipped --timeout (50 s,
    under Debian's service_check_timeout of 60 s) ends the check with the
    plugin's own UNKNOWN line, not the engine's "(Service check timed out…)"."""
    key = (HOST_MISC, "hang")
    s = scene.nagios.result(key, scene.hang_before, timeout=HANG_TIMEOUT)
    assert s["current_state"] == "3", s
    assert "Service check timed out" not in s["plugin_output"], s
    assert re.match(r"UNKNOWN: .*timed out, the check's --timeout of 50s ran out", s["plugin_output"]), s


SIGNED = {(HOST_MISC, "logintegrity-valid"): ("OK", INTEGRITY_VALID),
          (HOST_SIGNED, "Cloudtrail-Log-Integrity"): ("OK", INTEGRITY_VALID),
          (HOST_MISC, "logintegrity-edited"): ("CRITICAL", INTEGRITY_EDITED)}


def test_logintegrity_on_signed_chains(scene):
    """logintegrity through the shipped Nagios command and Centreon
    template on real signed chains (digests.py, in moto's S3): the valid
    chain OK with every metric, the chain whose log file was edited
    CRITICAL with logs_invalid=1 and (--verbose) the file named; the
    engine's record equals the plugin's own run, metric by metric."""
    n = scene.nagios
    before = n.force(*SIGNED)
    for key, (state, counts) in SIGNED.items():
        engine = n.result(key, before)
        assert_same(engine, scene.direct(key))
        assert STATES[int(engine["current_state"])] == state, engine
        perf = {k: m.value for k, m in parse_perfdata(engine["performance_data"]).items()}
        assert integrity_metrics(perf) == {k: str(v) for k, v in counts.items()}, perf
        assert 0 <= int(perf["digest_age"]) < 600, perf
    edited = n.services()[(HOST_MISC, "logintegrity-edited")]
    assert edited["plugin_output"].startswith("CRITICAL: log files: 4 valid, 1 invalid, 0 missing"), edited
    assert f"log file {scene.signed.edited_log} INVALID: hash value doesn't match" in \
        edited["long_plugin_output"], edited
    ok = n.services()[(HOST_MISC, "logintegrity-valid")]
    assert ok["plugin_output"].startswith(
        "OK: digest files: 4 valid, 0 invalid, 0 missing - log files: 5 valid, 0 invalid, 0 missing"), ok


POSTURE = {(HOST_MISC, "bucketposture-ok"): ("OK", POSTURE_OK, "ok"),
           (HOST_MISC, "bucketposture-critical"): ("CRITICAL", POSTURE_CRITICAL, "critical"),
           (HOST_POSTURE, "Cloudtrail-Bucket-Posture"): ("CRITICAL", POSTURE_CRITICAL, "critical")}


def test_bucketposture_through_the_shipped_definitions(scene):
    """bucketposture through the shipped Nagios command and Centreon
    template (its default thresholds and status expression, quotes
    stripped by the engine) on a locked-down bucket (OK) and one whose
    lifecycle expires AWSLogs/ after a day (CRITICAL, log_retention=1d):
    the engine's record equals the plugin's own run, metric by metric."""
    n = scene.nagios
    before = n.force(*POSTURE)
    for key, (state, metrics, kind) in POSTURE.items():
        engine = n.result(key, before)
        assert_same(engine, scene.direct(key))
        assert STATES[int(engine["current_state"])] == state, engine
        perf = parse_perfdata(engine["performance_data"])
        assert {k: m.value for k, m in perf.items()} == metrics, engine
        bucket = getattr(scene.posture, kind)
        line = (POSTURE_OK_LINE if kind == "ok" else POSTURE_CRITICAL_LINE).format(bucket)
        assert engine["plugin_output"] == line, engine
    assert parse_perfdata(n.services()[(HOST_POSTURE, "Cloudtrail-Bucket-Posture")]["performance_data"])[
        "log_retention"].crit == "7:"
    # The account level was read at moto (not configured there), not refused.
    crit = n.services()[(HOST_MISC, "bucketposture-critical")]
    assert ("bucket_public_access: Block Public Access not fully on (bucket or account): Block Public "
            "Access: bucket not configured, account not configured") in crit["long_plugin_output"], crit
    argv = scene.argv((HOST_POSTURE, "Cloudtrail-Bucket-Posture"))
    assert "--mode=bucketposture" in argv and "--critical-log-retention=7:" in argv, argv


DATA = {(HOST_MISC, "dataevents-s3"): "WARNING", (HOST_DATA, "Cloudtrail-Data-Events-S3"): "OK"}


def test_data_events_from_s3_through_the_shipped_definitions(scene):
    """countevents --source=s3 --event-category=Data through the shipped
    Nagios command (warning 2: WARNING) and Centreon template (its empty
    EVENTSOURCE and thresholds: OK) on a trail whose log files in moto's
    S3 hold 4 management and 3 data events in the hour (and one of each
    two hours before): 3 counted; the engine's record equals the
    plugin's own run, metric by metric."""
    n = scene.nagios
    before = n.force(*DATA)
    for key, state in DATA.items():
        engine = n.result(key, before)
        assert_same(engine, scene.direct(key))
        assert STATES[int(engine["current_state"])] == state, engine
        assert engine["plugin_output"] == f"{state}: Number of events: {DATA_EVENTS}.00", engine
        assert parse_perfdata(engine["performance_data"])["events_count"].value == f"{DATA_EVENTS}.00", engine
        argv = scene.argv(key)
        assert {"--mode=countevents", "--source=s3", "--event-category=Data",
                f"--trail-name={scene.data_trail}"} <= set(argv), argv
    assert parse_perfdata(n.services()[(HOST_MISC, "dataevents-s3")]["performance_data"])[
        "events_count"].warn == "0:2"
