#!/usr/bin/env bash
# pinwb bench, one short round: every run succeeds, bench.json and meta.json
# are written and the last line has the exact form scripts rely on. Checks
# the format only, never the numbers.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_loop
need_built
make_tmp
"$PINWB" bench --runs 1 --runtime 1 --size 16m --out "$T/bench" >"$T/out.txt" 2>&1 ||
	{ cat "$T/out.txt"; fail "pinwb bench failed"; }
cat "$T/out.txt"
last=$(tail -n 1 "$T/out.txt")
[[ $last =~ ^ratio\ median=[0-9]+\.[0-9]+\ min=[0-9]+\.[0-9]+\ max=[0-9]+\.[0-9]+$ ]] ||
	fail "last line '$last' is not 'ratio median=X min=Y max=Z'"
for f in bench.json meta.json summary.txt; do
	[ -s "$T/bench/$f" ] || fail "no $f in the bench output"
done
jq -e '.ratio.median > 0 and (.runs.fio | length) == 1' "$T/bench/bench.json" >/dev/null ||
	fail "bench.json lacks the ratio or the runs"
pass "bench output complete"
