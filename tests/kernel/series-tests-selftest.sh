#!/usr/bin/env bash
# The series tests can fail: run series-applies.sh and checkpatch.sh on small series
# made here from the pristine tree (a good one, one whose second patch does not apply,
# one with a style error, the same explained by a checkpatch-ignore line) and on an
# empty series, and check each verdict. per-patch-build.sh is left out: it shares the
# same series parsing and apply.sh, and a run costs minutes.
set -euo pipefail
shopt -s inherit_errexit

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernel/lib.sh
. "$top/scripts/kernel/lib.sh"

case ${1:-} in
-h|--help)
	echo "usage: tests/kernel/series-tests-selftest.sh"
	echo "Exit: 0 pass, 1 fail, 77 skip (no kernel source)."
	exit 0 ;;
'') ;;
*) usage_err "unknown argument '$1' (accepted: --help)" ;;
esac

if ! src=$("$top/scripts/kernel/source.sh" --patches none 2>/dev/null | tail -n 1); then
	echo "SKIP: cannot prepare the linux-source-6.12 tree (run: make deps; scripts/kernel/source.sh --patches none)"
	exit 77
fi
version=$(cut -d' ' -f1 "$src/$KMARK")
pristine=$KBUILD/pristine-$(version_tag "$version")

tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# mkpatch DIR NAME SUBJECT FILE SED-EXPR [BODY-LINE]: a git format-patch style mail
# changing FILE (a path in the tree) by SED-EXPR.
mkpatch() {
	local d=$1 name=$2 subject=$3 file=$4 expr=$5 body=${6:-}
	mkdir -p "$d/a/$(dirname "$file")" "$d/b/$(dirname "$file")"
	cp "$pristine/$file" "$d/a/$file"
	sed "$expr" "$pristine/$file" >"$d/b/$file"
	{
		echo "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001"
		echo "From: Test Dev <test@example.com>"
		echo "Date: Thu, 1 Jan 2026 00:00:00 +0000"
		echo "Subject: [PATCH] $subject"
		echo
		echo "A change made by the series-tests selftest."
		[ -z "$body" ] || { echo; echo "$body"; }
		echo
		echo "Signed-off-by: Test Dev <test@example.com>"
		echo "---"
		(cd "$d" && diff -u "a/$file" "b/$file" | sed -E '1,2s/\t.*//') || [ $? -eq 1 ]
		echo "-- "
		echo "2.39.5"
	} >"$d/$name"
	rm -rf "$d/a" "$d/b"
	echo "$name" >>"$d/series"
}

good=$tmp/good bad=$tmp/bad style=$tmp/style explained=$tmp/explained empty=$tmp/empty
mkdir -p "$good" "$bad" "$style" "$explained" "$empty"
: >"$empty/series"
comment='s|^static inline void sanity_check_pinned_pages|/* selftest: a comment */\n&|'
mkpatch "$good" 0001-mm-gup-comment.patch "mm/gup: add a comment" mm/gup.c "$comment"
mkpatch "$good" 0002-mm-vmstat-comment.patch "mm/vmstat: add a comment" mm/vmstat.c \
	's|^#include <linux/fs.h>|/* selftest: another comment */\n&|'
mkpatch "$bad" 0001-mm-gup-comment.patch "mm/gup: add a comment" mm/gup.c "$comment"
# The same hunk again: its context no longer matches once patch 1 is in.
mkpatch "$bad" 0002-mm-gup-comment-again.patch "mm/gup: add it again" mm/gup.c "$comment"
sed -i 's|^ static inline void sanity_check_pinned_pages| static inline void no_such_function|' \
	"$bad/0002-mm-gup-comment-again.patch"
# "if(" : checkpatch ERROR:SPACING.
mkpatch "$style" 0001-mm-gup-style.patch "mm/gup: style error" mm/gup.c \
	's|^static inline void sanity_check_pinned_pages|static inline int pinwb_st(int x) { if(x) return 1; return 0; }\n&|'
mkpatch "$explained" 0001-mm-gup-style.patch "mm/gup: style error" mm/gup.c \
	's|^static inline void sanity_check_pinned_pages|static inline void pinwb_st(int *x)\n{\n\tif(x)\n\t\t*x = 1;\n}\n\n&|' \
	"checkpatch-ignore: SPACING kept to test the exception"

failed=0
# expect WANT-RC TEST SERIES [GREP]: run a series test, check its exit code and that
# its output has a line matching GREP.
expect() {
	local want=$1 t=$2 s=$3 pat=${4:-} rc=0 out
	out=$("$top/tests/kernel/$t" --series "$s/series" 2>&1) || rc=$?
	if [ "$rc" != "$want" ]; then
		printf '%s\n' "$out" | sed 's/^/    /'
		echo "FAIL: $t on $(basename "$s") series: exit $rc, expected $want"
		failed=$((failed + 1))
	elif [ -n "$pat" ] && ! grep -qE "$pat" <<<"$out"; then
		printf '%s\n' "$out" | sed 's/^/    /'
		echo "FAIL: $t on $(basename "$s") series: no line matching '$pat'"
		failed=$((failed + 1))
	else
		[ -z "$pat" ] || pat=", reports /$pat/"
		echo "PASS: $t on $(basename "$s") series: exit $rc$pat"
	fi
}

expect 77 series-applies.sh "$empty" '^SKIP: '
expect 77 checkpatch.sh "$empty" '^SKIP: '
expect 77 per-patch-build.sh "$empty" '^SKIP: '
expect 0 series-applies.sh "$good"
expect 1 series-applies.sh "$bad" '^FAIL: 0002-mm-gup-comment-again.patch: does not apply'
expect 0 checkpatch.sh "$good"
expect 1 checkpatch.sh "$style" '^FAIL: 0001-mm-gup-style.patch'
expect 0 checkpatch.sh "$explained" 'explained exceptions \(SPACING\)'

[ "$failed" -eq 0 ] || { echo "series-tests-selftest: $failed checks failed"; exit 1; }
echo "series-tests-selftest: the series tests pass and fail as they should"
