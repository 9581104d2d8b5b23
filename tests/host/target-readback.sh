#!/usr/bin/env bash
# A write job proves what its writes delivered: at the end the target's
# written blocks are read back with O_DIRECT (page cache dropped) and each is
# checked against the generation the engine recorded. A control run whose
# pinwb_before_verify hook only copies the target passes with blocks read
# back; a run whose hook zeroes the written block at offset 8192 of the
# target must fail (pinwb run exit 1), naming the target and that offset.
# Runs with --fs DIR: no root needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp
mkdir "$T/fs"

# sequential writes: every block of the range is written, none overlap
job_with dio-write-uring "$T/control.fio" "rw=write" \
	"pinwb_before_verify=cp \"\$PINWB_TARGET_FILE\" $T/seen.tgt"
"$PINWB" run "$T/control.fio" --fs "$T/fs" --runtime 2 --size 4m --out "$T/control" >"$T/control.txt" 2>&1 ||
	{ cat "$T/control.txt"; fail "control run with a harmless hook failed"; }
[ -s "$T/seen.tgt" ] || fail "the control hook did not run (no copy of PINWB_TARGET_FILE)"
report=$(echo "$T"/control/*.pinwb.json)
[ "$(jq -r .target_readback.result "$report")" = intact ] || fail "control: target read-back not intact"
[ "$(jq -r .target_readback.blocks_checked "$report")" -ge 1024 ] ||
	fail "control: fewer than the 1024 written blocks were read back"
grep -q 'target read-back: INTACT' "$T/control.txt" || { cat "$T/control.txt"; fail "control: no target read-back line in the summary"; }

job_with dio-write-uring "$T/damage.fio" "rw=write" \
	"pinwb_before_verify=dd if=/dev/zero of=\"\$PINWB_TARGET_FILE\" bs=4096 seek=2 count=1 conv=notrunc status=none"
rc=0
"$PINWB" run "$T/damage.fio" --fs "$T/fs" --runtime 2 --size 4m --out "$T/damage" >"$T/damage.txt" 2>&1 || rc=$?
cat "$T/damage.txt"
[ $rc -eq 1 ] || fail "damaged target: pinwb run exit $rc, expected 1"
report=$(echo "$T"/damage/*.pinwb.json)
[ "$(jq -r .target_readback.result "$report")" = mismatch ] || fail "damaged target: read-back result not mismatch"
[ "$(jq -r '.target_readback.first_mismatches[0].offset' "$report")" = 8192 ] ||
	fail "damaged target: the first mismatch is not at offset 8192"
grep -q 'target .*dio-write-uring.* offset 8192' "$T"/damage/fio.log ||
	fail "damaged target: no message naming the target file and offset 8192"
pass "target read back after writes: intact when untouched; a zeroed block fails the job at offset 8192"
