#!/usr/bin/env bash
# The series is well-formed and applies, patch by patch and without fuzz, to the
# recorded base version (kernel-patch/BASE) of linux-source-6.12.
#
# Checks: every listed patch exists, every NNNN-*.patch in kernel-patch/ is listed, the
# numbering follows the series order, each patch is a `git format-patch` mail with a
# Signed-off-by, and each applies on top of the previous ones.
set -euo pipefail
shopt -s inherit_errexit

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernel/lib.sh
. "$top/scripts/kernel/lib.sh"

usage() {
	cat <<USAGE
usage: tests/kernel/series-applies.sh [--series FILE]

  --series FILE  series to check (default: kernel-patch/series, or \$PINWB_SERIES)
Exit: 0 pass, 1 fail, 2 usage/setup error, 77 skip (empty series, no kernel source).
USAGE
}

series=${PINWB_SERIES:-$KSERIES}
while [ $# -gt 0 ]; do
	case $1 in
	--series) [ $# -ge 2 ] || usage_err "--series needs a file"; series=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1' (accepted: --series FILE, --help)" ;;
	esac
done
failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

series_list_or_skip "$series" check

# Form of the series itself.
for ((i = 0; i < ${#list[@]}; i++)); do
	p=${list[i]}
	want=$(printf '%04d-' $((i + 1)))
	if [ ! -f "$dir/$p" ]; then
		fail "$p: listed in the series but missing"
		continue
	fi
	if [[ $p == "$want"* ]]; then
		pass "$p: numbered $want in series order"
	else
		fail "$p: is number $((i + 1)) in the series, name should start with $want"
	fi
	# git format-patch output: an mbox "From <sha>" line, a Subject and a sign-off.
	if head -n 1 "$dir/$p" | grep -qE '^From [0-9a-f]{40} ' &&
		grep -qE '^Subject: ' "$dir/$p" && grep -qE '^Signed-off-by: .+ <.+>' "$dir/$p"; then
		pass "$p: git format-patch form with Signed-off-by"
	else
		fail "$p: not git format-patch form (From <sha> line, Subject:, Signed-off-by:)"
	fi
done
for f in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	# the cover letter (git format-patch --cover-letter) describes the series
	[ "$b" = 0000-cover-letter.patch ] && continue
	printf '%s\n' "${list[@]}" | grep -qxF "$b" || fail "$b: in $dir but not listed in the series"
done

# Application to the recorded base. source.sh installs/unpacks the package it has; if
# that is not the recorded version, the result says so.
if ! src=$("$top/scripts/kernel/source.sh" --patches none 2>/dev/null | tail -n 1); then
	echo "SKIP: cannot prepare the linux-source-6.12 tree (run: make deps; scripts/kernel/source.sh --patches none)"
	exit 77
fi
have=$(cat "$src/$KMARK")
have=${have%% *}
base=$(recorded_version)
if [ "$have" = "$base" ]; then
	pass "base: installed linux-source-6.12 $have is the recorded base"
else
	fail "base: installed linux-source-6.12 is $have, kernel-patch/BASE records $base (applying to $have)"
fi
pristine=$KBUILD/pristine-$(version_tag "$have")

tree=$(mktemp -d "$KBUILD/series-applies.XXXXXX")
cleanup() { rm -rf "$tree"; }
trap cleanup EXIT
rmdir "$tree"
cp -al "$pristine" "$tree"

for ((i = 1; i <= ${#list[@]}; i++)); do
	p=${list[i - 1]}
	[ -f "$dir/$p" ] || { fail "$p: cannot apply, file missing"; break; }
	if log=$("$top/scripts/kernel/apply.sh" --tree "$tree" --series "$series" --from "$i" --to "$i" 2>&1); then
		note=$(printf '%s\n' "$log" | sed -n 's/.*: \([0-9]*\) hunks apply at an offset.*/\1/p')
		if [ -n "$note" ]; then
			pass "$p: applies ($note hunks at an offset)"
		else
			pass "$p: applies"
		fi
	else
		printf '%s\n' "$log" | sed 's/^/    /'
		fail "$p: does not apply on top of patches 1..$((i - 1))"
		break
	fi
done

[ "$failed" -eq 0 ] || { echo "series-applies: $failed checks failed"; exit 1; }
echo "series-applies: all checks passed"
