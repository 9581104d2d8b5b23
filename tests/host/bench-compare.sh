#!/usr/bin/env bash
# pinwb compare through the front door: a fixture set against itself exits
# 0; against a copy whose one scenario lost 20 % of its IOPS it exits 1 and
# names that scenario (text and --json); two plain fio JSON files of the
# same jobs compare; bad arguments exit 2 naming the option.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

command -v python3 >/dev/null || skip "python3 not installed (make deps)"
make_tmp
bench_py() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$TOP/scripts/lib python3 -m pinwbbench "$@"; }
PYTHONDONTWRITEBYTECODE=1 python3 "$TOP/tests/py/fixture.py" "$T/old" || fail "fixture set not written"
bench_py report --no-plots "$T/old" >/dev/null || fail "report on the fixture set failed"
rc=0
"$PINWB" compare "$T/old" "$T/old" >"$T/self.txt" || rc=$?
[ $rc -eq 0 ] || { cat "$T/self.txt"; fail "a set against itself: exit $rc, expected 0"; }

# The copy: every run of one scenario (cell 0, policy 1) at 80 % of its IOPS.
cp -r "$T/old" "$T/new"
for f in "$T"/new/runs/c0-r*-1/fio.json; do
	jq '.jobs[0].read.iops *= 0.8' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
done
bench_py report --no-plots "$T/new" >/dev/null || fail "report on the scaled copy failed"
rc=0
"$PINWB" compare "$T/old" "$T/new" >"$T/scaled.txt" || rc=$?
cat "$T/scaled.txt"
[ $rc -eq 1 ] || fail "20 % fewer IOPS in one scenario: exit $rc, expected 1"
grep -q '^wb=none | gup_writeback_policy=1 .*REGRESSION$' "$T/scaled.txt" || fail "the regressed scenario is not named"
[ "$(grep -c REGRESSION "$T/scaled.txt")" -eq 1 ] || fail "more than the one scenario flagged"
rc=0
"$PINWB" compare --json "$T/old" "$T/new" >"$T/scaled.json" || rc=$?
[ $rc -eq 1 ] || fail "--json: exit $rc, expected 1"
jq -e '.regressions == ["wb=none | gup_writeback_policy=1"]' "$T/scaled.json" >/dev/null ||
	fail "--json does not list exactly the regressed scenario"

# Plain fio JSON: two runs of the same jobs.
jq '.jobs[0].read.iops *= 1.01' "$T/old/runs/c0-r0-0/fio.json" >"$T/b.json"
"$PINWB" compare "$T/old/runs/c0-r0-0/fio.json" "$T/b.json" >"$T/fio.txt" || fail "fio JSON pair within 1 %: not exit 0"
grep -q '^bench-pinwb read ' "$T/fio.txt" || fail "fio JSON scenario not named by job and direction"

rc=0
"$PINWB" compare --threshold x "$T/old" "$T/old" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "bad --threshold: exit $rc, expected 2"
grep -q -- --threshold "$T/err" || fail "bad --threshold: the message does not name the option"
rc=0
"$PINWB" compare "$T/old" 2>"$T/err" || rc=$?
[ $rc -eq 2 ] || fail "one argument: exit $rc, expected 2"
"$PINWB" compare --help | grep -q '^usage: pinwb compare' || fail "no --help"
pass "compare: self 0, one scenario -20 % named and exit 1, fio JSON pair, bad arguments 2"
