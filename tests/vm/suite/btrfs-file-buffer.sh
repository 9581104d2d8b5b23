#!/bin/sh
# shellcheck shell=dash
# O_DIRECT reads and writes into a MAP_SHARED buffer file on btrfs under the
# writeback driver must keep every block: engine verification intact, no
# writeback driver errors, no btrfs error in the kernel log, and the files
# read back from disk after dropping the cache (btrfs checks its data
# checksums on that read). The DIO completion dirties a pinned folio again
# after writeback cleaned it, without ->page_mkwrite; the stock 6.12 kernel
# refuses to write it ("folio ... is marked dirty without notifying the fs",
# -EUCLEAN), msync / fdatasync fail and the data is lost. With the series
# btrfs sets up delalloc for such a folio and writes it; checked at every
# vm.gup_writeback_policy value.
# On a kernel without the series the test asserts the reverse: the failure
# reproduces (so the check is seen to fail); skip if this run did not hit it.
# dmesg-allow: BTRFS error .*is marked dirty without notifying the fs
# dmesg-allow: BTRFS error .*failed to submit blocks.*-117
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_engine
is_mounted "$PINWB_MNT/btrfs" || skip "btrfs not mounted (kernel without btrfs?)"
runtime=5
[ "$LONG" -eq 1 ] && runtime=20
policies=-
have_sysctl gup_writeback_policy && policies="0 1"

# run NAME IO OPTION...: one job; sets WHY to the reason it did not hold ("" if it did).
run() {
	local name=$1 dir mark wberr errs bad
	shift
	dir=$(fs_dir btrfs) || fail "cannot make a directory on btrfs"
	mark=$(kmsg_mark)
	pinwb_run "$name" "$dir" "rw=randrw" "runtime=$runtime" "$@"
	wberr=""
	[ -f "$JOB_REPORT" ] && wberr=$(report_value "$JOB_REPORT" writeback errors)
	errs=$(kmsg_fs_errors "$mark" | wc -l)
	bad=$(readback_dir "$dir" | wc -l)
	kv "$name.writeback_errors" "${wberr:-none}"
	kv "$name.kmsg_errors" "$errs"
	kv "$name.readback_errors" "$bad"
	WHY=""
	if [ "$JOB_RESULT" = none ]; then
		WHY="$name: no pinwb report, fio exited $JOB_RC"
	elif [ "$JOB_RC" -ne 0 ] || [ "$JOB_RESULT" != intact ] || [ "$JOB_KEPT" != intact ]; then
		WHY="$name: fio rc=$JOB_RC verify=$JOB_RESULT pinwb-verify=$JOB_KEPT"
	elif [ "${wberr:-0}" != 0 ]; then
		WHY="$name: $wberr writeback driver error(s)"
	elif [ "$errs" -ne 0 ]; then
		WHY="$name: $errs btrfs error(s) in the kernel log: $(kmsg_fs_errors "$mark" | head -n 1)"
	elif [ "$bad" -ne 0 ]; then
		WHY="$name: $bad file(s) fail to read back from disk"
	fi
	log "$name: ${WHY:-ok}"
}

if ! series_present; then
	run sync "pinwb_io=sync"
	[ -n "$WHY" ] || skip "kernel without the series: the baseline failure did not reproduce in this run"
	note "kernel without the series: the baseline failure reproduces ($WHY)"
	exit 0
fi
n=0
for pol in $policies; do
	[ "$pol" = - ] || set_sysctl gup_writeback_policy "$pol"
	run "p$pol.sync" "pinwb_io=sync"
	[ -z "$WHY" ] || fail "$WHY"
	run "p$pol.uring" "pinwb_io=uring" "iodepth=8"
	[ -z "$WHY" ] || fail "$WHY"
	n=$((n + 2))
done
note "btrfs: sync and io_uring into a MAP_SHARED buffer file intact, no btrfs error, read back ok ($n runs, policies $policies)"
