#!/usr/bin/env bash
# pinwb bench on a loaded machine: a result set is refused (exit 2, a
# message naming --max-load and --allow-loaded, no output directory); with
# --allow-loaded it runs and every summary carries the LOADED MACHINE
# warning. The load is made "high" by a limit of 0 (every load average is
# at least 0), and a limit no machine reaches shows the same run unflagged,
# so the test does not pass on a flag that is always (or never) raised.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_loop
need_built
command -v gnuplot >/dev/null || skip "gnuplot not installed (make deps installs gnuplot-nox)"
make_tmp

rc=0
"$PINWB" bench --max-load 0 --runtime 1 --size 16m --out "$T/refused" >"$T/msg" 2>&1 || rc=$?
[ $rc -eq 2 ] || { cat "$T/msg"; fail "a result set on a loaded machine: exit $rc, expected 2"; }
grep -q 'load average .* >= --max-load 0 .*--allow-loaded' "$T/msg" ||
	{ cat "$T/msg"; fail "the refusal does not name the load, --max-load and --allow-loaded"; }
[ ! -e "$T/refused" ] || fail "a refused bench still made its output directory"

rc=0
"$PINWB" bench --max-load 0 --allow-loaded --reps 1 --runtime 1 --size 16m --out "$T/loaded" \
	>"$T/out.txt" 2>&1 || rc=$?
[ $rc -eq 0 ] || { cat "$T/out.txt"; fail "bench --allow-loaded failed (exit $rc)"; }
grep -q 'warning: LOADED MACHINE' "$T/out.txt" || fail "no LOADED MACHINE warning when the run started"
grep -q '^> \*\*LOADED MACHINE: 1-minute load average' "$T/loaded/summary.md" ||
	fail "summary.md does not open with the LOADED MACHINE warning"
head -n 1 "$T/loaded/summary.txt" | grep -q '^\*\*\* LOADED MACHINE' ||
	fail "summary.txt does not open with the LOADED MACHINE warning"
jq -e '.load.loaded == true and .load.max_load == 0' "$T/loaded/bench.json" >/dev/null ||
	fail "bench.json: load not marked loaded: $(jq -c .load "$T/loaded/bench.json")"
jq -e '.max_load == "0" and .allow_loaded == "1" and .load_before and .load_after' \
	"$T/loaded/meta.json" >/dev/null || fail "meta.json lacks max_load, allow_loaded or the load"
n=$(find "$T/loaded/runs" -name loadavg | wc -l)
[ "$n" -ge 2 ] || fail "no load recorded before each run ($n loadavg files)"

"$PINWB" bench --max-load 100000 --reps 1 --runtime 1 --size 16m --out "$T/quiet" >"$T/out2.txt" 2>&1 ||
	{ cat "$T/out2.txt"; fail "bench under a limit never reached failed"; }
! grep -q LOADED "$T/quiet/summary.md" "$T/quiet/summary.txt" "$T/out2.txt" ||
	fail "a run under its limit is flagged LOADED"
jq -e '.load.loaded == false' "$T/quiet/bench.json" >/dev/null || fail "bench.json: a quiet run marked loaded"
pass "loaded machine refused, flagged with --allow-loaded, not flagged under the limit"
