#!/usr/bin/env bash
# scripts/deps.sh adds deb-src where it is missing, in both apt source
# formats, and leaves sources that have it alone (run against a copy under
# PINWB_APT_ETC, never the machine's /etc/apt). Also: the package list
# parses and --check agrees with dpkg.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

make_tmp
etc=$T/apt
mkdir -p "$etc/sources.list.d"
cat >"$etc/sources.list.d/debian.sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
SRC
cat >"$etc/sources.list" <<'SRC'
# a comment
deb http://deb.debian.org/debian bookworm main
deb http://example.invalid/x bookworm main
deb-src http://example.invalid/x bookworm main
SRC
PINWB_APT_ETC=$etc "$TOP/scripts/deps.sh" --sources-only || fail "deps.sh --sources-only failed"
[ "$(grep -c '^Types: deb deb-src$' "$etc/sources.list.d/debian.sources")" = 2 ] ||
	fail "deb822: expected both stanzas with 'Types: deb deb-src'"
grep -qx 'deb-src http://deb.debian.org/debian bookworm main' "$etc/sources.list" ||
	fail "classic: deb-src line not added"
[ "$(grep -c '^deb-src http://example.invalid/x' "$etc/sources.list")" = 1 ] ||
	fail "classic: an existing deb-src line was duplicated"
cp -a "$etc" "$T/apt.before"
PINWB_APT_ETC=$etc "$TOP/scripts/deps.sh" --sources-only || fail "second run failed"
diff -r "$T/apt.before" "$etc" || fail "second run changed sources that already had deb-src"

# --check exits 0 exactly when dpkg has every listed package.
missing=0
while read -r p; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing=1
done < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$TOP/scripts/deps.list" | grep -v '^$')
rc=0
"$TOP/scripts/deps.sh" --check || rc=$?
if [ $missing -eq 0 ]; then
	[ $rc -eq 0 ] || fail "deps.sh --check exit $rc although every package is installed"
else
	[ $rc -eq 1 ] || fail "deps.sh --check exit $rc although a package is missing"
fi
pass "deb-src added once in both formats; --check agrees with dpkg"
