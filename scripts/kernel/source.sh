#!/usr/bin/env bash
# Prepare a kernel source tree for the pinwb series (or the baseline).
#
# The tarball from Debian's linux-source-6.12 package is unpacked once into
# build/kernel/pristine-<version>/; the baseline and the patched tree are hard-linked
# copies of it (src-<version>-none/, src-<version>-series/), so a variant costs seconds
# and a few MB, and the pristine tree is never touched (patch(1) writes new files instead
# of editing linked ones). Idempotent: a tree whose marker (.pinwb-tree: version and
# patch set hash) matches is reused; a changed series remakes the patched tree.
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
usage: scripts/kernel/source.sh [--patches series|none] [--series FILE]

Ensures the $KPKG package is installed (apt-get, as root), reports its
Debian version (loudly when it differs from kernel-patch/BASE), unpacks
$KTARBALL once into build/kernel/pristine-<version>/ and
makes build/kernel/src-<version>-none/ or, applying the series with
scripts/kernel/apply.sh, build/kernel/src-<version>-series/ from it (remade when the
series content changes; its hash is in .pinwb-tree). An empty or missing series
means "no patches" and yields the baseline tree.

  --patches series|none  apply kernel-patch/series (default) or nothing
  --series FILE          use another series file (patches are next to it;
                         default: kernel-patch/series or \$PINWB_SERIES)
  -h, --help             this text

Prints the source tree's absolute path as the last line of stdout.
Exit: 0 ok, 1 a patch does not apply, 2 setup error.
USAGE
}

patches=series
series=$KSERIES
while [ $# -gt 0 ]; do
	case $1 in
	--patches) [ $# -ge 2 ] || usage_err "--patches needs a value (series or none)"
		check_patches_arg "$2"; patches=$2; shift 2 ;;
	--series) [ $# -ge 2 ] || usage_err "--series needs a file"
		series=$(realpath -m "$2"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1' (accepted: --patches series|none, --series FILE, --help)" ;;
	esac
done

# 1. The package. apt installs the candidate, i.e. the newest linux-source-6.12.
version=$(installed_version)
if [ -z "$version" ]; then
	[ "$(id -u)" -eq 0 ] || die "$KPKG is not installed and installing it needs root (run: make deps)" 2
	msg "installing $KPKG with apt-get"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$KPKG" >&2 ||
		die "apt-get install $KPKG failed" 2
	version=$(installed_version)
	[ -n "$version" ] || die "$KPKG still not installed after apt-get" 2
fi
[ -f "$KTARBALL" ] || die "$KPKG $version is installed but $KTARBALL is missing" 2
base=$(recorded_version)
if [ "$version" != "$base" ]; then
	loud "installed $KPKG is $version but kernel-patch/BASE records $base" \
		"building against $version; the series was written for $base"
else
	msg "$KPKG $version (matches kernel-patch/BASE)"
fi

tag=$(version_tag "$version")
mkdir -p "$KBUILD"
if [ "$patches" = none ]; then
	hash=none
else
	hash=$(patchset_hash "$series")
fi
# The series tree lock first: waiting for a build of the series must not hold up the
# baseline's source lock.
[ "$hash" = none ] || klock_series_tree
klock "$KBUILD/.source.lock"

# 2. The pristine tree: unpack into a temporary directory, mark, then rename, so an
# interrupted unpack never looks complete.
pristine=$KBUILD/pristine-$tag
if [ ! -f "$pristine/$KMARK" ]; then
	rm -rf "$pristine" "$pristine.tmp"
	mkdir -p "$pristine.tmp"
	want_sum=$(awk -F': *' '$1 == "Tarball-SHA256" { print $2 }' "$KPATCHDIR/BASE")
	if [ "$version" = "$base" ] && [ -n "$want_sum" ]; then
		sum=$(sha256sum "$KTARBALL" | cut -d' ' -f1)
		[ "$sum" = "$want_sum" ] ||
			die "$KTARBALL has SHA-256 $sum, kernel-patch/BASE records $want_sum for $version (reinstall $KPKG)" 2
	fi
	msg "unpacking $KTARBALL into $pristine (once, about a minute)"
	tar -xJf "$KTARBALL" -C "$pristine.tmp" --strip-components=1 ||
		die "could not unpack $KTARBALL" 2
	[ -f "$pristine.tmp/Makefile" ] || die "$KTARBALL did not contain a kernel tree" 2
	echo "$version" >"$pristine.tmp/$KMARK"
	mv "$pristine.tmp" "$pristine"
fi

# 3. The variant. The patched tree has one path whatever the patch set (its hash is in
# the marker): ccache keys on the paths in the compiler command line, so a new version of
# the series reuses every object whose inputs did not change. Files that any earlier
# patch set at this path touched are re-copied (fresh mtime, own inode), so kbuild in the
# output directory rebuilds whatever depended on their earlier contents.
if [ "$patches" = series ] && [ "$hash" = none ]; then
	msg "series $series is missing or empty: no patches, using the baseline tree"
fi
if [ "$hash" = none ]; then
	src=$KBUILD/src-$tag-none
else
	src=$KBUILD/src-$tag-series
fi
if [ -f "$src/$KMARK" ] && [ "$(cat "$src/$KMARK")" = "$version $hash" ]; then
	msg "reusing $src"
else
	rm -rf "$src.tmp"
	if [ "$hash" = none ]; then
		msg "making $src (hard-linked copy of the pristine tree)"
	else
		msg "making $src (hard-linked copy of the pristine tree + series $hash)"
	fi
	cp -al "$pristine" "$src.tmp"
	rm -f "$src.tmp/$KMARK"
	if [ "$hash" != none ]; then
		{
			while IFS= read -r p; do
				patch_files "$(dirname "$series")/$p"
			done < <(series_patches "$series")
			if [ -f "$src/.pinwb-touched" ]; then
				cat "$src/.pinwb-touched"
			fi
		} | sort -u >"$src.tmp/.pinwb-touched"
		while IFS= read -r f; do
			if [ -f "$pristine/$f" ]; then
				cp --remove-destination "$pristine/$f" "$src.tmp/$f"
			fi
		done <"$src.tmp/.pinwb-touched"
		if ! "$(dirname "$0")/apply.sh" --tree "$src.tmp" --series "$series"; then
			rm -rf "$src.tmp"
			exit 1
		fi
	fi
	printf '%s %s\n' "$version" "$hash" >"$src.tmp/$KMARK"
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi
echo "$src"
