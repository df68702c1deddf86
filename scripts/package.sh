#!/usr/bin/env bash
# Builds the Debian and RPM packages of check_cloudtrail from the static
# musl binary (scripts/build-static.sh), under target/package/:
#
#   target/package/check-cloudtrail_<version>_amd64.deb     (dpkg-deb)
#   target/package/check-cloudtrail-<version>-1.x86_64.rpm  (rpmbuild)
#
# Both install the same files:
#   /usr/lib/centreon/plugins/check_cloudtrail        the binary, 0755 root:root
#   /usr/lib/nagios/plugins/check_cloudtrail          symlink to it
#   /usr/share/man/man1/check_cloudtrail.1.gz         from `--generate=man`
#   /usr/share/doc/check-cloudtrail/copyright         Apache-2.0
#   /usr/share/doc/check-cloudtrail/examples/...      contrib/ (tracked files)
#
# The package is named check-cloudtrail: Debian forbids '_' in package
# names, and the RPM gets the same name so both are found the same way.
# The man page is rendered by the binary being packaged (never a kept
# copy) and must pass `groff -man -ww -z` without a word. Builds are
# reproducible: SOURCE_DATE_EPOCH (default: the last commit's time) sets
# every mtime and the RPM's build time and host.
#
# Installs Debian's groff-base and rpm (apt-get, with sudo when not root)
# when groff or rpmbuild is missing, and fails when it cannot. Nothing
# else leaves the machine; everything else is written under
# target/package/ (rpmbuild's database and scratch files included).
#
#   scripts/package.sh
#
# CHECK_CLOUDTRAIL_MAINTAINER: the packages' Maintainer/Packager field.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022

PROG=package.sh
die() {
    printf '%s: ERROR: %s\n' "$PROG" "$*" >&2
    exit 1
}
log() {
    printf '%s: %s\n' "$PROG" "$*" >&2
}

PKG=check-cloudtrail
BIN_NAME=check_cloudtrail
MAINTAINER="${CHECK_CLOUDTRAIL_MAINTAINER:-check_cloudtrail developers <check-cloudtrail@example.org>}"
OUT=target/package
WORK="$OUT/work"

# need COMMAND DEBIAN-PACKAGE: installs the package with apt-get when the
# command is missing (like build-static.sh does for musl-tools), then
# insists on the command.
need() {
    local cmd=$1 deb=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 \
        || die "$cmd is missing and there is no apt-get to install Debian's $deb package"
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "$cmd is missing; installing $deb needs root or sudo"
        sudo=(sudo)
    fi
    log "installing Debian's $deb ($cmd)"
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
    # Through env: sudo would drop a plain VAR=value prefix.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null \
        || die "apt-get install $deb failed"
    command -v "$cmd" >/dev/null 2>&1 || die "$cmd still missing after installing $deb"
}

# The [package] table's `key = "value"` from Cargo.toml.
cargo_field() {
    awk -v key="$1" '
        /^\[/ { in_pkg = ($0 == "[package]"); next }
        in_pkg && $0 ~ "^" key "[ \t]*=" {
            sub(/^[^=]*=[ \t]*"/, ""); sub(/"[ \t]*$/, ""); print; exit
        }' Cargo.toml
}

for tool in dpkg-deb gzip md5sum awk find touch install; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
done
need groff groff-base
need rpmbuild rpm

VERSION="$(cargo_field version)"
DESCRIPTION="$(cargo_field description)"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] \
    || die "cannot read a semver version from Cargo.toml's [package] (got '$VERSION')"
[[ -n "$DESCRIPTION" && "$DESCRIPTION" != *[\"\\]* ]] \
    || die "cannot read a plain description from Cargo.toml's [package] (got '$DESCRIPTION')"
# A semver pre-release (1.0.0-rc.1) must sort before its release: '~'
# does that in both dpkg and rpm, and '-' is not allowed in an RPM
# version anyway.
PKG_VERSION="${VERSION//-/\~}"

# 1. The static binary.
log "building the static binary (scripts/build-static.sh)"
# Without SOURCE_DATE_EPOCH: the cc crate rebuilds ring's C whenever it
# changes (a 30 s rebuild after every plain build-static.sh), and nothing
# in the binary is dated.
env -u SOURCE_DATE_EPOCH scripts/build-static.sh || die "scripts/build-static.sh failed"
BIN="target/x86_64-unknown-linux-musl/release/$BIN_NAME"
[[ -x "$BIN" ]] || die "no executable $BIN after scripts/build-static.sh"
# --version exits 3 (UNKNOWN), as upstream's does.
got="$("$BIN" --version)" && rc=0 || rc=$?
[[ "$got" == "Plugin Version: $VERSION " && "$rc" == 3 ]] \
    || die "$BIN --version printed '$got' (exit $rc), not 'Plugin Version: $VERSION ' (exit 3): a stale binary?"

# Both packages' long description (the short one is Cargo.toml's).
LONG_DESCRIPTION="A drop-in for Centreon's centreon_aws_cloudtrail_api.pl
(cloud::aws::cloudtrail::plugin): same options, output and exit codes.
One static x86_64 binary, $BIN_NAME, with no run-time dependency,
installed in Centreon's plugin directory and linked from the Nagios one;
its manual page, and Centreon, Nagios and Icinga 2 command definitions
as examples."

# 2. The staged tree both packages are made of.
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
    SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null)" \
        || die "SOURCE_DATE_EPOCH is not set and git log cannot give the last commit's time"
fi
[[ "$SOURCE_DATE_EPOCH" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH='$SOURCE_DATE_EPOCH' is not a number of seconds"
export SOURCE_DATE_EPOCH

rm -rf "$WORK"
STAGE="$WORK/root"
DOC="$STAGE/usr/share/doc/$PKG"
install -d -m 0755 "$STAGE/usr/lib/centreon/plugins" "$STAGE/usr/lib/nagios/plugins" \
    "$STAGE/usr/share/man/man1" "$DOC/examples"
install -m 0755 "$BIN" "$STAGE/usr/lib/centreon/plugins/$BIN_NAME"
# Relative, as Debian policy (10.5) wants for a link inside /usr: it also
# points at the right file when the tree is installed under another root
# (dpkg --root, rpm --root, an image being built), where an absolute
# target would lead to the host's /usr/lib/centreon.
ln -s "../../centreon/plugins/$BIN_NAME" "$STAGE/usr/lib/nagios/plugins/$BIN_NAME"

# The man page, from the binary itself; lint it before it goes anywhere.
MAN_SRC="$WORK/$BIN_NAME.1"
"$BIN" --generate=man >"$MAN_SRC" || die "$BIN --generate=man failed"
head -n 1 "$MAN_SRC" | grep -q '^\.TH CHECK_CLOUDTRAIL 1 ' \
    || die "$BIN --generate=man does not start with '.TH CHECK_CLOUDTRAIL 1'"
lint="$(groff -man -ww -z "$MAN_SRC" 2>&1)" || die "groff -man -ww -z failed on the man page: $lint"
[[ -z "$lint" ]] || die "groff -man -ww -z warns about the man page:"$'\n'"$lint"
gzip -9n -c "$MAN_SRC" >"$STAGE/usr/share/man/man1/$BIN_NAME.1.gz"
chmod 0644 "$STAGE/usr/share/man/man1/$BIN_NAME.1.gz"

cat >"$DOC/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: check_cloudtrail

Files: *
Copyright: the check_cloudtrail authors
License: Apache-2.0

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License");
 you may not use this file except in compliance with the License.
 You may obtain a copy of the License at
 .
     http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS,
 WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 See the License for the specific language governing permissions and
 limitations under the License.
 .
 On Debian systems, the full text of the Apache License version 2.0
 can be found in /usr/share/common-licenses/Apache-2.0.
EOF
chmod 0644 "$DOC/copyright"

# contrib/: the tracked files only, so that a stray local file never
# ships.
mapfile -t contrib < <(git ls-files -- contrib | LC_ALL=C sort)
((${#contrib[@]} > 0)) || die "git ls-files found no file under contrib/"
for f in "${contrib[@]}"; do
    # The spec lists these names bare: no blanks, no macro or glob signs.
    [[ "$f" =~ ^[A-Za-z0-9._/+-]+$ ]] || die "contrib file name '$f' cannot go into the RPM spec as is"
    install -D -m 0644 "$f" "$DOC/examples/${f#contrib/}"
done

# Normalised modes and times: directories 0755, files 0644 but the
# binary, every mtime SOURCE_DATE_EPOCH (links too: -h).
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -type f ! -path "*/plugins/$BIN_NAME" -exec chmod 0644 {} +
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

rm -f "$OUT/${PKG}"_*.deb "$OUT/${PKG}"-*.rpm

# 3. The .deb: dpkg-deb over a copy of the tree with DEBIAN/ beside it.
DEB_ROOT="$WORK/deb"
cp -a "$STAGE" "$DEB_ROOT"
install -d -m 0755 "$DEB_ROOT/DEBIAN"
installed_kib="$(du -s -k --apparent-size "$STAGE" | cut -f1)"
cat >"$DEB_ROOT/DEBIAN/control" <<EOF
Package: $PKG
Version: $PKG_VERSION
Architecture: amd64
Maintainer: $MAINTAINER
Installed-Size: $installed_kib
Section: net
Priority: optional
Description: $DESCRIPTION
 ${LONG_DESCRIPTION//$'\n'/$'\n' }
EOF
(cd "$DEB_ROOT" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 md5sum) >"$DEB_ROOT/DEBIAN/md5sums"
chmod 0644 "$DEB_ROOT/DEBIAN/control" "$DEB_ROOT/DEBIAN/md5sums"
find "$DEB_ROOT/DEBIAN" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
DEB="$OUT/${PKG}_${PKG_VERSION}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$DEB_ROOT" "$DEB" >/dev/null || die "dpkg-deb --build failed"

# 4. The .rpm: a spec that copies the staged tree, in a topdir under
# target/package/work.
TOPDIR="$(pwd)/$WORK/rpm"
install -d "$TOPDIR/SPECS" "$TOPDIR/RPMS" "$TOPDIR/BUILD" "$TOPDIR/BUILDROOT" "$TOPDIR/SRPMS"
SPEC="$TOPDIR/SPECS/$PKG.spec"
STAGE_ABS="$(pwd)/$STAGE"
{
    cat <<EOF
# Generated by scripts/package.sh: the files are built and staged there.
# Nothing to strip, compress or scan: the binary is static and stripped,
# the man page already gzipped.
%global __os_install_post %{nil}
%global debug_package %{nil}
%global _build_id_links none

Name:           $PKG
Version:        $PKG_VERSION
Release:        1
Summary:        $DESCRIPTION
License:        Apache-2.0
Packager:       $MAINTAINER
BuildArch:      x86_64
# Static binary: no library to require, nothing to provide but the name.
AutoReqProv:    no

%description
$LONG_DESCRIPTION

%install
cp -a '$STAGE_ABS'/. '%{buildroot}'/

%files
%defattr(0644,root,root,0755)
%dir /usr/lib/centreon
%dir /usr/lib/centreon/plugins
%attr(0755,root,root) /usr/lib/centreon/plugins/$BIN_NAME
%dir /usr/lib/nagios
%dir /usr/lib/nagios/plugins
/usr/lib/nagios/plugins/$BIN_NAME
/usr/share/man/man1/$BIN_NAME.1.gz
%dir /usr/share/doc/$PKG
%license /usr/share/doc/$PKG/copyright
EOF
    # Every examples directory and file, by name.
    (cd "$STAGE" && find "usr/share/doc/$PKG/examples" -type d | LC_ALL=C sort | sed 's|^|%dir /|')
    (cd "$STAGE" && find "usr/share/doc/$PKG/examples" -type f | LC_ALL=C sort | sed 's|^|%doc /|')
} >"$SPEC"

# Reproducible: build time and host fixed, mtimes clamped, one-threaded
# xz (readable by every rpm still in use).
# Its database and scratch files stay under target/ too (Debian's rpm
# would use ~/.rpmdb and /var/tmp).
install -d "$TOPDIR/rpmdb" "$TOPDIR/tmp"
rpmbuild -bb --quiet --target x86_64 \
    --define "_topdir $TOPDIR" \
    --define "_dbpath $TOPDIR/rpmdb" \
    --define "_tmppath $TOPDIR/tmp" \
    --define "_buildhost reproducible" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --define "_binary_payload w9.xzdio" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    "$SPEC" >"$WORK/rpmbuild.log" 2>&1 \
    || die "rpmbuild failed:"$'\n'"$(tail -n 30 "$WORK/rpmbuild.log")"
RPM="$OUT/${PKG}-${PKG_VERSION}-1.x86_64.rpm"
[[ -f "$TOPDIR/RPMS/${RPM##*/}" ]] || die "rpmbuild made no ${RPM##*/}:"$'\n'"$(ls -R "$TOPDIR/RPMS")"
mv "$TOPDIR/RPMS/${RPM##*/}" "$RPM"

for p in "$DEB" "$RPM"; do
    printf '%s: %s %s bytes\n' "$PROG" "$p" "$(stat -c %s "$p")"
done
