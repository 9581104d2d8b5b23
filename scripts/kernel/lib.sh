#!/usr/bin/env bash
# Shared helpers for scripts/kernel/*.sh and tests/kernel/*.sh. Sourced, never run.
#
# Layout under build/kernel/ (all owned by these scripts, safe to delete):
#   pristine-<version>/         the unpacked linux-source tarball, never modified
#   src-<version>-none/         hard-linked copy of pristine (baseline)
#   src-<version>-series/       hard-linked copy with the series applied (hash in .pinwb-tree)
#   out-series/, out-none/      O= output directories (config, objects, bzImage, gup_test)
# shellcheck shell=bash

# Used by the scripts that source this file.
# shellcheck disable=SC2034
KPKG=linux-source-6.12
KTARBALL=/usr/src/linux-source-6.12.tar.xz

# Paths. PINWB_TOP may be set by tests to point at another checkout.
KTOP=${PINWB_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck disable=SC2034
KPATCHDIR=$KTOP/kernel-patch
KSERIES=${PINWB_SERIES:-$KPATCHDIR/series}
# shellcheck disable=SC2034
KFRAGMENT=$KPATCHDIR/config.fragment
# shellcheck disable=SC2034
KBUILD=${PINWB_KBUILD:-$KTOP/build/kernel}
# Marker written inside a tree once it is complete; a tree without it is discarded.
# shellcheck disable=SC2034
KMARK=.pinwb-tree

kprog=$(basename "$0")

# Progress and errors go to stderr; stdout is reserved for results (paths).
msg() { printf '%s: %s\n' "$kprog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$kprog" "$1" >&2; exit "${2:-1}"; }
usage_err() { printf '%s: %s (see --help)\n' "$kprog" "$*" >&2; exit 2; }
loud() {
	printf '%s: ************************************************************\n' "$kprog" >&2
	printf '%s: *** %s\n' "$kprog" "$@" >&2
	printf '%s: ************************************************************\n' "$kprog" >&2
}

# Validate a --patches value.
check_patches_arg() {
	case $1 in
	series|none) ;;
	*) usage_err "--patches: unknown value '$1' (accepted: series, none)" ;;
	esac
}

# Print the patch file names listed in a series file, in order: '#' comments and blank
# lines are ignored, as quilt does. A missing file is an empty series.
series_patches() {
	local series=${1:-$KSERIES} line
	[ -f "$series" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=$(printf '%s' "$line" | tr -d '[:space:]')
		[ -n "$line" ] && printf '%s\n' "$line"
	done <"$series"
}

# Number of patches in a series (0 when missing or empty).
series_count() {
	series_patches "${1:-$KSERIES}" | grep -c . || [ $? -eq 1 ]
}

# Content hash of the patch set: the ordered patch names and their bytes. "none" when the
# series is empty, so an empty series shares the baseline source tree.
patchset_hash() {
	local series=${1:-$KSERIES} dir p
	dir=$(dirname "$series")
	if [ "$(series_count "$series")" -eq 0 ]; then
		echo none
		return 0
	fi
	{
		while IFS= read -r p; do
			[ -f "$dir/$p" ] || die "series lists '$p' but $dir/$p does not exist" 2
			printf '%s\n' "$p"
			cat "$dir/$p"
		done < <(series_patches "$series")
	} | sha256sum | cut -c1-12
}

# Paths a patch touches (old and new names), from its diff headers, one per line.
patch_files() {
	awk '/^diff --git / { body = 1 }
		body && /^(\+\+\+ b|--- a)\// { sub(/^(\+\+\+ b|--- a)\//, ""); sub(/\t.*/, ""); print }
		body && /^rename (from|to) / { sub(/^rename (from|to) /, ""); print }' "$1" | sort -u
}

# Installed Debian version of the linux-source package ("" when not installed).
installed_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$KPKG" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# The Debian version recorded in kernel-patch/BASE.
recorded_version() {
	awk -F': *' '$1 == "Version" { print $2 }' "$KPATCHDIR/BASE"
}

# Filesystem-safe form of a Debian version (6.12.117-1~deb12u1 -> 6.12.117-1_deb12u1).
version_tag() {
	printf '%s\n' "$1" | tr '~:/' '_._'
}

# ccache when available: same compiler for the kernel and for host tools.
kcc() {
	if [ "${PINWB_NO_CCACHE:-0}" != 1 ] && command -v ccache >/dev/null 2>&1; then
		echo "ccache gcc"
	else
		echo gcc
	fi
}

# Default parallelism: the machine is shared, never more than 2 (team rule), at most nproc.
default_jobs() {
	local n
	n=$(nproc)
	[ "$n" -gt 2 ] && n=2
	echo "$n"
}

# Serialize on a lock file, kept open (on a fresh descriptor) until the script exits: a
# second build into the same directory, or of the same tree, waits instead of racing.
klock() {
	local fd
	exec {fd}>"$1"
	if ! flock -n "$fd"; then
		msg "waiting for another run holding $1"
		flock "$fd"
	fi
}

# The patched tree has one path for every version of the series (see source.sh): whoever
# builds from it holds this lock for the whole build, and source.sh takes it before it
# remakes the tree, unless its caller (build.sh) already holds it.
klock_series_tree() {
	if [ "${PINWB_SERIES_TREE_LOCKED:-0}" != 1 ]; then
		klock "$KBUILD/.series-tree.lock"
		export PINWB_SERIES_TREE_LOCKED=1
	fi
}

# Run a command with its output in a log file; on failure show the tail and return non-zero.
run_logged() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		msg "command failed: $*"
		msg "last 40 lines of $log:"
		tail -n 40 "$log" >&2
		return 1
	fi
}

# For the series tests: resolve SERIES (sets $series to its absolute path and
# $dir to its directory), read its patch list into $list, and skip (exit 77)
# when it has none. WHAT says what the caller would have done ("check", "build").
series_list_or_skip() {
	series=$(realpath -m "$1")
	dir=$(dirname "$series")
	mapfile -t list < <(series_patches "$series")
	if [ "${#list[@]}" -eq 0 ]; then
		echo "SKIP: $series is missing or empty: no patches to $2"
		exit 77
	fi
}
