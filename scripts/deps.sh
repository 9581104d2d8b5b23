#!/usr/bin/env bash
# Install the Debian packages listed in scripts/deps.list (make deps).
#
# Idempotent: when every listed package is installed and deb-src entries are
# present it only checks and returns (no root needed then). Otherwise, as
# root, it adds deb-src to the Debian apt sources (scripts/build-fio.sh uses
# `apt-get source fio`), runs apt-get update once and installs what is missing.
set -euo pipefail

usage() {
	cat <<USAGE
usage: scripts/deps.sh [--check] [--sources-only] [--list FILE]

Installs every package named in scripts/deps.list (one per line, '#' comments)
that is not installed yet, after making sure the apt sources carry deb-src.
  --check      only report missing packages / deb-src; exit 1 if anything is missing
  --sources-only  only add missing deb-src entries (no update, no install)
  --list FILE  use FILE instead of scripts/deps.list
linux-source-6.12 is installed at kernel-patch/BASE's Version (downgraded if
need be), or at the archive's newest with a warning when that version is gone.
Env PINWB_APT_ETC (default /etc/apt) names the apt configuration directory;
PINWB_KSRC_VERSION overrides the kernel source version (empty: any).
  -h, --help   this text
Exit: 0 ok, 1 something missing (--check), 2 usage or setup error.
USAGE
}

die() { echo "deps.sh: $*" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
list=$top/scripts/deps.list
check_only=0
sources_only=0
apt_etc=${PINWB_APT_ETC:-/etc/apt}
while [ $# -gt 0 ]; do
	case $1 in
	--check) check_only=1; shift ;;
	--sources-only) sources_only=1; shift ;;
	--list) [ $# -ge 2 ] || die "--list needs a file"; list=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "deps.sh: unknown argument '$1' (accepted: --check, --sources-only, --list FILE, --help)" >&2; exit 2 ;;
	esac
done
[ -r "$list" ] || die "cannot read package list $list"

# Names may be listed twice (several parts need them): keep the first.
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | awk 'NF && !seen[$0]++')
[ "${#packages[@]}" -gt 0 ] || die "no packages named in $list"

# Packages not in state "install ok installed". dpkg-query exits non-zero
# when it knows nothing of a name; such a name is simply missing.
missing_packages() {
	local installed
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null |
		awk '$1 == "ii" { sub(/:.*/, "", $2); print $2 }') || true
	local p
	for p in "${packages[@]}"; do
		grep -qxF "$p" <<<"$installed" || echo "$p"
	done
}

# deb822 files (*.sources) whose stanzas have `Types:` without deb-src.
deb822_without_src() {
	local f
	for f in "$apt_etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		if grep -Eq '^Types:' "$f" && grep -E '^Types:' "$f" | grep -qvw 'deb-src'; then
			echo "$f"
		fi
	done
}

# Active `deb` lines of a classic sources.list without a matching deb-src line.
classic_without_src() {
	local f=$1
	[ -f "$f" ] || return 0
	local line rest
	while IFS= read -r line; do
		rest=${line#deb }
		grep -qxF "deb-src $rest" "$f" || echo "$line"
	done < <(grep -E '^deb[[:space:]]' "$f" | sed 's/[[:space:]]\+/ /g')
}

sources_need_src() {
	[ -n "$(deb822_without_src)" ] && return 0
	[ -n "$(classic_without_src "$apt_etc/sources.list")" ] && return 0
	return 1
}

add_deb_src() {
	local f line
	for f in $(deb822_without_src); do
		echo "deps.sh: adding deb-src to $f"
		sed -i -E '/^Types:/{/deb-src/!s/$/ deb-src/}' "$f"
	done
	f=$apt_etc/sources.list
	if [ -n "$(classic_without_src "$f")" ]; then
		echo "deps.sh: adding deb-src lines to $f"
		while IFS= read -r line; do
			echo "deb-src ${line#deb }" >>"$f"
		done < <(classic_without_src "$f")
	fi
}

# apt-get source needs the Sources indexes, which only an update fetches.
have_source_indexes() {
	compgen -G '/var/lib/apt/lists/*_Sources*' >/dev/null
}

if [ $sources_only -eq 1 ]; then
	if sources_need_src; then
		add_deb_src
	else
		echo "deps.sh: deb-src present"
	fi
	exit 0
fi

# The kernel source at the version the series was written for: its patches
# apply only there (a newer Debian upload moves their context). The version
# is kernel-patch/BASE's; PINWB_KSRC_VERSION overrides it (empty: any).
kpkg=linux-source-6.12
kver=${PINWB_KSRC_VERSION-$(awk -F': *' '$1 == "Version" { print $2 }' "$top/kernel-patch/BASE" 2>/dev/null)}
# kernel_source_mismatch: prints the installed version when it is not $kver
# (nothing if it is, or if $kpkg is simply missing: missing_packages has it).
kernel_source_mismatch() {
	local have
	[ -n "$kver" ] || return 0
	have=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$kpkg" 2>/dev/null | awk '$1 == "ii" { print $2 }') || true
	[ -z "$have" ] || [ "$have" = "$kver" ] || echo "$have"
}
# kernel_source_spec: what apt-get install is given for $kpkg: name=version
# when the archive has $kver, else the name alone, with a warning.
kernel_source_spec() {
	if [ -n "$kver" ] && apt-cache madison "$kpkg" 2>/dev/null | awk -F' *[|] *' '{ print $2 }' | grep -qxF "$kver"; then
		echo "$kpkg=$kver"
	else
		echo "deps.sh: WARNING: $kpkg $kver (kernel-patch/BASE) is not in the archive; installing its newest version, which the series may not apply to" >&2
		echo "$kpkg"
	fi
}

mapfile -t missing < <(missing_packages)
kmismatch=$(kernel_source_mismatch)
need_src=0
sources_need_src && need_src=1
need_indexes=0
have_source_indexes || need_indexes=1

if [ "${#missing[@]}" -eq 0 ] && [ -z "$kmismatch" ] && [ $need_src -eq 0 ] && [ $need_indexes -eq 0 ]; then
	echo "deps.sh: all ${#packages[@]} packages installed, deb-src present"
	exit 0
fi
if [ $check_only -eq 1 ]; then
	[ "${#missing[@]}" -eq 0 ] || echo "deps.sh: missing packages: ${missing[*]}"
	[ -z "$kmismatch" ] || echo "deps.sh: $kpkg is $kmismatch, kernel-patch/BASE wants $kver"
	[ $need_src -eq 0 ] || echo "deps.sh: apt sources lack deb-src"
	[ $need_indexes -eq 0 ] || echo "deps.sh: no apt Sources indexes (apt-get update needed)"
	exit 1
fi
[ "$(id -u)" -eq 0 ] || die "must run as root to install: ${missing[*]:-deb-src indexes} (try: sudo make deps)"

[ $need_src -eq 0 ] || add_deb_src
export DEBIAN_FRONTEND=noninteractive
echo "deps.sh: apt-get update"
apt-get update -q >/dev/null || die "apt-get update failed"
specs=()
for p in "${missing[@]}"; do
	[ "$p" = "$kpkg" ] || specs+=("$p")
done
if [ -n "$kmismatch" ] || [ "${#specs[@]}" -ne "${#missing[@]}" ]; then
	specs+=("$(kernel_source_spec)")
fi
if [ "${#specs[@]}" -gt 0 ]; then
	echo "deps.sh: installing ${specs[*]}"
	apt-get install -y -q --no-install-recommends --allow-downgrades "${specs[@]}" ||
		die "apt-get install failed for: ${specs[*]}"
fi
mapfile -t still < <(missing_packages)
[ "${#still[@]}" -eq 0 ] || die "still not installed after apt-get: ${still[*]}"
kmismatch=$(kernel_source_mismatch)
[ -z "$kmismatch" ] || echo "deps.sh: WARNING: $kpkg is $kmismatch, not kernel-patch/BASE's $kver"
echo "deps.sh: all ${#packages[@]} packages installed"
