#!/usr/bin/env bash
# Blocks left by an earlier run cannot pass for this run's: two identical,
# deterministic write jobs (same pinwb_seed, same sequence, same buffer and
# target files) differ only in their run nonce. The first copies its
# verified buffer file aside from pinwb_before_verify; the second's hook
# puts that copy back in place of its own buffer, and must fail naming a
# block "of another run or file". A control where the second run's hook
# copies its own buffer back passes. No root needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp

# run_job NAME HOOK: the same write job every time
run_job() {
	"$FIO" --name=stale --ioengine="external:$ENGINE" --filename="$T/target.dat" --size=1m \
		--bs=4k --direct=1 --rw=write --pinwb_io=sync --pinwb_wb_modes=none --pinwb_seed=7 \
		--pinwb_buffer_file="$T/buffer" --pinwb_buffer_size=256k \
		--pinwb_report="$T/$1.json" --pinwb_before_verify="$2" >"$T/$1.txt" 2>&1
}

run_job first "cp \"\$PINWB_BUFFER_FILE\" $T/first.buf" ||
	{ cat "$T/first.txt"; fail "first run failed"; }
run_job control "cp \"\$PINWB_BUFFER_FILE\" $T/own.buf && cp $T/own.buf \"\$PINWB_BUFFER_FILE\"" ||
	{ cat "$T/control.txt"; fail "control run (own buffer copied back) failed"; }
cmp -s "$T/first.buf" "$T/own.buf" && fail "two runs laid out identical buffers: no per-run nonce"
rc=0
run_job second "cp $T/first.buf \"\$PINWB_BUFFER_FILE\"" || rc=$?
cat "$T/second.txt"
[ $rc -ne 0 ] || fail "the second run passed with the first run's buffer file"
grep -q 'of another run or file' "$T/second.txt" || fail "no mismatch naming a block of another run"
[ "$(jq -r .verify.result "$T/second.json")" = mismatch ] || fail "second run's report not mismatch"
pass "a buffer file holding an earlier run's blocks fails; the run's own copy passes"
