#!/usr/bin/env bash
# The engine's own verification must fail the job when the buffer file is
# damaged between the sync/unmap and the read back: pinwb_before_verify zeroes
# 512 bytes of slot 0's payload, and pinwb run must exit 1 with the pinwb
# report saying "mismatch". A control run whose hook only copies the file
# must pass, so the failure comes from the damage and not from the hook.
# Both run with --fs in a private directory: no root or loop device needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/corrupt.sh
. "$(dirname "$0")/../lib/corrupt.sh"

need_built
make_tmp
mkdir "$T/fs"
need_odirect_dir "$T/fs"

# Control: the hook runs (the copy appears) and the job verifies intact.
job_with dio-read-uring "$T/control.fio" \
	"pinwb_before_verify=cp \"\$PINWB_BUFFER_FILE\" $T/seen.buf"
"$PINWB" run "$T/control.fio" --fs "$T/fs" --runtime 2 --size 16m --out "$T/control" ||
	fail "control run with a harmless hook failed"
[ -s "$T/seen.buf" ] || fail "the control hook did not run (no copy of PINWB_BUFFER_FILE)"
[ "$(jq -r .verify.result "$T"/control/*.pinwb.json)" = intact ] || fail "control run not intact"

# Damage: zero 512 bytes at offset 1024 (slot 0, past its header).
job_with dio-read-uring "$T/damage.fio" \
	"pinwb_before_verify=dd if=/dev/zero of=\"\$PINWB_BUFFER_FILE\" bs=512 seek=2 count=1 conv=notrunc status=none"
rc=0
"$PINWB" run "$T/damage.fio" --fs "$T/fs" --runtime 2 --size 16m --out "$T/damage" || rc=$?
[ $rc -eq 1 ] || fail "damaged run: pinwb run exit $rc, expected 1"
verdict=$(jq -r .verify.result "$T"/damage/*.pinwb.json) || fail "damaged run wrote no pinwb report"
[ "$verdict" = mismatch ] || fail "damaged run: verify result '$verdict', expected mismatch"
pass "damage through pinwb_before_verify fails the job; a harmless hook does not"
