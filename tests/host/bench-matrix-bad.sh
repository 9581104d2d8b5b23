#!/usr/bin/env bash
# pinwb bench --matrix with a bad file: exit 2 and a message naming the file
# and line at fault, before anything is set up. A good file is accepted by
# the same check (pinwbbench check), so the test does not pass on a parser
# that refuses everything.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

make_tmp
m=$T/bad.matrix
check_bad() {
	local line=$1 want=$2 rc=0
	shift 2
	printf '%s\n' "$@" >"$m"
	"$PINWB" bench --matrix "$m" --out "$T/out" >"$T/msg" 2>&1 || rc=$?
	[ $rc -eq 2 ] || { cat "$T/msg"; fail "bad matrix ($want): exit $rc, expected 2"; }
	grep -q "$m:$line: .*$want" "$T/msg" || { cat "$T/msg"; fail "message does not name $m:$line ($want)"; }
	[ ! -e "$T/out" ] || fail "a bad matrix still made the output directory"
}
check_bad 3 "bs: '3k'" "# engine comparison" "compare = engine" "bs = 3k"
check_bad 2 "unknown key 'blocksize'" "compare = engine" "blocksize = 4k"
check_bad 2 "exactly two values" "compare = bs" "bs = 4k, 8k, 16k"
check_bad 4 "needs the pinwb engine" "compare = engine" "engine = fio, pinwb" "" "wb = default"
check_bad 2 "expected 'key = value" "compare = engine" "engine fio"
for good in "$TOP"/workloads/*.matrix; do
	PYTHONPATH=$TOP/scripts/lib python3 -m pinwbbench check "$good" >/dev/null || fail "shipped $good refused"
done
pass "bad matrix lines named, shipped matrices accepted"
