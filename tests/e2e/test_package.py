"""The .deb and .rpm of scripts/package.sh: what they hold (names, modes,
owners, the link, control fields and RPM tags), installing and removing
them with dpkg and rpm into a root of the test's own, the installed binary
running from both plugin directories, the man page inside both being what
the binary prints today, and a second build giving the same bytes.

scripts/package.sh runs once per session (it builds the static binary,
so the first run may take minutes). It installs Debian's rpm and
groff-base with apt when rpmbuild or groff is missing, the one change it
makes to the machine; dpkg, dpkg-deb, rpm or rpm2archive missing here is
a failure, never a skip. Otherwise nothing here touches the machine's own
package databases: every install goes under tmp_path (--root), rpm's
queries use a database under tmp_path, and dpkg's log goes there too.
"""

import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, base_env, plugin_path

PACKAGE_TIMEOUT = 900.0  # a cold static build included
TOOL_TIMEOUT = 120.0
PKG = "check-cloudtrail"
BIN = "check_cloudtrail"
CENTREON = f"/usr/lib/centreon/plugins/{BIN}"
NAGIOS = f"/usr/lib/nagios/plugins/{BIN}"
LINK_TARGET = f"../../centreon/plugins/{BIN}"
MAN = f"/usr/share/man/man1/{BIN}.1.gz"
DOC = f"/usr/share/doc/{PKG}"
STATIC_BIN = ROOT / "target/x86_64-unknown-linux-musl/release" / BIN


# --------------------------------------------------------------------------
# Helpers


def tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found on PATH: it is needed to check the packages "
                    "(scripts/package.sh installs Debian's rpm; dpkg comes with Debian)", pytrace=False)
    return path


def sh(*argv, ok=(0,), timeout=TOOL_TIMEOUT, stdin=None, text=True, cwd=None, env=None):
    """Runs argv; fails the test unless its exit code is in `ok`."""
    proc = subprocess.run([str(a) for a in argv], input=stdin, capture_output=True, text=text,
                          timeout=timeout, check=False, cwd=cwd, env=env)
    if proc.returncode not in ok:
        out, err = proc.stdout, proc.stderr
        pytest.fail(f"{argv!r} exited {proc.returncode} (wanted {ok}):\nstdout={out!r}\nstderr={err!r}",
                    pytrace=False)
    return proc


def cargo_field(key):
    """`key = "value"` of Cargo.toml's [package] table."""
    text = (ROOT / "Cargo.toml").read_text()
    section = re.search(r"^\[package\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S).group(1)
    return re.search(rf'^{key}\s*=\s*"([^"]*)"', section, re.M).group(1)


def source_date_epoch():
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env:
        return int(env)
    return int(sh("git", "-C", ROOT, "log", "-1", "--format=%ct").stdout.strip())


def contrib_files():
    """contrib/'s tracked files, relative to contrib/: the examples."""
    names = sh("git", "-C", ROOT, "ls-files", "--", "contrib").stdout.split()
    rel = sorted(n.removeprefix("contrib/") for n in names)
    for known in ("README.md", "centreon/clapi-commands.txt", "nagios/commands.cfg",
                  "icinga2/check_cloudtrail.conf"):
        assert known in rel, f"contrib/{known} is not tracked: {rel}"
    return rel


def expected_entries():
    """path -> ("file", mode) or ("link", target): every non-directory
    either package installs."""
    want = {
        CENTREON: ("file", 0o755),
        NAGIOS: ("link", LINK_TARGET),
        MAN: ("file", 0o644),
        f"{DOC}/copyright": ("file", 0o644),
    }
    for rel in contrib_files():
        want[f"{DOC}/examples/{rel}"] = ("file", 0o644)
    return want


def parents(paths):
    """Every directory above `paths`, "/" excluded."""
    out = set()
    for p in paths:
        d = os.path.dirname(p)
        while d != "/":
            out.add(d)
            d = os.path.dirname(d)
    return out


def own_dirs():
    """The directories only this package has reason to create: gone after
    a removal (the plugin directories, the doc directory)."""
    return {d for d in parents(expected_entries())
            if d.startswith((f"{DOC}", "/usr/lib/centreon", "/usr/lib/nagios"))}


def debian_version():
    return cargo_field("version").replace("-", "~")


def run_installed(path):
    return subprocess.run([str(path), "--version"], env=base_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False)


def assert_runs(root):
    """Both plugin paths under `root` run the packaged binary, and the link
    stays inside `root` (it is relative)."""
    want = f"Plugin Version: {cargo_field('version')} \n"
    for p in (CENTREON, NAGIOS):
        proc = run_installed(root / p.lstrip("/"))
        # upstream's --version exits 3 (UNKNOWN), and so does ours
        assert (proc.stdout, proc.returncode) == (want, 3), f"{p}: {proc}"
    link = root / NAGIOS.lstrip("/")
    assert os.readlink(link) == LINK_TARGET
    assert Path(os.path.realpath(link)) == (root / CENTREON.lstrip("/")).resolve()


def assert_installed_tree(root):
    for path, (kind, what) in expected_entries().items():
        p = root / path.lstrip("/")
        st = p.lstat()
        if kind == "link":
            assert stat.S_ISLNK(st.st_mode), path
            assert os.readlink(p) == what, path
        else:
            assert stat.S_ISREG(st.st_mode), path
            assert stat.S_IMODE(st.st_mode) == what, f"{path}: {oct(stat.S_IMODE(st.st_mode))}"
    assert sha256(root / CENTREON.lstrip("/")) == sha256(STATIC_BIN)


def assert_removed(root):
    for path in list(expected_entries()) + sorted(own_dirs()):
        assert not os.path.lexists(root / path.lstrip("/")), f"{path} is still there after removal"


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def members(tar_bytes, compressed=False):
    """{"/path": TarInfo} and {"/path": bytes} of a tar archive."""
    infos, data = {}, {}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:gz" if compressed else "r:") as tf:
        for m in tf.getmembers():
            name = "/" + m.name.removeprefix("./").rstrip("/")
            if name == "/":
                continue
            infos[name] = m
            if m.isfile():
                data[name] = tf.extractfile(m).read()
    return infos, data


def deb_tar(deb):
    return members(sh(tool("dpkg-deb"), "--fsys-tarfile", deb, text=False).stdout)


def rpm_tar(rpm):
    # rpm2archive - reads the package on stdin and writes a tar.gz.
    with open(rpm, "rb") as fh:
        out = subprocess.run([tool("rpm2archive"), "-"], stdin=fh, capture_output=True,
                             timeout=TOOL_TIMEOUT, check=False)
    assert out.returncode == 0, out.stderr
    return members(out.stdout, compressed=True)


def man_today():
    p = plugin_path()
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail(f"no executable check_cloudtrail at {p} (run scripts/e2e.sh)", pytrace=False)
    proc = subprocess.run([str(p), "--generate=man"], env=base_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=TOOL_TIMEOUT, check=False)
    assert proc.returncode == 0, proc
    return proc.stdout


# --------------------------------------------------------------------------
# The packages, built once


@dataclass
class Packages:
    deb: Path
    rpm: Path
    seconds: float  # how long scripts/package.sh took


def run_package_sh():
    env = dict(os.environ)  # cargo and rustup need the real HOME
    t0 = time.monotonic()
    proc = subprocess.run([str(ROOT / "scripts/package.sh")], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=PACKAGE_TIMEOUT, check=False)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        pytest.fail(f"scripts/package.sh exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr[-6000:]}",
                    pytrace=False)
    out = ROOT / "target/package"
    deb = out / f"{PKG}_{debian_version()}_amd64.deb"
    rpm = out / f"{PKG}-{debian_version()}-1.x86_64.rpm"
    # The last lines name both packages with their sizes.
    for p in (deb, rpm):
        assert p.is_file(), f"no {p}:\n{proc.stderr[-3000:]}"
        line = f"package.sh: {p.relative_to(ROOT)} {p.stat().st_size} bytes"
        assert line in proc.stdout.splitlines(), proc.stdout
    return deb, rpm, seconds


@pytest.fixture(scope="session")
def packages(tmp_path_factory):
    deb, rpm, seconds = run_package_sh()
    # Copies: the reproducibility test builds target/package again.
    keep = tmp_path_factory.mktemp("packages")
    shutil.copy2(deb, keep / deb.name)
    shutil.copy2(rpm, keep / rpm.name)
    return Packages(keep / deb.name, keep / rpm.name, seconds)


# --------------------------------------------------------------------------
# .deb


DPKG_C = re.compile(r"^(?P<mode>\S{10}) (?P<owner>\S+)/(?P<group>\S+)\s+(?P<size>\d+) \S+ \S+ "
                    r"\.(?P<path>/.*?)(?: -> (?P<target>.*))?$")


def test_deb_contents(packages):
    out = sh(tool("dpkg-deb"), "-c", packages.deb).stdout
    seen = {}
    for line in out.splitlines():
        m = DPKG_C.match(line)
        assert m, f"cannot read this dpkg-deb -c line: {line!r}"
        assert (m["owner"], m["group"]) == ("root", "root"), line
        path = m["path"].rstrip("/")
        if path:
            seen[path] = m
    want = expected_entries()
    dirs = {p for p, m in seen.items() if m["mode"].startswith("d")}
    assert dirs == parents(want), "directories"
    for d in dirs:
        assert seen[d]["mode"] == "drwxr-xr-x", seen[d].string
    assert {p: m for p, m in seen.items() if p not in dirs}.keys() == want.keys()
    for path, (kind, what) in want.items():
        m = seen[path]
        if kind == "link":
            assert (m["mode"], m["target"]) == ("lrwxrwxrwx", what), m.string
        else:
            assert m["mode"] == stat.filemode(stat.S_IFREG | what), m.string
            assert m["target"] is None, m.string

    # Every entry dated SOURCE_DATE_EPOCH; the binary the static build's.
    infos, data = deb_tar(packages.deb)
    epoch = source_date_epoch()
    assert {p: i.mtime for p, i in infos.items()} == {p: epoch for p in infos}
    assert hashlib.sha256(data[CENTREON]).hexdigest() == sha256(STATIC_BIN)
    assert data[f"{DOC}/copyright"].decode().count("License: Apache-2.0") == 2
    for rel in contrib_files():
        assert data[f"{DOC}/examples/{rel}"] == (ROOT / "contrib" / rel).read_bytes(), rel


def test_deb_control(packages):
    fields = ["Package", "Version", "Architecture", "Maintainer", "Section", "Description",
              "Depends", "Pre-Depends", "Installed-Size"]
    out = sh(tool("dpkg-deb"), "-f", packages.deb, *fields).stdout
    control = {}
    for m in re.finditer(r"^([A-Za-z-]+): (.*(?:\n .*)*)", out, re.M):
        control[m.group(1)] = m.group(2)
    assert control["Package"] == PKG
    assert control["Version"] == debian_version()
    assert control["Architecture"] == "amd64"
    assert control["Section"] in ("net", "admin")
    assert re.fullmatch(r"\S.* <[^<>@\s]+@[^<>@\s]+>", control["Maintainer"]), control["Maintainer"]
    assert control["Description"].split("\n")[0] == cargo_field("description")
    assert "Depends" not in control and "Pre-Depends" not in control, "a static binary depends on nothing"
    assert int(control["Installed-Size"]) >= STATIC_BIN.stat().st_size // 1024
    # md5sums lists every regular file
    listed = sh(tool("dpkg-deb"), "-I", packages.deb, "md5sums").stdout.split()[1::2]
    want = sorted(p.lstrip("/") for p, (kind, _) in expected_entries().items() if kind == "file")
    assert sorted(listed) == want


@pytest.fixture
def dpkg_root(tmp_path):
    """An empty dpkg database under tmp_path, and how to run dpkg on it
    (root or not: --force-not-root; the package has no maintainer script,
    so none has to run chrooted)."""
    tool("dpkg")
    root = tmp_path / "root"
    for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"):
        (root / d).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()

    def dpkg(*args, ok=(0,)):
        # --log: dpkg 1.21 keeps /var/log/dpkg.log outside --root.
        return sh("dpkg", f"--root={root}", f"--log={root}/var/log/dpkg.log", "--force-not-root",
                  "--force-script-chrootless", *args, ok=ok)

    return root, dpkg


def test_deb_install_and_remove(packages, dpkg_root):
    root, dpkg = dpkg_root
    dpkg("-i", packages.deb)
    assert_installed_tree(root)
    assert_runs(root)
    status = dpkg("-s", PKG).stdout
    assert "\nStatus: install ok installed\n" in status, status
    assert f"\nVersion: {debian_version()}\n" in status, status
    assert dpkg("--verify", PKG).stdout == "", "installed files differ from md5sums"
    listed = set(dpkg("-L", PKG).stdout.split()) - {"/."}
    assert listed == set(expected_entries()) | parents(expected_entries())

    dpkg("-r", PKG)
    assert_removed(root)
    gone = dpkg("-s", PKG, ok=(1,))
    assert "is not installed" in gone.stderr, gone.stderr


# --------------------------------------------------------------------------
# .rpm


@pytest.fixture
def rpm_q(tmp_path):
    """rpm for queries of a package file, with a database of the test's
    own: Debian's rpm would create ~/.rpmdb otherwise."""
    db = tmp_path / "rpmdb"
    db.mkdir()
    return [tool("rpm"), "--dbpath", db]


def rpm_query(rpm_q, pkg, fmt):
    return sh(*rpm_q, "-qp", "--queryformat", fmt, pkg).stdout


def test_rpm_metadata(packages, rpm_q):
    tags = ["NAME", "VERSION", "RELEASE", "ARCH", "LICENSE", "SUMMARY", "BUILDTIME", "BUILDHOST"]
    got = dict(zip(tags, rpm_query(rpm_q, packages.rpm, "\\n".join(f"%{{{t}}}" for t in tags)).split("\n")))
    assert got == {
        "NAME": PKG,
        "VERSION": debian_version(),
        "RELEASE": "1",
        "ARCH": "x86_64",
        "LICENSE": "Apache-2.0",
        "SUMMARY": cargo_field("description"),
        "BUILDTIME": str(source_date_epoch()),
        "BUILDHOST": "reproducible",
    }
    # Static: nothing required but rpm's own format features.
    requires = sh(*rpm_q, "-qpR", packages.rpm).stdout.splitlines()
    assert requires and all(r.startswith("rpmlib(") for r in requires), requires


def test_rpm_contents(packages, rpm_q):
    want = expected_entries()
    listed = sh(*rpm_q, "-qlp", packages.rpm).stdout.split()
    # The RPM owns its own directories, not /usr, /usr/share/man and such.
    assert sorted(listed) == sorted(set(want) | own_dirs())

    fmt = "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEMTIMES} %{FILENAMES} %{FILELINKTOS}\\n]"
    epoch = source_date_epoch()
    rows = {}
    for line in rpm_query(rpm_q, packages.rpm, fmt).splitlines():
        perms, user, group, mtime, path, *target = line.split(" ")
        assert (user, group) == ("root", "root"), line
        assert int(mtime) == epoch, line
        rows[path] = (perms, "".join(target))
    for d in own_dirs():
        assert rows[d] == ("drwxr-xr-x", ""), d
    for path, (kind, what) in want.items():
        if kind == "link":
            assert rows[path] == ("lrwxrwxrwx", what), path
        else:
            assert rows[path] == (stat.filemode(stat.S_IFREG | what), ""), path

    _, data = rpm_tar(packages.rpm)
    assert hashlib.sha256(data[CENTREON]).hexdigest() == sha256(STATIC_BIN)
    for rel in contrib_files():
        assert data[f"{DOC}/examples/{rel}"] == (ROOT / "contrib" / rel).read_bytes(), rel


def test_rpm_install_and_erase(packages, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    # --dbpath: Debian's rpm defaults to ~/.rpmdb; inside --root, this is
    # the usual place.
    base = [tool("rpm"), "--root", root, "--dbpath", "/var/lib/rpm"]
    sh(*base, "--initdb")
    sh(*base, "-i", "--nodeps", "--noscripts", "--nosignature", packages.rpm)
    assert_installed_tree(root)
    assert_runs(root)
    assert sh(*base, "-q", PKG).stdout == f"{PKG}-{debian_version()}-1.x86_64\n"
    verify = sh(*base, "-V", PKG, ok=(0, 1))
    assert (verify.returncode, verify.stdout) == (0, ""), "installed files differ from the package"

    sh(*base, "-e", "--noscripts", PKG)
    assert_removed(root)
    gone = sh(*base, "-q", PKG, ok=(1,))
    assert "is not installed" in gone.stdout, gone


# --------------------------------------------------------------------------
# Both


def test_man_page_is_todays(packages):
    today = man_today()
    assert today.startswith(b".TH CHECK_CLOUDTRAIL 1 "), today[:80]
    for kind, (_, data) in (("deb", deb_tar(packages.deb)), ("rpm", rpm_tar(packages.rpm))):
        gz = data[MAN]
        # gzip -n: no file name (FLG.FNAME) and no time stamp (MTIME 0)
        assert gz[:3] == b"\x1f\x8b\x08" and gz[3] & 0x08 == 0 and gz[4:8] == b"\0\0\0\0", (kind, gz[:10])
        assert gzip.decompress(gz) == today, f"the {kind}'s man page is not today's --generate=man"


def test_packages_are_reproducible(packages):
    """A second scripts/package.sh gives the same bytes (same commit, same
    SOURCE_DATE_EPOCH)."""
    deb, rpm, _ = run_package_sh()
    assert sha256(deb) == sha256(packages.deb)
    assert sha256(rpm) == sha256(packages.rpm)
