#!/usr/bin/env bash
# The same seed gives the same operation sequence (ops.log) twice; another
# seed gives another.
# tests/run-timeout: 240
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/torture.sh
. "$(dirname "$0")/../lib/torture.sh"

torture_host ext4
for run in a:5 b:5 c:6; do
	name=${run%%:*} seed=${run#*:}
	"$PINWB" torture --duration 60 --max-ops 2 --fs ext4 --seed "$seed" --out "$T/$name" >"$T/$name.console" 2>&1 ||
		{ cat "$T/$name.console"; fail "torture run $name (seed $seed) failed"; }
	[ "$(wc -l <"$T/$name/ops.log")" -eq 2 ] || fail "run $name: want 2 ops: $(cat "$T/$name/ops.log")"
done
cat "$T/a/ops.log" "$T/c/ops.log"
cmp -s "$T/a/ops.log" "$T/b/ops.log" || fail "seed 5 twice gave two sequences: $(diff "$T/a/ops.log" "$T/b/ops.log")"
! cmp -s "$T/a/ops.log" "$T/c/ops.log" || fail "seeds 5 and 6 gave the same sequence"
pass "same seed, same ops.log; another seed, another"
