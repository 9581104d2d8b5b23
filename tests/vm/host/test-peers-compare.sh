#!/usr/bin/env bash
# Host test (no VM) of the judgement in scripts/vm/peers.sh --compare: on
# fixture run directories, identical results pass, a case failing on all
# three kernels is shown as a baseline failure and passes, a listed
# difference passes with its reason, and each of these fails the command:
# a case passing on the baseline and failing on the series at defaults, an
# unlisted opt-in difference, a pin leak, a kernel-log finding only on the
# series, a case missing on the series (it hung). A run directory still
# missing or still booting is not judged (77); --runs refuses to boot over an existing run;
# a malformed expected-differences line and a kernel path that is not a
# file are refused before any boot.
set -euo pipefail

case ${1:-} in
-h|--help) echo "usage: tests/vm/host/test-peers-compare.sh   (no arguments; exit 0 all passed, 1 a check failed)"; exit 0 ;;
'') ;;
*) echo "test-peers-compare.sh: unknown argument '$1' (accepted: --help)" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/../../.." && pwd)
peers=$top/scripts/vm/peers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

cat >"$tmp/expected" <<'EXP'
# fixture list
suite: listed case* | PASS | PASS | FAIL | the opt-in changes it
EXP

# fixture NAME: three run directories with the same base rows; then the
# caller edits them.
fixture() {
	local d=$tmp/$1 r
	for r in baseline patched-default patched-opt-in; do
		mkdir -p "$d/$r/results/peers-x"
		printf 'suite: same\tPASS\t\nsuite: skipped\tSKIP\tno hugetlb\nsuite: broken everywhere\tFAIL\texit 1: no network\n' \
			>"$d/$r/results/peers-x/cases.tsv"
		printf 'peers-x\tPASS\t12.0\tx: 3 pass\n' >"$d/$r/rows.tsv"
		: >"$d/$r/dmesg-findings.txt"
	done
	echo "$d"
}
# judge NAME RC PATTERN: peers.sh --compare exits RC and prints PATTERN.
judge() {
	local rc=0 o
	o=$("$peers" --compare "$tmp/$1" --expected "$tmp/expected" 2>&1) || rc=$?
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit $rc, expected $2: $(tail -n 4 <<<"$o")"
	elif ! grep -qE -- "$3" <<<"$o"; then
		bad "$1: output lacks /$3/: $o"
	else
		ok "$1"
	fi
}

fixture same >/dev/null
judge same 0 'broken everywhere +FAIL +FAIL +FAIL +baseline-failure'

d=$(fixture listed)
printf 'suite: listed case 1\tPASS\t\n' >>"$d/baseline/results/peers-x/cases.tsv"
printf 'suite: listed case 1\tPASS\t\n' >>"$d/patched-default/results/peers-x/cases.tsv"
printf 'suite: listed case 1\tFAIL\tShould have failed\n' >>"$d/patched-opt-in/results/peers-x/cases.tsv"
judge listed 0 'listed case 1 +PASS +PASS +FAIL +expected: the opt-in changes it'

d=$(fixture regression)
sed -i 's/^suite: same\tPASS/suite: same\tFAIL/' "$d/patched-default/results/peers-x/cases.tsv"
judge regression 1 'suite: same +PASS +FAIL +PASS +UNEXPECTED'

d=$(fixture unlisted)
sed -i 's/^suite: same\tPASS/suite: same\tFAIL/' "$d/patched-opt-in/results/peers-x/cases.tsv"
judge unlisted 1 'suite: same +PASS +PASS +FAIL +UNEXPECTED'

d=$(fixture listed-wrong-way)
printf 'suite: listed case 2\tPASS\t\n' >>"$d/baseline/results/peers-x/cases.tsv"
printf 'suite: listed case 2\tFAIL\t\n' >>"$d/patched-default/results/peers-x/cases.tsv"
printf 'suite: listed case 2\tFAIL\t\n' >>"$d/patched-opt-in/results/peers-x/cases.tsv"
judge listed-wrong-way 1 'listed case 2 +PASS +FAIL +FAIL +UNEXPECTED'

d=$(fixture leak)
sed -i 's/^suite: same\tPASS\t/suite: same\tLEAK\tpin leak: 16 pages/' "$d/patched-default/results/peers-x/cases.tsv"
printf 'peers-x\tFAIL\t12.0\tx: 1 case(s) leaked pins\n' >"$d/patched-default/rows.tsv"
judge leak 1 '\[harness\] peers-x +PASS +FAIL +PASS +UNEXPECTED'

d=$(fixture dmesg)
printf 'peers-x\t[ 9.1] BUG: KASAN: use-after-free in io_free\n' >"$d/patched-opt-in/dmesg-findings.txt"
judge dmesg 1 '\[harness\] kernel log +PASS +PASS +FAIL +UNEXPECTED'

d=$(fixture hang)
grep -v '^suite: same' "$d/patched-default/results/peers-x/cases.tsv" >"$tmp/c" && mv "$tmp/c" "$d/patched-default/results/peers-x/cases.tsv"
judge hang 1 'suite: same +PASS +- +PASS +UNEXPECTED'

rc=0
"$peers" --compare "$tmp/nowhere" >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then ok "missing --compare directory is a usage error"; else bad "missing --compare directory: exit $rc"; fi

# A run directory still missing (booted later with --runs): not judged,
# exit 77 naming the run, never a pass.
d=$(fixture partial)
rm -rf "$d/baseline"
judge partial 77 'not judged: no run directory for baseline .*--runs baseline'

# A run another peers.sh --runs is still booting (RUN.running beside its
# directory, which already exists without rows.tsv) is not judged either.
d=$(fixture booting)
rm -f "$d/patched-opt-in/rows.tsv"
: >"$d/patched-opt-in.running"
judge booting 77 'not judged: patched-opt-in still booting'

# --runs never boots into a run directory that is already there, and
# refuses an unknown run name; both before any build or boot.
rc=0
o=$("$peers" --out "$tmp/listed" --runs baseline 2>&1) || rc=$?
if [ "$rc" -eq 2 ] && grep -q "already holds run baseline" <<<"$o"; then
	ok "--runs refuses an existing run directory"
else
	bad "--runs into an existing run: exit $rc: $o"
fi
rc=0
o=$("$peers" --out "$tmp/partial" --runs baseline,stock 2>&1) || rc=$?
if [ "$rc" -eq 2 ] && grep -q -- "--runs: unknown run 'stock'" <<<"$o"; then
	ok "--runs refuses an unknown run name"
else
	bad "--runs with an unknown name: exit $rc: $o"
fi

# --series-kernel/--baseline-kernel take a bzImage file, and only for the
# default configuration; both refused before any build or boot.
rc=0
o=$("$peers" --out "$tmp/kpath" --runs patched-default --series-kernel "$tmp/no-such-bzImage" 2>&1) || rc=$?
if [ "$rc" -eq 2 ] && grep -q -- "is not a file" <<<"$o" && [ ! -e "$tmp/kpath" ]; then
	ok "--series-kernel refuses a missing bzImage"
else
	bad "--series-kernel with a missing bzImage: exit $rc: $o"
fi
: >"$tmp/bzImage"
rc=0
o=$("$peers" --out "$tmp/kpath2" --runs baseline --baseline-kernel "$tmp/bzImage" --config debug 2>&1) || rc=$?
if [ "$rc" -eq 2 ] && grep -q -- "only with --config default" <<<"$o" && [ ! -e "$tmp/kpath2" ]; then
	ok "--baseline-kernel refuses --config debug"
else
	bad "--baseline-kernel with --config debug: exit $rc: $o"
fi

# A malformed expected-differences line is refused before anything boots
# (exit 2, naming it); the repository's own list is well formed.
bad_list() { # NAME LINE PATTERN
	local rc=0 o
	printf '%s\n' "$2" >"$tmp/bad-expected"
	o=$("$peers" --compare "$tmp/listed" --expected "$tmp/bad-expected" 2>&1) || rc=$?
	if [ "$rc" -eq 2 ] && grep -qF -- "$3" <<<"$o"; then ok "$1"; else bad "$1: exit $rc: $o"; fi
}
bad_list "unknown result token refused" 'suite: x* | PASS | PAS | FAIL | typo' "result 'PAS'"
bad_list "line without a reason refused" 'suite: x* | PASS | PASS | FAIL' "is not CASE-GLOB"
rc=0
o=$("$peers" --compare "$tmp/listed" 2>&1) || rc=$?
if ! grep -q -- "--expected:" <<<"$o"; then
	ok "tests/vm/peers-expected-differences is well formed"
else
	bad "tests/vm/peers-expected-differences: $o"
fi

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
