#!/bin/sh
# shellcheck shell=dash
# fstests-style: O_DIRECT reads into a MAP_SHARED mapping of a file while
# sync(1) runs in a loop, on btrfs, ext4 and xfs, at every value of
# vm.gup_writeback_policy the kernel has. The reads pin the mapping's folios
# (FOLL_PIN); sync cleans them while the DMA is in flight and the completion
# dirties them again behind the file system's back. Must hold: the engine's
# verification is intact, the kernel log has no file system error, and the
# files read back from disk after dropping the cache (btrfs checks its data
# checksums on that read: a checksum computed over data that changed under
# writeback fails it with EIO).
# On a kernel without the series btrfs drops the re-dirtied data
# ("is marked dirty without notifying the fs"): there the btrfs leg is
# reported as the expected baseline failure, and the other file systems
# must still pass.
# dmesg-allow: BTRFS error .*is marked dirty without notifying the fs
# dmesg-allow: BTRFS error .*failed to submit blocks.*-117
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_engine
fss=""
for fs in btrfs ext4 xfs; do is_mounted "$PINWB_MNT/$fs" && fss="$fss $fs"; done
[ -n "$fss" ] || fail "none of btrfs, ext4, xfs is mounted"
policies=-
have_sysctl gup_writeback_policy && policies="0 1"
series=0
series_present && series=1
runtime=2
[ "$LONG" -eq 1 ] && runtime=8

sync_pid=""
cleanup() { [ -z "$sync_pid" ] || kill "$sync_pid" 2>/dev/null || true; }
trap cleanup EXIT
(while :; do sync; done) &
sync_pid=$!

# leg FS POLICY: one run; prints nothing when it holds, else the reason.
leg() {
	local fs=$1 pol=$2 name dir mark errs bad
	name=$fs.p$pol
	dir=$(fs_dir "$fs") || { echo "cannot make a directory on $fs"; return; }
	[ "$pol" = - ] || set_sysctl gup_writeback_policy "$pol" >&2
	mark=$(kmsg_mark)
	pinwb_run "$name" "$dir" "rw=randread" "pinwb_io=sync" "pinwb_wb_modes=none" \
		"runtime=$runtime" >&2
	errs=$(kmsg_fs_errors "$mark" | wc -l)
	bad=$(readback_dir "$dir" | wc -l)
	kv "$name.kmsg_errors" "$errs"
	kv "$name.readback_errors" "$bad"
	if [ "$JOB_RESULT" = none ]; then
		echo "$name: no pinwb report, fio exited $JOB_RC"
	elif [ "$JOB_RC" -ne 0 ] || [ "$JOB_RESULT" != intact ] || [ "$JOB_KEPT" != intact ]; then
		echo "$name: fio rc=$JOB_RC verify=$JOB_RESULT pinwb-verify=$JOB_KEPT"
	elif [ "$errs" -ne 0 ]; then
		echo "$name: $errs file system error(s) in the kernel log: $(kmsg_fs_errors "$mark" | head -n 1)"
	elif [ "$bad" -ne 0 ]; then
		echo "$name: $bad file(s) fail to read back from disk"
	fi
}

n=0 baseline_btrfs=""
for fs in $fss; do
	for pol in $policies; do
		why=$(leg "$fs" "$pol") || why="$fs.p$pol: the leg itself failed (exit $?, see the log)"
		log "$fs policy $pol: ${why:-ok}"
		if [ -n "$why" ] && [ "$fs" = btrfs ] && [ "$series" -eq 0 ]; then
			baseline_btrfs=$why
			kv btrfs.baseline_failure 1
		elif [ -n "$why" ]; then
			fail "$why"
		fi
		n=$((n + 1))
	done
done
if [ -n "$baseline_btrfs" ]; then
	note "$n legs; btrfs fails as expected without the series ($baseline_btrfs), the others intact"
else
	note "${fss# }: DIO reads into a mapping under a sync loop intact, kernel log clean, read back ok ($n legs)"
fi
