#!/usr/bin/env bash
# scripts/engine-cost.sh counts instructions per I/O for fio's io_uring
# engine and the pinwb engine (a short run: 1000 and 3000 I/Os), refuses
# bad arguments with exit 2, and fails (exit 1) when a run fails.
# tests/run-timeout: 900
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

command -v valgrind >/dev/null || skip "valgrind not installed"
need_built
make_tmp
cost=$TOP/scripts/engine-cost.sh

rc=0
"$cost" --ios 10 >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "--ios 10: exit $rc, expected 2"
rc=0
"$cost" --engine "$T/none.so" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "--engine of a missing file: exit $rc, expected 2"

out=$("$cost" --ios 1000 --reps 1 --dir "$T") || fail "engine-cost.sh failed"
echo "$out"
for name in "fio io_uring" "pinwb $TOP/engines/pinwb.so"; do
	n=$(echo "$out" | sed -n "s|^$name: \([0-9]*\) instructions/I/O.*|\1|p")
	{ [ -n "$n" ] && [ "$n" -gt 100 ]; } || fail "no instructions/I/O for $name"
done
echo "$out" | grep -q "^pinwb .*; [+-][0-9]*\.[0-9] % against fio io_uring$" ||
	fail "the pinwb line does not give its difference from fio's engine in per cent"

# a run that fails is a failure, not a figure: an engine fio cannot load
: >"$T/broken.so"
rc=0
"$cost" --ios 1000 --reps 1 --dir "$T" --engine "$T/broken.so" >"$T/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "an engine fio cannot load: exit $rc, expected 1: $(cat "$T/out")"
for d in "$T"/engine-cost.*; do
	[ ! -e "$d" ] || fail "the private directory $d was left behind"
done
pass "instructions per I/O for both engines; bad input exit 2, failed run exit 1"
